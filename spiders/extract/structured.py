"""Structured data of a parsed page: JSON-LD blocks, meta tags, and walking JSON-LD-like trees.

JSON-LD is parsed here rather than through extruct because real pages break it in many small ways
(HTML comments, trailing commas, raw newlines, several objects in one script) and one bad block
must not hide the others. Microdata and RDFa are read by spiders.extract.microdata into the same
JSON-LD shape, so one product reader serves all three.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
# /* ... */ wrappers and // comment lines around the JSON (CDATA guards, commented-out fields)
_JS_COMMENT = re.compile(r"/\*.*?\*/|^\s*//[^\n]*$", re.S | re.M)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def json_ld_blocks(doc: etree._Element) -> list[Any]:
    """Every JSON-LD script of the page, parsed; blocks that stay unreadable after repair are skipped."""
    blocks: list[Any] = []
    for script in doc.iter("script"):
        kind = (script.get("type") or "").lower()
        if "ld+json" not in kind:
            continue
        text = script.text or ""
        data = loads_lenient(text)
        if data is not None:
            blocks.append(data)
    return blocks


def loads_lenient(text: str) -> Any:
    """json.loads with the repairs real pages need; None when the text still is not JSON."""
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except RecursionError:
        return None  # nested deeper than any real page (a hostile block): skipped, the others still read
    except ValueError:
        pass
    fixed = _JS_COMMENT.sub("", text)
    fixed = fixed.replace("<!--", "").replace("-->", "").replace("<![CDATA[", "").replace("]]>", "")
    fixed = _CONTROL.sub(" ", fixed.strip().rstrip(";"))
    fixed = _TRAILING_COMMA.sub(r"\1", fixed)
    for candidate in (
        fixed,
        fixed.replace("\n", " ").replace("\r", " "),
        "[" + re.sub(r"}\s*{", "},{", fixed) + "]",
    ):
        try:
            return json.loads(candidate, strict=False)
        except RecursionError:
            return None
        except ValueError:
            continue
    return None


def meta_tags(doc: etree._Element) -> dict[str, list[str]]:
    """Every <meta> content by lower-cased property/name/itemprop (og:*, product:*, twitter:*, price...)."""
    tags: dict[str, list[str]] = {}
    for meta in doc.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop"):
            key = meta.get(attr)
            if key:
                tags.setdefault(key.strip().lower(), []).append(content.strip())
    return tags


# schema.org names as schema.org spells them, by lower case: pages write "Offers", "PRICE",
# "pricecurrency", "@Type" or "product", and a reader that compares case-sensitively sees nothing.
_KEYS = {
    k.lower(): k
    for k in (
        "@type @id @graph @context @value name offers price priceCurrency lowPrice highPrice "
        "availability sku mpn gtin gtin8 gtin12 gtin13 gtin14 productID productId brand "
        "manufacturer url image description priceSpecification itemOffered hasVariant isVariantOf "
        "itemListElement isRelatedTo isSimilarTo isAccessoryOrSparePartFor isConsumableFor "
        "mentions subjectOf makesOffer seller offerCount aggregateRating value currency "
        "priceValidUntil itemCondition"
    ).split()
}
_TYPES = {
    t.lower(): t
    for t in (
        "Product ProductGroup IndividualProduct ProductModel SomeProducts Vehicle Car Book Offer "
        "AggregateOffer PriceSpecification UnitPriceSpecification Brand Organization ItemList "
        "ListItem BreadcrumbList WebPage"
    ).split()
}


def canonical_keys(data: Any, depth: int = 0) -> Any:
    """The same JSON-LD-like tree with schema.org keys in schema.org's spelling (see `_KEYS`);
    unknown keys are kept as written. A key already spelled right wins over a variant of it."""
    if depth > 40:
        return data
    if isinstance(data, list):
        return [canonical_keys(v, depth + 1) for v in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = _KEYS.get(key.lower(), key) if isinstance(key, str) else key
        if name in out and name == key:
            pass  # the exact spelling replaces a variant seen first
        elif name in out:
            continue
        out[name] = canonical_keys(value, depth + 1)
    return out


def types_of(node: dict[str, Any]) -> set[str]:
    """The schema.org type names of a node, without vocabulary prefixes, in schema.org's case."""
    raw = node.get("@type") or node.get("type") or []
    raw = raw if isinstance(raw, list) else [raw]
    names = (str(t).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for t in raw if t)
    return {_TYPES.get(n.lower(), n) for n in names}


def walk_nodes(data: Any, parent_key: str = "") -> Iterator[tuple[dict[str, Any], str]]:
    """Every dict of a JSON-LD tree with the key it hangs under (to tell related products apart)."""
    stack: list[tuple[Any, str]] = [(data, parent_key)]
    while stack:
        node, key = stack.pop()
        if isinstance(node, dict):
            yield node, key
            for k, v in reversed(list(node.items())):
                if isinstance(v, dict | list):
                    stack.append((v, k))
        elif isinstance(node, list):
            for v in reversed(node):
                stack.append((v, key))


# Where a JSON-LD object keeps its text: a thing's name first (a brand, a seller), or its value
# first (an identifier or an amount: {"@type": "PropertyValue", "name": "GTIN", "value": "..."}).
NAME_FIRST = ("name", "@value", "value")
VALUE_FIRST = ("@value", "value", "name")


def text_of(value: Any, keys: tuple[str, ...] = NAME_FIRST) -> str | None:
    """A plain string from a JSON-LD value (string, number, an object's text under `keys`, or the
    first of a list that has one)."""
    if isinstance(value, list):
        for item in value:
            text = text_of(item, keys)
            if text:
                return text
        return None
    if isinstance(value, dict):
        return text_of(next((value[k] for k in keys if value.get(k)), None), keys)
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None
