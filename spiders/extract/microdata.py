"""Microdata and RDFa (Lite) items of a parsed page, in the JSON-LD shape the product reader takes.

Both vocabularies mark up the visible page: an element opens an item (`itemscope` + `itemtype`,
or `typeof` in RDFa) and its descendants name properties (`itemprop`, or RDFa `property`) whose
values are a `content` attribute, a link, a date or the element's text. Items become plain dicts
({"@type": "Product", "name": ..., "offers": {...}}), nested items nested dicts, so one reader
serves JSON-LD, microdata and RDFa alike.

Own readers rather than extruct's: extruct's microdata needs lxml.html elements (whose per-element
class lookup slows every other pass over the tree) and its RDFa goes through a full RDF library,
which costs more per page than the whole extractor may spend. Only what product pages use is
read: itemref and RDFa prefixes/vocab chaining beyond stripping them are not followed.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from spiders.extract.xpath import elements

_MICRODATA_NODES = etree.XPath("//*[@itemscope or @itemprop]")
_RDFA_NODES = etree.XPath("//*[@typeof or @property]")
_URL_ATTR = {
    "a": "href",
    "area": "href",
    "link": "href",
    "img": "src",
    "audio": "src",
    "video": "src",
    "source": "src",
    "embed": "src",
    "iframe": "src",
    "track": "src",
    "object": "data",
}
_NO_TEXT = {"script", "style", "noscript", "template"}
# GoodRelations (the RDFa shop vocabulary before schema.org) in schema.org words.
_SYNONYMS = {
    "hasCurrencyValue": "price",
    "hasCurrency": "priceCurrency",
    "hasPriceSpecification": "priceSpecification",
    "hasStockKeepingUnit": "sku",
    "hasMPN": "mpn",
    "hasBrand": "brand",
    "hasEAN_UCC-13": "gtin13",
    "Offering": "Offer",
    "ProductOrService": "Product",
    "ProductOrServiceModel": "ProductModel",
    "UnitPriceSpecification": "PriceSpecification",
}


def microdata_items(doc: etree._Element) -> list[dict[str, Any]]:
    """Top-level microdata items of the page (items that are no other item's property)."""
    return _read(doc, _MICRODATA_NODES, "itemscope", "itemtype", "itemprop")


def rdfa_items(doc: etree._Element) -> list[dict[str, Any]]:
    """Top-level RDFa items (elements with `typeof`) of the page; prefixes like "schema:" are dropped."""
    return _read(doc, _RDFA_NODES, "typeof", "typeof", "property")


def _read(doc: etree._Element, find: etree.XPath, scope_attr: str, type_attr: str, prop_attr: str) -> list:
    try:
        nodes = elements(find(doc))
    except (etree.XPathError, ValueError):
        return []
    if not nodes:
        return []
    scopes: dict[etree._Element, dict[str, Any]] = {}
    tops: list[dict[str, Any]] = []
    for el in nodes:  # document order: an item's element comes before its properties
        item: dict[str, Any] | None = None
        if el.get(scope_attr) is not None:
            item = {}
            types = [_local(t) for t in (el.get(type_attr) or "").split()]
            if types:
                item["@type"] = types[0] if len(types) == 1 else types
            scopes[el] = item
        names = [_local(n) for n in (el.get(prop_attr) or "").split()]
        owner = _owner(el, scopes) if names else None
        if owner is None:
            if item is not None:
                tops.append(item)
            continue
        value: Any = item if item is not None else _value(el)
        for name in names:
            if not name:
                continue
            if name in owner:
                previous = owner[name]
                owner[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                owner[name] = value
    return tops


def _owner(el: etree._Element, scopes: dict[etree._Element, dict[str, Any]]) -> dict[str, Any] | None:
    node = el.getparent()
    while node is not None:
        found = scopes.get(node)
        if found is not None:
            return found
        node = node.getparent()
    return None


def _local(name: str) -> str:
    """ "http://schema.org/Product", "schema:price", "gr:hasCurrencyValue" -> the bare term."""
    local = name.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(":", 1)[-1]
    return _SYNONYMS.get(local, local)


def _value(el: etree._Element) -> str:
    content = el.get("content")
    if content is not None:
        return content.strip()
    tag = el.tag if isinstance(el.tag, str) else ""
    attr = _URL_ATTR.get(tag)
    if attr:
        return (el.get(attr) or el.get("resource") or "").strip()
    if tag in ("data", "meter") and el.get("value") is not None:
        return (el.get("value") or "").strip()
    if tag == "time" and el.get("datetime"):
        return (el.get("datetime") or "").strip()
    if el.get("resource") is not None or el.get("href") is not None:
        return (el.get("resource") or el.get("href") or "").strip()
    parts = [el.text or ""]
    for child in el.iterchildren():
        if isinstance(child.tag, str) and child.tag not in _NO_TEXT:
            parts.append(_value_text(child))
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split())


def _value_text(el: etree._Element) -> str:
    parts = [el.text or ""]
    for child in el.iterchildren():
        if isinstance(child.tag, str) and child.tag not in _NO_TEXT:
            parts.append(_value_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
