"""HTML rendering for the demo shops: layout, product pages in each shop's markup style, 404s.

Pure functions from catalogue data to text. Pages look like real shops on purpose: navigation,
breadcrumbs, struck-through old prices on sales, a carousel of related products with their own
prices, a free-delivery threshold in the header, footers; so extractors meet the usual decoys.
Everything a page shows is derived from the (shop, day) state, so an unchanged product renders
to the same bytes and conditional requests can answer 304.
"""

from __future__ import annotations

import json
from decimal import Decimal
from html import escape

from monitor.demo.catalogue import CATEGORIES, Offer, Product
from monitor.demo.shop_style import shipping_of, shop_title
from monitor.demo.shops import ShopSpec

SCHEMA = "https://schema.org/"
OG_AVAILABILITY = {
    "InStock": "instock",
    "OutOfStock": "oos",
    "PreOrder": "preorder",
    "BackOrder": "backorder",
    "Discontinued": "discontinued",
}
UI: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "cart": "Cart",
        "account": "Sign in",
        "related": "Customers also viewed",
        "add": "Add to basket",
        "reviews": "reviews",
        "save": "Save",
        "delivery": "Free delivery on orders over",
        "notfound": "Sorry, we couldn't find that page",
        "blog": "Blog",
        "new": "New arrivals",
        "search": "Search products",
        "rights": "All rights reserved.",
    },
    "de": {
        "home": "Startseite",
        "cart": "Warenkorb",
        "account": "Anmelden",
        "related": "Kunden sahen sich auch an",
        "add": "In den Warenkorb",
        "reviews": "Bewertungen",
        "save": "Sie sparen",
        "delivery": "Kostenloser Versand ab",
        "notfound": "Diese Seite gibt es leider nicht",
        "blog": "Magazin",
        "new": "Neuheiten",
        "search": "Produkte suchen",
        "rights": "Alle Rechte vorbehalten.",
    },
    "zh-CN": {
        "home": "首页",
        "cart": "购物车",
        "account": "登录",
        "related": "看了又看",
        "add": "加入购物车",
        "reviews": "条评价",
        "save": "立省",
        "delivery": "满额包邮：",
        "notfound": "抱歉，您访问的页面不存在",
        "blog": "资讯",
        "new": "新品上市",
        "search": "搜索商品",
        "rights": "版权所有",
    },
}
DELIVERY_THRESHOLD = {"USD": Decimal("49"), "EUR": Decimal("39"), "GBP": Decimal("40"), "CNY": Decimal("99")}


def t(spec: ShopSpec, key: str) -> str:
    return UI[spec.locale][key]


def product_name(spec: ShopSpec, p: Product) -> str:
    return shop_title(spec, p)


def category_label(spec: ShopSpec, category: str) -> str:
    en, zh, _, _ = CATEGORIES[category]
    if spec.locale == "zh-CN":
        return zh
    return en if en.endswith("s") else en + ("es" if en.endswith("ch") else "s")


def layout(
    spec: ShopSpec,
    base: str,
    title: str,
    body: str,
    *,
    canonical: str = "",
    description: str = "",
    head_extra: str = "",
    crumbs: list[tuple[str, str]] | None = None,
) -> str:
    """The page frame every shop page shares: head, header with navigation, breadcrumbs, footer."""
    nav = "".join(
        f'<li><a href="/category/{c}">{escape(category_label(spec, c))}</a></li>' for c in CATEGORIES
    )
    crumb_html = ""
    if crumbs:
        items = "".join(
            f'<li><a href="{escape(href)}">{escape(label)}</a></li>' if href else f"<li>{escape(label)}</li>"
            for label, href in crumbs
        )
        crumb_html = f'<nav class="breadcrumbs" aria-label="breadcrumb"><ol>{items}</ol></nav>'
    threshold = spec.format_price(DELIVERY_THRESHOLD[spec.currency])
    lang = "zh-CN" if spec.locale == "zh-CN" else spec.locale
    canon = f'<link rel="canonical" href="{escape(base + canonical)}">' if canonical else ""
    desc = f'<meta name="description" content="{escape(description)}">' if description else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | {escape(spec.title)}</title>"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{desc}{canon}'
        f'<link rel="stylesheet" href="/static/{spec.name}.css">{head_extra}</head>\n'
        f'<body class="shop-{spec.name}">\n<header class="site-header">'
        f'<div class="promo-strip">{escape(t(spec, "delivery"))} {escape(threshold)}</div>'
        f'<a class="logo" href="/">{escape(spec.title)}</a>'
        f'<form class="search" action="/search"><input name="q" placeholder="{escape(t(spec, "search"))}"></form>'
        f'<a class="account" href="/account/login">{escape(t(spec, "account"))}</a> '
        f'<a class="cart" href="/cart">{escape(t(spec, "cart"))} (0)</a>'
        f'<nav class="main-nav"><ul>{nav}<li><a href="/new">{escape(t(spec, "new"))}</a></li>'
        f'<li><a href="/blog/">{escape(t(spec, "blog"))}</a></li></ul></nav></header>\n'
        f"{crumb_html}\n{body}\n"
        f'<footer class="site-footer"><ul><li><a href="/about">About us</a></li>'
        f'<li><a href="/shipping">Shipping &amp; returns</a></li><li><a href="/privacy">Privacy</a></li>'
        f'<li><a href="/sitemap.xml">Sitemap</a></li></ul>'
        f"<p>&copy; 2026 {escape(spec.title)}. {escape(t(spec, 'rights'))}</p></footer>\n</body></html>\n"
    )


def _review_count(p: Product) -> int:
    return (p.num * 37) % 900 + 3


def _specs_table(p: Product, ean: bool = True) -> str:
    rows = (
        ("Brand", p.brand),
        ("Model", p.name.split(" ")[1]),
        *((("EAN", p.gtin),) if ean else ()),
        ("Warranty", f"{1 + p.num % 3} years"),
        ("Weight", f"{(p.num * 13) % 2000 + 150} g"),
    )
    return (
        '<table class="specs">'
        + "".join(f"<tr><th>{k}</th><td>{escape(v)}</td></tr>" for k, v in rows)
        + "</table>"
    )


def related_cards(spec: ShopSpec, related: list[tuple[Product, Offer]], *, card_class: str = "card") -> str:
    """The carousel of other products with their prices: decoys for naive price extraction."""
    cards = "".join(
        f'<li class="{card_class}"><a href="{escape(spec.path_for(p.num, p.slug))}">'
        f'<img src="/static/img/{p.num}.jpg" alt="" loading="lazy">'
        f'<span class="card-title">{escape(product_name(spec, p))}</span></a>'
        f'<span class="card-price">{escape(spec.format_price(o.price))}</span></li>'
        for p, o in related
    )
    return f'<section class="related"><h2>{escape(t(spec, "related"))}</h2><ul class="carousel">{cards}</ul></section>'


def product_page(
    spec: ShopSpec, base: str, p: Product, offer: Offer, sku: str, related: list[tuple[Product, Offer]]
) -> str:
    """A product page in the shop's own markup style (see `ShopSpec.markup`)."""
    name = product_name(spec, p)
    path = spec.path_for(p.num, p.slug)
    crumbs = [
        (t(spec, "home"), "/"),
        (category_label(spec, p.category), f"/category/{p.category}"),
        (name, ""),
    ]
    render = {"jsonld": _alpha_body, "microdata": _beta_body, "plain": _gamma_body, "opengraph": _huali_body}
    # The JS shop never renders prices server-side; its sample pages (/bad/...) borrow gamma's body.
    body, head = render.get(spec.markup, _gamma_body)(spec, base, p, offer, sku, name, path)
    body += related_cards(spec, related)
    desc = f"{name} from {p.brand}. {_review_count(p)} {t(spec, 'reviews')}."
    return layout(spec, base, name, body, canonical=path, description=desc, head_extra=head, crumbs=crumbs)


def _old_price(spec: ShopSpec, offer: Offer, tag: str, cls: str) -> str:
    if not offer.on_sale:
        return ""
    saving = spec.format_price(offer.list_price - offer.price)
    return (
        f'<{tag} class="{cls}">{escape(spec.format_price(offer.list_price))}</{tag}>'
        f'<span class="badge-sale">{escape(t(spec, "save"))} {escape(saving)}</span>'
    )


def _shipping_details(spec: ShopSpec, offer: Offer) -> dict:
    cost = shipping_of(spec, offer.price)
    if cost is None:
        return {}
    rate = {"@type": "MonetaryAmount", "value": str(cost), "currency": spec.currency}
    return {"shippingDetails": {"@type": "OfferShippingDetails", "shippingRate": rate}}


def _alpha_body(spec, base, p, offer, sku, name, path) -> tuple[str, str]:
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": name,
        "sku": sku,
        "gtin13": p.gtin,
        "brand": {"@type": "Brand", "name": p.brand},
        "image": f"{base}/static/img/{p.num}.jpg",
        "description": f"The {name} by {p.brand}.",
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": "4.3",
            "reviewCount": _review_count(p),
        },
        "offers": {
            "@type": "Offer",
            "url": base + path,
            "price": str(offer.price),
            "priceCurrency": spec.currency,
            "availability": SCHEMA + offer.availability,
            "itemCondition": SCHEMA + "NewCondition",
            **_shipping_details(spec, offer),
        },
    }
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": base + "/"},
            {
                "@type": "ListItem",
                "position": 2,
                "name": category_label(spec, p.category),
                "item": f"{base}/category/{p.category}",
            },
        ],
    }
    head = (
        f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'
        f'<script type="application/ld+json">{json.dumps(crumbs, ensure_ascii=False)}</script>'
    )
    body = (
        f'<main class="pdp"><div class="gallery"><img src="/static/img/{p.num}.jpg" alt="{escape(name)}"></div>'
        f'<div class="buybox"><h1 class="pdp-title">{escape(name)}</h1>'
        f'<div class="rating">&#9733;&#9733;&#9733;&#9733;&#9734; <a href="#reviews">{_review_count(p)} reviews</a></div>'
        f'<div class="price-box">{_old_price(spec, offer, "s", "price-was")}'
        f'<span class="price">{escape(spec.format_price(offer.price))}</span></div>'
        f'<p class="availability">{escape(spec.availability_text(offer.availability))}</p>'
        f'<p class="sku">SKU: {escape(sku)}</p><button class="add-to-cart">{t(spec, "add")}</button></div>'
        f"{_specs_table(p)}</main>"
    )
    return body, head


def _beta_body(spec, base, p, offer, sku, name, path) -> tuple[str, str]:
    body = (
        f'<main class="produkt" itemscope itemtype="https://schema.org/Product">'
        f'<img itemprop="image" src="/static/img/{p.num}.jpg" alt="{escape(name)}">'
        f'<h1 itemprop="name">{escape(name)}</h1>'
        f'<p>Marke: <span itemprop="brand">{escape(p.brand)}</span> &middot; Art.-Nr. <span itemprop="sku">{escape(sku)}</span>'
        f'<meta itemprop="gtin13" content="{p.gtin}"></p>'
        f'<div class="angebot" itemprop="offers" itemscope itemtype="https://schema.org/Offer">'
        f"{_old_price(spec, offer, 'del', 'streichpreis')}"
        f'<meta itemprop="priceCurrency" content="{spec.currency}">'
        f'<span class="preis" itemprop="price" content="{offer.price}">{escape(spec.format_price(offer.price))}</span>'
        f"<small>inkl. MwSt., zzgl. Versand</small>"
        f'<link itemprop="availability" href="{SCHEMA}{offer.availability}">'
        f'<p class="lieferstatus">{escape(spec.availability_text(offer.availability))}</p>'
        f'<link itemprop="url" href="{escape(base + path)}"></div>'
        f'<button class="add-to-cart">{t(spec, "add")}</button>'
        f'<div itemprop="description"><p>Das {escape(name)} von {escape(p.brand)}.</p></div>'
        f"{_specs_table(p)}</main>"
    )
    return body, ""


def _gamma_body(spec, base, p, offer, sku, name, path) -> tuple[str, str]:
    was = (
        f'<span class="price-was">Was <s>{escape(spec.format_price(offer.list_price))}</s></span>'
        if offer.on_sale
        else ""
    )
    body = (
        f'<main class="product-detail"><div class="product-images"><img src="/static/img/{p.num}.jpg" alt=""></div>'
        f'<div class="product-info"><h1 class="product-title">{escape(name)}</h1>'
        f'<p class="brand-line">by <a href="/brand/{p.brand.lower()}">{escape(p.brand)}</a></p>'
        f'<div class="pricing">{was}<span class="price-now">{escape(spec.format_price(offer.price))}</span>'
        f'<span class="vat-note">inc. VAT</span></div>'
        f'<p class="stock-state">{escape(spec.availability_text(offer.availability))}</p>'
        f'<p class="product-code">Product code: <span class="sku-code">{escape(sku)}</span></p>'
        f'<button class="add-to-cart">{t(spec, "add")}</button></div>'
        f"{_specs_table(p, ean=False)}</main>"
    )
    return body, ""


def _huali_body(spec, base, p, offer, sku, name, path) -> tuple[str, str]:
    head = (
        f'<meta property="og:type" content="product"><meta property="og:title" content="{escape(name)}">'
        f'<meta property="og:url" content="{escape(base + path)}">'
        f'<meta property="og:image" content="{base}/static/img/{p.num}.jpg">'
        f'<meta property="product:price:amount" content="{offer.price}">'
        f'<meta property="product:price:currency" content="{spec.currency}">'
        f'<meta property="product:availability" content="{OG_AVAILABILITY[offer.availability]}">'
    )
    origin = (
        f'<span class="origin-label">原价</span><del class="J-origin-price">{escape(spec.format_price(offer.list_price))}</del>'
        if offer.on_sale
        else ""
    )
    body = (
        f'<div class="goods-main"><div class="preview"><img src="/static/img/{p.num}.jpg" alt=""></div>'
        f'<div class="itemInfo"><h1 class="goods-name">{escape(name)}</h1>'
        f'<div class="summary-price"><span class="label">京东价</span><span class="J-price">{escape(spec.format_price(offer.price))}</span>'
        f"{origin}</div>"
        f'<div class="summary-stock">配送至 北京 <span class="stock-status">{escape(spec.availability_text(offer.availability))}</span></div>'
        f'<div class="goods-sku">{escape(sku)}</div>'
        f'<a class="btn-append" href="/cart/add?sku={escape(sku)}">{t(spec, "add")}</a></div>'
        f"{_specs_table(p, ean=False)}</div>"
    )
    return body, head


def not_found_page(spec: ShopSpec, base: str) -> str:
    body = (
        f'<main class="error-page"><h1>404</h1><p>{escape(t(spec, "notfound"))}</p>'
        f'<p><a href="/">{escape(t(spec, "home"))}</a></p></main>'
    )
    return layout(spec, base, "404", body)


def home_page(spec: ShopSpec, base: str, day: int, featured: list[tuple[Product, Offer]]) -> str:
    """The shop's front page; its rotating banner changes every day (noise for page watches)."""
    banners = ("Spring deals are here", "Members save more", "Trade in and save", "Top brands, low prices")
    body = (
        f'<main class="home"><div class="hero-banner">{banners[day % len(banners)]}</div>'
        f"{related_cards(spec, featured, card_class='card featured')}</main>"
    )
    return layout(
        spec, base, spec.title, body, canonical="/", description=f"{spec.title}: electronics online."
    )


def private_page(spec: ShopSpec, base: str) -> str:
    body = (
        "<main><h1>Staff area</h1><p>Internal pricing tools. Robots are asked not to crawl this.</p></main>"
    )
    return layout(spec, base, "Staff area", body)
