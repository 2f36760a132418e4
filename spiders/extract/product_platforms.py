"""Product data that shop platforms embed in the page for their own scripts, as candidates.

Many shops render no schema.org markup but ship the product to the browser as JSON: Shopify
(`var meta = {...}` / `ShopifyAnalytics.meta`, `<script type="application/json" data-product-json>`),
WooCommerce (`data-product_variations` on the variations form), Magento (`data-price-amount` in the
`data-role="priceBox"` block, `priceConfig` / `jsonConfig` in `text/x-magento-init` scripts),
BigCommerce (`var BCData = {...}`), app state blobs (`window.__INITIAL_STATE__`, `__NEXT_DATA__`,
`__NUXT__`, `__PRELOADED_STATE__`) and analytics calls (Facebook pixel `ViewContent`, gtag
`view_item`, dataLayer `ecommerce.detail`). Any of them proposes candidates with source
"shop-json"; a blob's product must match the page (its title or an id in the URL) so that
recommendations carried by the same state are not taken for it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lxml import etree

from spiders.extract.availability import normalize_availability
from spiders.extract.price import parse_amount
from spiders.extract.product_candidates import Candidates
from spiders.extract.product_similarity import similarity
from spiders.extract.structured import loads_lenient
from spiders.extract.xpath import elements, strings

MAX_BLOB_CHARS = 3_000_000  # larger state blobs are skipped: the page still has other signals
_MAX_NODES = 40_000  # dicts visited per blob, so a giant state cannot stall a crawl
_DECODER = json.JSONDecoder(strict=False)

# Where JSON state starts in inline scripts, by the literal that must occur first (a cheap `in` test
# on the script text), then the pattern whose end is the opening brace or bracket.
# Every pattern starts with a literal, which Python's re finds with a fast substring search: a
# pattern starting with an optional or alternative part is tried at every position of the script.
_STATE_STARTS = (
    ("__", re.compile(r"__([A-Z][A-Z_]*)__\s*=\s*(?=[{\[])")),
    ("BCData", re.compile(r"BCData\s*=\s*(?=\{)")),
    ("meta", re.compile(r"meta\s*=\s*(?=\{)")),
    ("jsonConfig", re.compile(r"jsonConfig[\"']?\s*[:=]\s*(?=\{)")),
    ("spConfig", re.compile(r"spConfig[\"']?\s*[:=]\s*(?=\{)")),
    ("priceConfig", re.compile(r"priceConfig[\"']?\s*[:=]\s*(?=\{)")),
    ("dataLayer", re.compile(r"dataLayer(?:\.push\(\s*|\s*=\s*)(?=[{\[])")),
)
_FBQ = re.compile(r"fbq\(\s*['\"]track['\"]\s*,\s*['\"]ViewContent['\"]\s*,\s*\{([^{}]{0,2000})\}")
_GTAG = re.compile(r"gtag\(\s*['\"]event['\"]\s*,\s*['\"]view_item['\"]\s*,\s*(?=\{)")
_JS_VALUE = re.compile(r"\bvalue\s*:\s*['\"]?(\d+(?:\.\d+)?)")
_JS_CURRENCY = re.compile(r"\bcurrency\s*:\s*['\"]([A-Za-z]{3})['\"]")

_PRICE_KEYS = (
    "salePrice",
    "sale_price",
    "finalPrice",
    "final_price",
    "currentPrice",
    "current_price",
    "display_price",
    "priceValue",
    "price",
    "price_amount",
    "lowPrice",
    "price_min",
    "amount",
)
_NAME_KEYS = ("name", "title", "productName", "product_name")
_SKU_KEYS = ("sku", "SKU", "productSku", "product_sku", "itemNumber")
_CURRENCY_KEYS = ("currency", "priceCurrency", "currencyCode", "currency_code")
_STOCK_KEYS = (
    "availability",
    "is_in_stock",
    "isInStock",
    "inStock",
    "in_stock",
    "instock",
    "available",
    "isAvailable",
    "stock_status",
    "stockStatus",
)
_VARIANT_KEYS = ("variants", "offers", "skus", "items", "products")
# A dict is read as a product only when it has one of these keys (most state dicts have none).
_TRIGGER_KEYS = frozenset(_PRICE_KEYS) | {"prices", "product_attributes", "variants", "offers", "skus"}


@dataclass
class BlobProduct:
    """A product read from embedded JSON: its fields, where it came from, how well it fits the page."""

    origin: str
    name: str | None
    price: Decimal | None
    currency: str | None
    availability: str | None
    sku: str | None
    fit: float
    cents: bool = False  # the platform states prices in cents (Shopify)


def add_platforms(
    cands: Candidates, doc: etree._Element, url: str, title: str | None, text: str | None = None
) -> None:
    """Candidates from the embedded shop JSON of the page (see the module docstring).

    `text` is the page's decoded source when the caller has it: markers absent from it let whole
    searches of the tree be skipped.
    """
    found: list[BlobProduct] = []
    for script in doc.iter("script"):
        text = script.text
        if not text or len(text) > MAX_BLOB_CHARS:
            continue
        kind = (script.get("type") or "").lower()
        if "ld+json" in kind:
            continue
        if "json" in kind or kind == "text/x-magento-init":
            data = loads_lenient(text)
            if data is not None:
                origin = _json_script_origin(script, kind)
                found.extend(_products_in(data, origin, url, title, cents=origin == "Shopify product JSON"))
            continue
        for name, data in _assignments(text):
            origin = "Shopify meta" if name == "meta" else name
            found.extend(_products_in(data, origin, url, title, cents=origin == "Shopify meta"))
        if "fbq(" in text or "gtag(" in text:
            found.extend(_analytics(text))
    if text is None or "data-product_variations" in text:
        found.extend(_woocommerce(doc, url, title))
    _add(cands, found)
    if text is None or "data-price-amount" in text:
        _add_magento_price_box(cands, doc)


def _json_script_origin(script: etree._Element, kind: str) -> str:
    ident = script.get("id") or ""
    if script.get("data-product-json") is not None or "productjson" in ident.lower().replace("-", ""):
        return "Shopify product JSON"
    if kind == "text/x-magento-init":
        return "Magento init JSON"
    return ident or "application/json script"


def _assignments(text: str) -> list[tuple[str, Any]]:
    """(name, parsed JSON) of every `name = {...}` state assignment the script makes."""
    out: list[tuple[str, Any]] = []
    for literal, pattern in _STATE_STARTS:
        if literal not in text:
            continue
        for match in pattern.finditer(text):
            name = match.group(1) if pattern.groups else literal
            if literal == "meta" and not text[max(0, match.start() - 20) : match.start()].rstrip().endswith(
                ("var", "ShopifyAnalytics.")
            ):
                continue  # some other object's "meta" property, not Shopify's page meta
            try:
                data, _ = _DECODER.raw_decode(text, match.end())
            except ValueError:
                continue  # JavaScript rather than JSON (functions, unquoted keys): nothing to read
            out.append((f"__{name}__" if literal == "__" else name, data))
    return out


def _analytics(text: str) -> list[BlobProduct]:
    out: list[BlobProduct] = []
    for match in _FBQ.finditer(text):
        body = match.group(1)
        value = _JS_VALUE.search(body)
        if value:
            currency = _JS_CURRENCY.search(body)
            out.append(
                BlobProduct(
                    "Facebook pixel ViewContent",
                    None,
                    parse_amount(value.group(1)),
                    currency.group(1).upper() if currency else None,
                    None,
                    None,
                    fit=0.0,
                )
            )
    for match in _GTAG.finditer(text):
        try:
            data, _ = _DECODER.raw_decode(text, match.end())
        except ValueError:
            continue
        if isinstance(data, dict):
            items = data.get("items")
            item = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
            amount = parse_amount(item.get("price")) if item else None
            if amount is None:
                amount = parse_amount(data.get("value"))
            currency = data.get("currency") or item.get("currency")
            out.append(
                BlobProduct(
                    "gtag view_item",
                    _text(item.get("item_name") or item.get("name")),
                    amount,
                    currency if isinstance(currency, str) else None,
                    None,
                    _text(item.get("item_id") or item.get("id")),
                    fit=0.0,
                )
            )
    return out


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        text = " ".join(value.split())
        return text or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _first(node: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = node.get(key)
        if value is not None and value != "":
            return value
    return None


def _amount(value: Any, depth: int = 0) -> tuple[Decimal | None, str | None]:
    """Amount (and currency) of a price value: 29.99, "29.99", {"value": ..}, {"without_tax": {..}}."""
    if isinstance(value, dict):
        currency = _text(_first(value, _CURRENCY_KEYS))
        amount = parse_amount(value)
        if amount is not None:
            return amount, currency
        if depth < 2:
            for sub in value.values():
                if isinstance(sub, dict):
                    amount, sub_currency = _amount(sub, depth + 1)
                    if amount is not None:
                        return amount, currency or sub_currency
        return None, currency
    if isinstance(value, list):
        return None, None
    return parse_amount(value), None


def _stock(node: dict[str, Any]) -> str | None:
    for key in _STOCK_KEYS:
        if key in node:
            value = node[key]
            if isinstance(value, dict | list):
                continue
            return normalize_availability(value)
    return None


def _products_in(
    data: Any, origin: str, url: str, title: str | None, cents: bool = False
) -> list[BlobProduct]:
    """Product-like dicts of a JSON state: a name or title plus a price, or variants with prices."""
    out: list[BlobProduct] = []
    stack: list[Any] = [data]
    seen = 0
    url_low = url.lower()
    while stack and seen < _MAX_NODES:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node[:500]))
            continue
        if not isinstance(node, dict):
            continue
        seen += 1
        if not _TRIGGER_KEYS.isdisjoint(node.keys()):
            product = _read_node(node, origin, url_low, title, cents)
            if product is not None:
                out.append(product)
        for value in node.values():
            if isinstance(value, dict | list):
                stack.append(value)
    return out


def _read_node(
    node: dict[str, Any], origin: str, url_low: str, title: str | None, cents: bool
) -> BlobProduct | None:
    name = _text(_first(node, _NAME_KEYS))
    sku = _text(_first(node, _SKU_KEYS))
    price, currency = _amount(_first(node, _PRICE_KEYS))
    availability = _stock(node)
    variants = [v for k in _VARIANT_KEYS for v in _as_list(node.get(k)) if isinstance(v, dict)]
    fit = 0.0
    prices = node.get("prices")
    if price is None and isinstance(prices, dict) and "finalPrice" in prices:
        # Magento's spConfig / priceConfig: the configurable product of the add-to-cart form.
        price, currency = _amount(prices["finalPrice"])
        fit = 1.0 if price is not None else 0.0
    if isinstance(node.get("product_attributes"), dict):
        return _bigcommerce(node["product_attributes"], origin)
    if name is None and variants:
        name = _text(_first(variants[0], _NAME_KEYS))  # Shopify meta: variants carry "Title - Size"
    if variants and (price is None or availability is None):
        offered = []
        for variant in variants[:200]:
            v_price, v_currency = _amount(_first(variant, _PRICE_KEYS))
            offered.append((v_price, v_currency, _stock(variant), _text(_first(variant, _SKU_KEYS))))
        priced = [o for o in offered if o[0] is not None]
        stocked = [o[2] for o in offered if o[2]]
        if availability is None and stocked:
            availability = "InStock" if "InStock" in stocked else stocked[0]
        if price is None and priced:
            pool = [o for o in priced if o[2] in (None, "InStock")] or priced
            best = min(pool, key=lambda o: o[0])  # type: ignore[arg-type, return-value]
            price, currency = best[0], currency or best[1]
            sku = sku or (best[3] if len(priced) == 1 else None)
    if price is None or (name is None and sku is None and fit == 0.0):
        return None
    currency = currency or _text(_first(node, _CURRENCY_KEYS))
    fit = max(fit, similarity(name, title) if name else 0.0)
    ident = _text(node.get("id") or node.get("productId") or node.get("product_id"))
    if (sku and len(sku) >= 4 and sku.lower() in url_low) or (ident and len(ident) >= 4 and ident in url_low):
        fit = max(fit, 0.8)
    if fit < 0.5:
        return None  # some other product carried by the same state (recommendations, recently viewed)
    return BlobProduct(origin, name, price, currency, availability, sku, fit, cents)


def _bigcommerce(attrs: dict[str, Any], origin: str) -> BlobProduct | None:
    """BigCommerce's BCData.product_attributes: the page's product, price under price.without_tax."""
    price, currency = _amount(attrs.get("price"))
    if price is None:
        return None
    availability = None
    if "instock" in attrs:
        availability = normalize_availability(attrs.get("instock"))
    elif attrs.get("purchasable") is not None:
        availability = normalize_availability(attrs.get("purchasable"))
    return BlobProduct(origin, None, price, currency, availability, _text(attrs.get("sku")), fit=1.0)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _woocommerce(doc: etree._Element, url: str, title: str | None) -> list[BlobProduct]:
    """WooCommerce variable products: the variations form's data-product_variations JSON."""
    out: list[BlobProduct] = []
    for form in doc.iter("form"):
        raw = form.get("data-product_variations")
        if not raw or raw == "false":
            continue
        data = loads_lenient(raw)
        if not isinstance(data, list):
            continue
        offered = []
        for variation in data[:200]:
            if not isinstance(variation, dict):
                continue
            amount = parse_amount(variation.get("display_price"))
            stock = normalize_availability(variation.get("is_in_stock"))
            offered.append((amount, stock, _text(variation.get("sku"))))
        priced = [o for o in offered if o[0] is not None]
        if not priced:
            continue
        pool = [o for o in priced if o[1] in (None, "InStock")] or priced
        best = min(pool, key=lambda o: o[0])  # type: ignore[arg-type, return-value]
        stocks = [o[1] for o in offered if o[1]]
        availability = ("InStock" if "InStock" in stocks else stocks[0]) if stocks else None
        out.append(BlobProduct("WooCommerce variations", None, best[0], None, availability, None, fit=1.0))
    return out


def _add(cands: Candidates, found: list[BlobProduct]) -> None:
    if not found:
        return
    visible = cands.visible_prices
    # The best fitting product of the page's state blobs; analytics calls (fit 0) only when alone.
    found.sort(key=lambda p: -p.fit)
    best = found[0]
    bonus = 0.0 if best.fit > 0 else -2.5
    detail = best.origin + ("" if best.fit > 0 else " (analytics call)")
    price = best.price
    if price is not None and price == price.to_integral_value():
        shown_as_cents = visible and (price / 100) in visible and price not in visible
        if (best.cents and not (visible and price in visible)) or shown_as_cents:
            price = price / 100  # Shopify's JSON (and some others) count in cents
            detail += ", amount in cents"
    cands.add("price", price, "shop-json", bonus=bonus, detail=detail, currency=best.currency)
    cands.add("currency", best.currency, "shop-json", bonus=bonus, detail=detail)
    cands.add("availability", _variants_stock(best, found), "shop-json", bonus=bonus, detail=detail)
    cands.add("sku", best.sku, "shop-json", bonus=bonus - 0.5, detail=detail)
    cands.add("name", best.name, "shop-json", bonus=bonus - 1.0, detail=detail)


def _variants_stock(best: BlobProduct, found: list[BlobProduct]) -> str | None:
    """The stock of the best fitting product, whose variants (sizes, colours) a state may list as
    products of the same name: it can be bought when any of them can, as with variants inside one
    product (a first size that is sold out says nothing of size 36)."""
    if best.availability == "InStock" or best.fit <= 0 or not best.name:
        return best.availability
    variants = [p.availability for p in found if p.fit == best.fit and p.name == best.name and p.availability]
    return "InStock" if "InStock" in variants else best.availability


_PRICE_BOX = etree.XPath("//*[@data-role='priceBox']//*[@data-price-amount]")
_ADD_TO_CART_PRODUCT = etree.XPath("//form[contains(@id, 'addtocart')]//input[@name='product']/@value")


def _add_magento_price_box(cands: Candidates, doc: etree._Element) -> None:
    """Magento's price box: `data-price-amount` of the final price of the form's product."""
    boxes = elements(_PRICE_BOX(doc))
    if not boxes:
        return
    form_ids = strings(_ADD_TO_CART_PRODUCT(doc))
    form_id = str(form_ids[0]) if form_ids else None
    chosen = None
    for el in boxes:
        kind = el.get("data-price-type") or ""
        if kind not in ("finalPrice", "minPrice", ""):
            continue
        box = el
        while box is not None and box.get("data-role") != "priceBox":
            box = box.getparent()
        box_id = None if box is None else (box.get("data-product-id") or "")
        if form_id and box_id and box_id != form_id:
            continue  # a related product's box
        chosen = el
        break
    if chosen is None:
        return
    amount = parse_amount(chosen.get("data-price-amount"))
    cands.add("price", amount, "shop-json", detail="Magento priceBox data-price-amount")
