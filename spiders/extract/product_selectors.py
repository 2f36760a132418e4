"""Configured selectors of a watch (CSS by default, XPath with "/", "(" or "xpath:", "css:" allowed).

A watch's own selectors are the user's word: their values win over everything the page offers for
that field. A selector that matches nothing proposes nothing, so the other signals still apply.
"""

from __future__ import annotations

from collections.abc import Mapping

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from spiders.extract.availability import availability_from_text, normalize_availability
from spiders.extract.price import parse_price
from spiders.extract.product_candidates import FIELDS, Candidates
from spiders.extract.xpath import nodes, texts


class SelectorSyntaxError(ValueError):
    """A configured selector is neither valid CSS nor valid XPath."""


def compile_selector(selector: str) -> etree.XPath:
    """An lxml XPath for a configured selector string; raises SelectorSyntaxError with the reason."""
    sel = selector.strip()
    try:
        if sel.startswith("xpath:"):
            return etree.XPath(sel[len("xpath:") :].strip())
        if sel.startswith(("/", "(")):
            return etree.XPath(sel)
        if sel.startswith("css:"):
            sel = sel[len("css:") :].strip()
        return CSSSelector(sel, translator="html")
    except (etree.XPathSyntaxError, SelectorError) as exc:
        raise SelectorSyntaxError(f"invalid selector {selector!r}: {exc}") from exc


def select_text(doc: etree._Element, selector: str) -> str | None:
    """Text of the first match of a selector: element text, attribute value, or XPath string result."""
    result = compile_selector(selector)(doc)
    if isinstance(result, str | bytes):
        return str(result).strip() or None
    if isinstance(result, bool | float):
        return str(result)
    for item in nodes(result):
        if isinstance(item, str):
            text = item.strip()
        elif item.tag == "meta" or (item.get("content") and not "".join(texts(item)).strip()):
            text = (item.get("content") or "").strip()
        elif item.tag == "input":
            text = (item.get("value") or "").strip()
        else:
            text = " ".join(" ".join(texts(item)).split())
        if text:
            return text
    return None


def add_selectors(cands: Candidates, doc: etree._Element, selectors: Mapping[str, str]) -> None:
    """Candidates from configured selectors; invalid selectors raise SelectorSyntaxError."""
    for field_name, selector in selectors.items():
        if field_name not in FIELDS or not selector:
            continue
        text = select_text(doc, selector)
        if text is None:
            continue
        detail = f"selector {selector!r}"
        if field_name == "price":
            parsed = parse_price(text)
            cands.add("price", parsed.amount, "selector", detail=detail, currency=parsed.currency)
            cands.add("currency", parsed.currency, "selector", bonus=-1.0, detail=detail)
        elif field_name == "availability":
            term = normalize_availability(text) or availability_from_text(text)
            cands.add("availability", term, "selector", detail=f"{detail}: {text[:40]!r}")
        else:
            cands.add(field_name, text, "selector", detail=detail)
