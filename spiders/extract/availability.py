"""Stock state in schema.org terms, from structured values and from visible text in many languages.

Structured data says "http://schema.org/InStock", "instock", "in_stock", true, "NOT SOLD"...;
pages say "Add to cart", "加入购物车", "nicht auf Lager", "Only 3 left", "缺货" (read by
`stock_text`). Both are mapped to InStock, OutOfStock, PreOrder, BackOrder or Discontinued.
"""

from __future__ import annotations

import re

from spiders.extract.stock_text import stock_term

TERMS = ("InStock", "OutOfStock", "PreOrder", "BackOrder", "Discontinued")

_STRUCTURED = {
    "instock": "InStock",
    "in_stock": "InStock",
    "in stock": "InStock",
    "available": "InStock",
    "limitedavailability": "InStock",
    "onlineonly": "InStock",
    "instoreonly": "InStock",
    "true": "InStock",
    "yes": "InStock",
    "1": "InStock",
    "outofstock": "OutOfStock",
    "out_of_stock": "OutOfStock",
    "out of stock": "OutOfStock",
    "soldout": "OutOfStock",
    "sold_out": "OutOfStock",
    "sold out": "OutOfStock",
    "unavailable": "OutOfStock",
    "not available": "OutOfStock",
    "false": "OutOfStock",
    "no": "OutOfStock",
    "0": "OutOfStock",
    "oos": "OutOfStock",
    "preorder": "PreOrder",
    "pre_order": "PreOrder",
    "presale": "PreOrder",
    "pre-order": "PreOrder",
    "backorder": "BackOrder",
    "back_order": "BackOrder",
    "discontinued": "Discontinued",
    "reserved": "OutOfStock",  # schema.org: reserved, "therefore not available"
    "notsold": "InStock",
    "not sold": "InStock",
}

# "http://schema.org/", "https://www.schema.org/", "//schema.org/", a bare "schema.org/", "schema:".
_SCHEMA_PREFIX = re.compile(r"^(?:(?:https?:)?(?://)?(?:www\.)?schema\.org/|schema:)", re.IGNORECASE)


def normalize_availability(value: object) -> str | None:
    """schema.org term for a structured availability value (URL, token, boolean), or None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "InStock" if value else "OutOfStock"
    if isinstance(value, list):
        terms = [normalize_availability(v) for v in value]
        return next((t for t in terms if t), None)
    text = str(value).strip()
    if not text:
        return None
    token = _SCHEMA_PREFIX.sub("", text).strip().lower()
    if token in _STRUCTURED:
        return _STRUCTURED[token]
    for term in TERMS:
        if token.replace(" ", "").replace("_", "") == term.lower():
            return term
    return availability_from_text(text)


def availability_from_text(text: str | None) -> str | None:
    """schema.org term stated by a short visible text ("Sold out", "In den Warenkorb", "0 in stock"),
    or None; see `stock_text` for negations, counts and the phrase tables."""
    return stock_term(text)
