"""The product extractor: page bytes + URL -> ProductRecord (name, price, currency, stock, SKU, brand).

Pure: no network, no Scrapy. Every signal of the page proposes candidates (configured selectors,
JSON-LD, microdata, OpenGraph/product meta tags, visible-page heuristics); per field the best
candidate wins (see product_candidates). Pages that cannot be read (non-HTML, empty, undecodable)
give a record of nulls with a reason instead of an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from spiders.extract.currency import currency_of_country, iso_options, to_iso
from spiders.extract.microdata import microdata_items, rdfa_items
from spiders.extract.product_candidates import FIELDS, Candidates
from spiders.extract.product_dom import TEST_ATTRS_IN_SOURCE, page_title
from spiders.extract.product_explain import why_won
from spiders.extract.product_heuristics import add_heuristics
from spiders.extract.product_identifiers import PageIdentifiers, read_identifiers
from spiders.extract.product_page import MAX_BODY_BYTES, Page, PageError, parse_page
from spiders.extract.product_platforms import add_platforms
from spiders.extract.product_selectors import SelectorSyntaxError, add_selectors
from spiders.extract.product_sku import prefer_shown_sku, sku_from_url
from spiders.extract.product_structured import add_meta, add_structured, main_product, read_products
from spiders.extract.product_tuning import DEFAULT_TUNING, ProductTuning
from spiders.extract.structured import json_ld_blocks, meta_tags

__all__ = ["MAX_BODY_BYTES", "ProductRecord", "SelectorSyntaxError", "extract_product"]


@dataclass(frozen=True)
class ProductRecord:
    """What a product page says about its product; `sources` tells where each field came from."""

    name: str | None
    price: Decimal | None
    currency: str | None  # ISO 4217 when known, else raw symbol
    availability: str | None  # schema.org term: InStock, OutOfStock, PreOrder, BackOrder, Discontinued
    sku: str | None
    brand: str | None
    sources: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # why nothing could be read, else None
    explanation: dict[str, Any] | None = field(default=None, compare=False)  # candidates, with explain=True
    missing: dict[str, str] = field(default_factory=dict)  # field -> why the page gave no value for it
    # GTIN, MPN, shipping and a labelled brand, for the catalogue's matching (None on an empty record)
    identifiers: PageIdentifiers | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-ready data: price as a decimal string, absent fields as None."""
        return {
            "name": self.name,
            "price": None if self.price is None else format(self.price, "f"),
            "currency": self.currency,
            "availability": self.availability,
            "sku": self.sku,
            "brand": self.brand,
        }


# Why a field is absent when the page was read but offered nothing for it.
_MISSING = {
    "name": "no structured name, title or h1 on the page",
    "price": "no structured offer price and no price-like element with an amount",
    "currency": "the price is shown without a currency symbol or code and the page names no country",
    "availability": "no structured availability, stock statement or buy button (a shown price is no evidence of stock)",
    "sku": "no structured sku and no labelled product code on the page",
    "brand": "no brand in the structured data or brand meta tags",
}


def _empty(
    reason: str, sources: dict[str, str] | None = None, explanation: dict[str, Any] | None = None
) -> ProductRecord:
    """A record without product data: every field missing for `reason`."""
    return ProductRecord(
        None, None, None, None, None, None, sources or {}, reason, explanation, dict.fromkeys(FIELDS, reason)
    )


def extract_product(
    body: bytes | str,
    url: str = "",
    selectors: Mapping[str, str] | None = None,
    content_type: str | None = None,
    explain: bool = False,
    tuning: ProductTuning = DEFAULT_TUNING,
) -> ProductRecord:
    """Read the product of a page; never raises on page content (a reason is given instead).
    `tuning` is for benchmarks that refit the few numeric weights (see `product_tuning`)."""
    try:
        page = parse_page(body, url, content_type)
    except PageError as exc:
        return _empty(str(exc))
    try:
        cands, json_ld = _collect(page, url, selectors, tuning)
    except SelectorSyntaxError:
        raise  # a configuration error, not a page problem: the user must fix the selector
    except (ValueError, TypeError, RecursionError, AttributeError) as exc:  # odd markup must not stop a crawl
        return _empty(f"page could not be analysed: {type(exc).__name__}: {exc}")
    record = _decide(cands, url, page.meta_lang, explain)
    if all(getattr(record, f) is None for f in FIELDS):
        reason = "no product data found on the page"
        if page.truncated:
            reason += f" (only the first {MAX_BODY_BYTES // 1_000_000} MB of the body were examined)"
        return _empty(reason, record.sources, record.explanation)
    source = body if isinstance(body, bytes) else body.encode("utf-8")
    # From the JSON-LD read above: a page is parsed once.
    identifiers = read_identifiers(source, record.sku, record.name, brand=record.brand, json_ld=json_ld)
    return replace(record, identifiers=identifiers)


def _collect(
    page: Page, url: str, selectors: Mapping[str, str] | None, tuning: ProductTuning
) -> tuple[Candidates, list[Any]]:
    """Every candidate of the page, and its JSON-LD blocks (the identifiers are read from them too)."""
    cands = Candidates()
    doc = page.doc
    if selectors:
        add_selectors(cands, doc, selectors)
    meta = meta_tags(doc)
    title, title_el = page_title(doc, meta)
    json_ld = json_ld_blocks(doc)
    add_structured(cands, main_product(read_products(json_ld), url, title), "json-ld")
    if page.has_microdata:
        add_structured(cands, main_product(read_products(microdata_items(doc)), url, title), "microdata")
    if page.has_rdfa:
        add_structured(cands, main_product(read_products(rdfa_items(doc)), url, title), "rdfa")
    add_meta(cands, meta)
    # Test attributes (data-testid...) are looked for only on pages that have some: a cheap text test.
    tested = page.text is None or TEST_ATTRS_IN_SOURCE.search(page.text) is not None
    add_heuristics(cands, doc, title_el, title, tuning, tested)
    add_platforms(
        cands, doc, url, title, page.text
    )  # after the heuristics: it checks amounts against shown prices
    cands.add("sku", sku_from_url(url), "url", detail="numeric id in the page URL")
    cands.cross_check_prices(tuning.unshown_structured_penalty)
    prefer_shown_sku(cands, page.doc, tuning.unshown_sku_penalty)
    # No availability is guessed from a shown price: sold-out products keep their price on the page.
    return cands, json_ld


def _currency(cands: Candidates, text: str | None, url: str, lang: str | None) -> str | None:
    """ISO code of the price's currency text; an ambiguous symbol ("$", "kr", "¥") is settled first
    by a code the page's structured data states among the symbol's options, then by its country."""
    if not text:
        return None
    options = iso_options(text)
    if options:
        stated = {to_iso(str(c.value)) for c in cands.by_field["currency"]} & options
        if len(stated) == 1:
            return stated.pop()
    return to_iso(text, url, lang)


def _decide(cands: Candidates, url: str, lang: str | None, explain: bool) -> ProductRecord:
    winners = {f: cands.best(f) for f in FIELDS}
    price_c, currency_c = winners["price"], winners["currency"]
    currency_text = None if currency_c is None else str(currency_c.value)
    if (
        price_c is not None
        and price_c.currency
        and (currency_c is None or price_c.source == "selector" or currency_c.source != "selector")
    ):
        currency_text = price_c.currency
    currency = _currency(cands, currency_text, url, lang)
    if currency is None and price_c is not None:
        currency = currency_of_country(url, lang)
    sources = {f: c.source for f, c in winners.items() if c is not None}
    explanation = None
    if explain:
        explanation = {}
        for f in FIELDS:
            listed = [c.to_json() for c in cands.by_field[f]]
            won = winners[f]
            winner = None if won is None else won.to_json()
            explanation[f] = {"winner": winner, "why": why_won(winner, listed), "candidates": listed}
    value = {f: (None if c is None else c.value) for f, c in winners.items()}
    return ProductRecord(
        name=value["name"],
        price=value["price"],
        currency=currency,
        availability=value["availability"],
        sku=None if value["sku"] is None else str(value["sku"]),
        brand=value["brand"],
        sources=sources,
        explanation=explanation,
        missing=_missing(value, currency),
    )


def _missing(value: dict[str, Any], currency: str | None) -> dict[str, str]:
    """Why each absent field is absent (a currency is only missed when there is a price)."""
    out = {f: _MISSING[f] for f in FIELDS if value[f] is None and f != "currency"}
    if value["price"] is not None and currency is None:
        out["currency"] = _MISSING["currency"]
    return out
