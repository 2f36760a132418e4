"""The page's own product from its structured data (JSON-LD, microdata, meta tags) as candidates.

A page often describes several products: the one it sells, its variants (ProductGroup/hasVariant,
or one Product per size), and related products in carousels. The main product is the one that
matches the page (its title, URL) and has offers; products with the same name are its variants
and pool their offers. Prices of several offers resolve to the lowest in-stock one, which is
the price a buyer is shown first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from spiders.extract.availability import availability_from_text, normalize_availability
from spiders.extract.price import parse_amount, parse_price
from spiders.extract.product_candidates import Candidates
from spiders.extract.product_similarity import similarity
from spiders.extract.structured import canonical_keys, text_of, types_of, walk_nodes

_PRODUCT_TYPES = {
    "Product",
    "ProductGroup",
    "IndividualProduct",
    "ProductModel",
    "SomeProducts",
    "Vehicle",
    "Car",
    "Book",
    "Offer",
}
# Keys under which a Product is somebody else's product, not the page's.
_RELATED_KEYS = {
    "isRelatedTo",
    "isSimilarTo",
    "isAccessoryOrSparePartFor",
    "isConsumableFor",
    "itemListElement",
    "hasVariant",
    "isVariantOf",
    "itemOffered",
    "mentions",
    "subjectOf",
}


@dataclass
class Offer:
    price: Decimal | None
    currency: str | None
    availability: str | None
    sku: str | None = None


@dataclass
class StructuredProduct:
    """One product node read from structured data, with the offers of it and its variants."""

    name: str | None
    sku: str | None
    brand: str | None
    url: str | None
    offers: list[Offer] = field(default_factory=list)
    order: int = 0


def read_products(blocks: list[Any]) -> list[StructuredProduct]:
    """Products (and bare offers) of JSON-LD-shaped data that are not somebody else's related items."""
    products: list[StructuredProduct] = []
    for block in blocks:
        for node, key in walk_nodes(canonical_keys(block)):
            types = types_of(node)
            if not types and key == "" and isinstance(node.get("offers"), dict | list):
                types = {"Product"}  # an untyped top-level block with offers describes the page's product
            if not types & _PRODUCT_TYPES or key in _RELATED_KEYS:
                continue
            if "Offer" in types and not types & (_PRODUCT_TYPES - {"Offer"}):
                if key in ("offers", "makesOffer"):
                    continue
                products.append(
                    StructuredProduct(None, _sku_of(node), None, None, _offers_of(node), len(products))
                )
                continue
            offers = _offers_of(node.get("offers"))
            for variant in _as_list(node.get("hasVariant")):
                if isinstance(variant, dict):
                    offers.extend(_offers_of(variant.get("offers")))
            products.append(
                StructuredProduct(
                    name=text_of(node.get("name")),
                    sku=_sku_of(node),
                    brand=text_of(node.get("brand") or node.get("manufacturer")),
                    url=text_of(node.get("url") or node.get("@id")),
                    offers=offers,
                    order=len(products),
                )
            )
    return products


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _sku_of(node: dict[str, Any]) -> str | None:
    for key in ("sku", "productID", "productId"):
        text = text_of(node.get(key))
        if text:
            text = re.sub(r"^(?:sku|isbn|ean|gtin\d*|mpn)\s*:\s*", "", text, flags=re.IGNORECASE)
            first = text.split()[0] if text else ""
            if " " in text and re.search(r"\d", first):
                text = first  # "TE502955-1293415 Housse de canapé": the code, not the words after it
            return text or None
    return None


def _offers_of(value: Any) -> list[Offer]:
    offers: list[Offer] = []
    for node in _as_list(value):
        if not isinstance(node, dict):
            continue
        nested = node.get("offers")
        if isinstance(nested, dict | list) and "Product" not in types_of(node):
            offers.extend(_offers_of(nested))
        price, currency = _price_of(node)
        availability = normalize_availability(_availability_text(node.get("availability")))
        if price is not None or availability is not None:
            offers.append(Offer(price, currency, availability, _sku_of(node)))
    return offers


def _availability_text(value: Any) -> str | None:
    """An offer's availability as text; JSON-LD may write the term as a node ({"@id": "schema:InStock"})."""
    if isinstance(value, dict) and not text_of(value):
        value = value.get("@id")
    return text_of(value)


def _price_of(node: dict[str, Any]) -> tuple[Decimal | None, str | None]:
    currency = text_of(node.get("priceCurrency") or node.get("currency"))
    for key in ("price", "lowPrice", "@value"):
        raw = node.get(key)
        if raw is None or raw == "":
            continue
        if isinstance(raw, dict) and not ("value" in raw or "amount" in raw or "decimalPrice" in raw):
            # Nested structures such as {"sales": {"value": ...}}: take their first amount.
            for sub in raw.values():
                if isinstance(sub, dict):
                    amount = parse_amount(sub)
                    if amount is not None:
                        return amount, currency or text_of(sub.get("currency"))
            continue
        amount = parse_amount(raw)
        if amount is None and isinstance(raw, str):
            amount = parse_price(raw).amount
        if amount is not None:
            if currency is None and isinstance(raw, str):
                currency = parse_price(raw).currency
            return amount, currency
    for spec in _as_list(node.get("priceSpecification")):
        if isinstance(spec, dict):
            amount, spec_currency = _price_of(spec)
            if amount is not None:
                return amount, currency or spec_currency
    return None, currency


def main_product(
    products: list[StructuredProduct], page_url: str, title: str | None
) -> list[StructuredProduct]:
    """The page's product and its same-name variants, best first; [] when nothing qualifies."""
    if not products:
        return []
    page_path = urlsplit(page_url).path.rstrip("/")

    def score(p: StructuredProduct) -> float:
        s = 0.0
        if any(o.price is not None for o in p.offers):
            s += 2.0
        elif p.offers:
            s += 0.5
        s += 2.0 * similarity(p.name, title)
        if p.url and page_path and urlsplit(p.url).path.rstrip("/") == page_path:
            s += 1.0
        if p.sku and page_url and p.sku.lower() in page_url.lower():
            s += 1.0
        return s - 0.01 * p.order

    ranked = sorted(products, key=score, reverse=True)
    best = ranked[0]
    if best.name:
        variants = [p for p in ranked[1:] if p.name and p.name == best.name]
        return [best, *variants]
    return [best]


def add_structured(cands: Candidates, products: list[StructuredProduct], source: str) -> None:
    """Candidates from the main product and its variants read from one structured source."""
    if not products:
        return
    main = products[0]
    offers = [o for p in products for o in p.offers]
    cands.add("name", main.name, source)
    cands.add("brand", main.brand, source)
    cands.add("sku", main.sku, source)
    availabilities = [o.availability for o in offers if o.availability]
    if availabilities:
        # A product is in stock when any of its offers or variants is.
        term = "InStock" if "InStock" in availabilities else availabilities[0]
        cands.add("availability", term, source, detail=f"{len(availabilities)} offer(s)")
    priced = [o for o in offers if o.price is not None]
    if priced:
        in_stock = [o for o in priced if o.availability in (None, "InStock")] or priced
        chosen = min(in_stock, key=lambda o: o.price)  # type: ignore[arg-type, return-value]
        distinct = len({o.price for o in priced})
        detail = "offer price" if distinct == 1 else f"lowest of {distinct} offer prices"
        cands.add("price", chosen.price, source, detail=detail, currency=chosen.currency)
        cands.add("currency", chosen.currency, source)


# Twitter product cards label their facts: twitter:label1 "Price" with twitter:data1 "$60.00 USD",
# twitter:label2 "Availability" with twitter:data2 "In stock" (shop platforms' default meta tags).
_TWITTER_PRICE_LABEL = re.compile(
    r"^\s*(?:price|preis|prix|precio|preço|prezzo|prijs|pris|cena|цена|hinta|fiyat|価格|价格|價格|가격)\s*:?\s*$",
    re.I,
)
_TWITTER_STOCK_LABEL = re.compile(
    r"^\s*(?:availability|stock|in stock|verfügbarkeit|disponibilité|disponibilidad|disponibilità|"
    r"beschikbaarheid|dostępność|наличие)\s*:?\s*$",
    re.I,
)
_TWITTER_PAIRS = 4  # the card format has two label/data pairs; a few themes write more


def _add_twitter_pairs(cands: Candidates, meta: dict[str, list[str]]) -> None:
    """Price and availability from the twitter:labelN / twitter:dataN meta pairs."""
    for n in range(1, _TWITTER_PAIRS + 1):
        label, data = meta.get(f"twitter:label{n}"), meta.get(f"twitter:data{n}")
        if not label or not data or not data[0]:
            continue
        if _TWITTER_PRICE_LABEL.match(label[0]):
            parsed = parse_price(data[0])
            if parsed.amount:
                detail = "twitter:label/data meta pair"
                cands.add("price", parsed.amount, "meta", detail=detail, currency=parsed.currency)
                cands.add("currency", parsed.currency, "meta")
        elif _TWITTER_STOCK_LABEL.match(label[0]):
            cands.add(
                "availability", availability_from_text(data[0]), "meta", detail="twitter:label/data meta pair"
            )


def add_meta(cands: Candidates, meta: dict[str, list[str]]) -> None:
    """Candidates from OpenGraph / product meta tags (og:price:amount, product:sale_price:amount...)."""

    def first(*keys: str) -> str | None:
        for key in keys:
            values = meta.get(key)
            if values and values[0]:
                return values[0]
        return None

    amount_text = first("product:sale_price:amount", "og:price:amount", "product:price:amount", "og:price")
    if amount_text:
        currency = first("product:sale_price:currency", "og:price:currency", "product:price:currency")
        amount = parse_amount(amount_text)
        if currency is None:
            currency = parse_price(amount_text).currency
        cands.add("price", amount, "opengraph", detail="price meta tag", currency=currency)
        cands.add("currency", currency, "opengraph")
    cands.add(
        "availability",
        normalize_availability(first("product:availability", "og:availability", "availability")),
        "opengraph",
    )
    _add_twitter_pairs(cands, meta)
    cands.add("brand", first("product:brand", "og:brand"), "opengraph")
    cands.add("sku", first("product:retailer_item_id", "product:sku"), "opengraph")
    cands.add("name", first("og:title", "twitter:title"), "opengraph", bonus=-3.0)
