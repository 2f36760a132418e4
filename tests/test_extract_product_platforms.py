"""Shop platforms' embedded product JSON, RDFa, and the visible prices that must not win.

Each page is a small synthetic page modelled on the platform's real markup (Shopify themes,
WooCommerce variable products, Magento 2 product pages, BigCommerce Stencil, Next.js / Vue apps).
"""

from __future__ import annotations

import json
from decimal import Decimal
from html import escape

from spiders.extract.product import extract_product


def _page(body: str, title: str = "Trail Runner 2 Shoe", head: str = "") -> str:
    return (
        f"<!doctype html><html lang='en'><head><title>{title} | Shop</title>{head}</head>"
        f"<body><header class='site-header'><a href='/'>Shop</a></header><main>{body}</main></body></html>"
    )


def test_shopify_meta_in_cents():
    meta = {
        "product": {
            "id": 6612,
            "vendor": "Acme",
            "variants": [
                {"id": 1, "price": 12900, "name": "Trail Runner 2 Shoe - 42", "sku": "TR2-42"},
                {"id": 2, "price": 12900, "name": "Trail Runner 2 Shoe - 43", "sku": "TR2-43"},
            ],
        },
        "page": {"pageType": "product"},
    }
    script = f"<script>var meta = {json.dumps(meta)};\nfor (var attr in meta) {{ window.ShopifyAnalytics.meta[attr] = meta[attr]; }}</script>"
    rec = extract_product(
        _page("<h1>Trail Runner 2 Shoe</h1>" + script), "https://shop.example.com/products/tr2"
    )
    assert rec.price == Decimal("129")
    assert rec.sources["price"] == "shop-json"


def test_shopify_product_json_script():
    product = {
        "id": 7,
        "title": "Trail Runner 2 Shoe",
        "available": False,
        "price": 8950,
        "variants": [{"sku": "TR2-1", "price": 8950, "available": False}],
    }
    html = _page(
        "<h1>Trail Runner 2 Shoe</h1>"
        f"<script type='application/json' data-product-json>{json.dumps(product)}</script>"
    )
    rec = extract_product(html, "https://shop.example.com/products/tr2")
    assert rec.price == Decimal("89.50")
    assert rec.availability == "OutOfStock"


def test_woocommerce_variations_form():
    variations = [
        {"display_price": 24.5, "display_regular_price": 30, "is_in_stock": False, "sku": "W-S"},
        {"display_price": 26.5, "display_regular_price": 30, "is_in_stock": True, "sku": "W-M"},
    ]
    html = _page(
        "<h1 class='product_title entry-title'>Trail Runner 2 Shoe</h1>"
        f"<form class='variations_form cart' data-product_id='55' "
        f"data-product_variations='{escape(json.dumps(variations))}'><select name='size'></select></form>"
    )
    rec = extract_product(html, "https://woo.example.com/product/trail-runner/")
    assert rec.price == Decimal("26.5")  # the cheapest variation in stock
    assert rec.availability == "InStock"


def test_magento_price_box_of_the_forms_product():
    html = _page(
        "<div class='product-info-main'><h1 class='page-title'><span>Trail Runner 2 Shoe</span></h1>"
        "<div class='price-box price-final_price' data-role='priceBox' data-product-id='812'>"
        "<span data-price-amount='79.9' data-price-type='finalPrice' class='price-wrapper'>"
        "<span class='price'>79,90 €</span></span></div>"
        "<form id='product_addtocart_form'><input type='hidden' name='product' value='812'>"
        "<button class='action tocart'>In den Warenkorb</button></form></div>"
        "<div class='block related'><div class='price-box' data-role='priceBox' data-product-id='9'>"
        "<span data-price-amount='12' data-price-type='finalPrice'><span class='price'>12,00 €</span></span>"
        "</div></div>"
    )
    rec = extract_product(html, "https://magento.example.de/trail-runner-2.html")
    assert rec.price == Decimal("79.9")
    assert rec.currency == "EUR"
    assert rec.availability == "InStock"


def test_magento_json_config():
    config = {
        "#product_addtocart_form": {
            "configurable": {
                "spConfig": {
                    "productId": "812",
                    "prices": {"oldPrice": {"amount": "99"}, "finalPrice": {"amount": "84.5"}},
                }
            }
        }
    }
    html = _page(
        f"<h1>Trail Runner 2 Shoe</h1><script type='text/x-magento-init'>{json.dumps(config)}</script>"
    )
    assert extract_product(html, "https://m.example.com/tr2.html").price == Decimal("84.5")


def test_bigcommerce_bcdata():
    data = {
        "csrf_token": "x",
        "product_attributes": {
            "sku": "BC-TR2",
            "price": {"without_tax": {"formatted": "$64.00", "value": 64, "currency": "USD"}},
            "instock": True,
            "purchasable": True,
        },
    }
    html = _page(f"<h1>Trail Runner 2 Shoe</h1><script>var BCData = {json.dumps(data)};</script>")
    rec = extract_product(html, "https://bc.example.com/trail-runner-2/")
    assert (rec.price, rec.currency, rec.availability, rec.sku) == (Decimal("64"), "USD", "InStock", "BC-TR2")


def test_next_data_ignores_recommended_products():
    state = {
        "props": {
            "pageProps": {
                "product": {
                    "name": "Trail Runner 2 Shoe",
                    "sku": "NX-1",
                    "price": {"value": 59.95, "currency": "GBP"},
                    "inStock": True,
                },
                "recommendations": [{"name": "Wool Socks", "price": {"value": 5, "currency": "GBP"}}],
            }
        }
    }
    html = _page(
        f"<h1>Trail Runner 2 Shoe</h1><script id='__NEXT_DATA__' type='application/json'>{json.dumps(state)}</script>"
    )
    rec = extract_product(html, "https://next.example.co.uk/p/trail-runner-2")
    assert (rec.price, rec.currency, rec.sku) == (Decimal("59.95"), "GBP", "NX-1")


def test_initial_state_blob():
    state = {"pdp": {"item": {"title": "Trail Runner 2 Shoe", "currentPrice": "45.00", "is_in_stock": False}}}
    html = _page(
        f"<h1>Trail Runner 2 Shoe</h1><script>window.__INITIAL_STATE__ = {json.dumps(state)};</script>"
    )
    rec = extract_product(html, "https://app.example.com/p/1")
    assert rec.price == Decimal("45.00")
    assert rec.availability == "OutOfStock"


def test_facebook_pixel_when_nothing_else_says():
    html = _page(
        "<h1>Trail Runner 2 Shoe</h1><p>Great shoe.</p>"
        "<script>fbq('track', 'ViewContent', {content_ids: ['1131'], value: 29, currency: 'TWD'});</script>",
    )
    rec = extract_product(html, "https://tw.example.tw/cheap_1131.html")
    assert (rec.price, rec.currency) == (Decimal("29"), "TWD")


def test_rdfa_schema_org_and_goodrelations():
    rdfa = _page(
        "<div vocab='http://schema.org/' typeof='Product'><h1 property='name'>Trail Runner 2 Shoe</h1>"
        "<span property='sku'>RD-1</span><div property='offers' typeof='Offer'>"
        "<span property='priceCurrency' content='CHF'>CHF</span> <span property='price'>119.00</span>"
        "<link property='availability' href='http://schema.org/InStock'></div></div>"
    )
    rec = extract_product(rdfa, "https://rdfa.example.ch/tr2")
    assert (rec.price, rec.currency, rec.sku, rec.availability) == (
        Decimal("119.00"),
        "CHF",
        "RD-1",
        "InStock",
    )
    assert rec.sources["price"] == "rdfa"
    gr = _page(
        "<div typeof='gr:Offering'><h1 property='gr:name'>Trail Runner 2 Shoe</h1>"
        "<div property='gr:hasPriceSpecification' typeof='gr:UnitPriceSpecification'>"
        "<span property='gr:hasCurrency' content='EUR'>€</span><span property='gr:hasCurrencyValue'>74.5</span>"
        "</div></div>"
    )
    assert extract_product(gr, "https://gr.example.de/tr2").price == Decimal("74.5")


def test_visible_prices_that_must_not_win():
    html = _page(
        "<h1 class='product-title'>Trail Runner 2 Shoe</h1>"
        "<div class='product-price'><del class='price-old'>$149.00</del>"
        "<span class='price-current'>$119.00</span></div>"
        "<div class='unit-price'>$11.90 / 100 g</div>"
        "<div class='installment-price'>or 4 payments of $29.75</div>"
        "<div class='shipping-price'>Shipping: $4.95</div>"
        "<button class='add-to-cart'>Add to cart</button>"
        "<section class='related-products'><ul>"
        + "".join(
            f"<li class='card'><a href='/p/{i}'>Other {i}</a><span class='price'>$9.9{i}</span></li>"
            for i in range(4)
        )
        + "</ul></section>"
    )
    rec = extract_product(html, "https://plain.example.com/p/tr2")
    assert (rec.price, rec.currency, rec.availability) == (Decimal("119.00"), "USD", "InStock")


def test_from_price_used_when_it_is_all_the_page_shows():
    html = _page(
        "<h1>Trail Runner 2 Shoe</h1><div class='product-price'>From $89.00</div>"
        "<button class='add-to-cart'>Add to cart</button>"
    )
    assert extract_product(html, "https://plain.example.com/p/tr2").price == Decimal("89.00")


def test_open_graph_product_meta():
    head = (
        "<meta property='og:type' content='product'><meta property='og:title' content='Trail Runner 2 Shoe'>"
        "<meta property='product:price:amount' content='1299'><meta property='product:price:currency' content='SEK'>"
        "<meta property='product:availability' content='out of stock'>"
    )
    rec = extract_product(_page("<h1>Trail Runner 2 Shoe</h1>", head=head), "https://og.example.se/p/1")
    assert (rec.price, rec.currency, rec.availability) == (Decimal("1299"), "SEK", "OutOfStock")


def test_broken_state_blobs_do_not_raise():
    html = _page(
        "<h1>Trail Runner 2 Shoe</h1><span class='price'>$5.00</span>"
        '<script>window.__NUXT__=(function(a,b){return {a:a}}(1,2));var meta = {"product": [</script>'
        "<script type='application/json' data-product-json>{not json</script>"
        "<form class='variations_form' data-product_variations='[{\"display_price\": '></form>"
    )
    rec = extract_product(html, "https://x.example.com/p")
    assert rec.price == Decimal("5.00")


def _sizes_state(stock: list[str]) -> str:
    sizes = [
        {"availability": s, "name": "Trail Runner 2 Shoe", "price": "45.00", "sku": f"TR2-{40 + i}"}
        for i, s in enumerate(stock)
    ]
    state = {"product": {"name": "Trail Runner 2 Shoe", "detail": {"colors": [{"sizes": sizes}]}}}
    return f"<h1>Trail Runner 2 Shoe</h1><script>window.__INITIAL_STATE__ = {json.dumps(state)};</script>"


def test_a_state_listing_sizes_as_products_is_in_stock_when_one_size_is():
    rec = extract_product(_page(_sizes_state(["back_soon", "in_stock", "out_of_stock"])), "https://app.example.com/p/1")
    assert rec.availability == "InStock"


def test_a_state_whose_sizes_are_all_sold_out_is_out_of_stock():
    rec = extract_product(_page(_sizes_state(["out_of_stock", "out_of_stock"])), "https://app.example.com/p/1")
    assert rec.availability == "OutOfStock"
