"""The generic result-page parser every engine module configures with an `EngineSpec`.

An engine is described by data, not code: XPaths that pick the title link of each organic
result (a union over the layout eras the engine has shipped), what marks ads and special
blocks, what a no-results page, a captcha or a JavaScript shell looks like. `parse_with`
applies a spec to a page. Rules are structural (tags, stable class names, link shapes),
never tied to one saved page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

from lxml import etree

from spiders.extract.serp.common import (
    Query,
    absolute_url,
    clean_text,
    decode_body,
    element_text,
    node_text,
    parse_html,
)
from spiders.extract.serp.page import (
    BLOCKED,
    CONSENT,
    NEEDS_RENDER,
    NO_RESULTS,
    RESULTS,
    SerpPage,
    SerpResult,
)
from spiders.extract.serp.walls import (
    BLOCK_STATUSES,
    block_phrase,
    consent_phrase,
    error_title,
    no_results_phrase,
)
from spiders.extract.xpath import elements, nodes, strings

SNIPPET_MAX = 500


# Fragments the specs are written with: predicate bodies (`cls`) and the few shapes of XPath a spec
# field takes, so a spec spells out only what is the engine's own.


def cls(*names: str) -> str:
    """XPath predicate body: the element's class list contains one of `names` exactly."""
    return " or ".join(f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')" for name in names)


def union(*alternatives: str) -> str:
    """The XPath union of `alternatives` (layout eras, verticals), read as one node set."""
    return " | ".join(alternatives)


def anywhere(predicate: str) -> str:
    """Every element of the document that satisfies `predicate` (true on a page that has one)."""
    return f"//*[{predicate}]"


def nearest(predicate: str) -> str:
    """From a title link: the nearest enclosing element that satisfies `predicate` (its block)."""
    return f"ancestor::*[{predicate}][1]"


def inside(predicate: str) -> str:
    """From a title link: true when an enclosing element satisfies `predicate` (an ad, a panel)."""
    return f"ancestor::*[{predicate}]"


def first(predicate: str) -> str:
    """From a block: the first element below it that satisfies `predicate` (its snippet)."""
    return f"(.//*[{predicate}])[1]"


@lru_cache(maxsize=512)
def xpath(expr: str) -> etree.XPath:
    """Compiled XPath, cached: specs are module constants, so each compiles once."""
    return etree.XPath(expr)


@dataclass(frozen=True)
class EngineSpec:
    """How to read one engine's result pages (all XPaths are XPath 1.0)."""

    name: str
    query: Callable[[Query], str]  # the result-page URL of a query (paging already checked)
    organic: str  # selects the title link of every organic result, any era
    organic_fallback: str = ""  # a newer layout's title links, read only when `organic` finds none
    block: str = "ancestor::*[self::li or self::div][1]"  # from a title link to its result block
    snippet: str = ""  # from a block to its snippet element(s); '' = block text minus title
    title: str = ""  # from a title link to its title element or text nodes; '' = the link itself
    exclude: str = ""  # boolean, from a title link: true inside ads or special blocks
    ads: str = ""  # selects the title link of every ad
    skip_url: re.Pattern[str] | None = None  # engine-internal links that are never results
    no_results: str = ""  # boolean on the document: the engine says it found nothing
    no_results_text: tuple[str, ...] = ()
    blocked: str = ""  # boolean on the document: captcha or block wall
    blocked_text: tuple[str, ...] = ()
    consent: str = ""  # boolean on the document: a consent dialog to accept first
    consent_text: tuple[str, ...] = ()
    # vertical name -> title links of that engine block (local pack, news, market...): reported
    # in SerpPage.verticals, and never organic (exclude should cover them too)
    verticals: Mapping[str, str] = field(default_factory=dict)
    render_text: tuple[str, ...] = ()  # markers of a page whose results load by JavaScript
    features: Mapping[str, str] = field(default_factory=dict)  # feature -> boolean XPath
    result_count: str = ""  # selects the element(s) holding the "About N results" text
    charset_fallback: str = "utf-8"
    refine: Callable[[list[SerpResult]], list[SerpResult]] | None = None

    @cached_property
    def base_url(self) -> str:
        """What relative links resolve against when the page URL is unknown: the engine's result
        page (the origin and path its `query` builds)."""
        parts = urlsplit(self.query(Query("")))
        return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _title_of(spec: EngineSpec, anchor: etree._Element) -> str:
    if spec.title:
        found = nodes(xpath(spec.title)(anchor))
        if found and all(isinstance(f, str) for f in found):
            return clean_text(" ".join(strings(found)))  # the title XPath picked text nodes
        if found:
            return node_text(found[0])
    return element_text(anchor)


def _snippet_of(spec: EngineSpec, anchor: etree._Element, title: str) -> str:
    blocks = elements(xpath(spec.block)(anchor))
    block = blocks[0] if blocks else anchor.getparent()
    if block is None:
        return ""
    text = ""
    if spec.snippet:
        text = clean_text(" ".join(node_text(el) for el in nodes(xpath(spec.snippet)(block))))
    if not text:  # no snippet element in this era: the block's text after the title
        text = element_text(block)
        if title and text.startswith(title):
            text = text[len(title) :].lstrip(" -–")
    return text[:SNIPPET_MAX]


def collect(
    spec: EngineSpec, doc: etree._Element, selector: str, base: str, *, apply_exclude: bool
) -> list[SerpResult]:
    """Results for the links `selector` picks, in document order, ranked from 1."""
    results: list[SerpResult] = []
    excluded = xpath(spec.exclude) if (apply_exclude and spec.exclude) else None
    seen: set[int] = set()
    for anchor in elements(xpath(selector)(doc)):
        if id(anchor) in seen:
            continue
        seen.add(id(anchor))
        url = absolute_url(anchor.get("href"), base)
        if url is None:
            continue
        # engine-internal links are never organic results, but ads do go through ad redirectors
        if apply_exclude and spec.skip_url is not None and spec.skip_url.search(url):
            continue
        if excluded is not None and excluded(anchor):
            continue
        title = _title_of(spec, anchor)
        results.append(SerpResult(len(results) + 1, url, title, _snippet_of(spec, anchor, title)))
    if spec.refine is not None:
        results = spec.refine(results)
    return results


def _verticals(spec: EngineSpec, doc: etree._Element, base: str) -> list[SerpResult]:
    out: list[SerpResult] = []
    seen: set[int] = set()
    for name, selector in spec.verticals.items():
        for anchor in elements(xpath(selector)(doc)):
            if id(anchor) in seen:
                continue
            seen.add(id(anchor))
            url = absolute_url(anchor.get("href"), base)
            if url is not None:
                out.append(SerpResult(len(out) + 1, url, element_text(anchor), "", name))
    return out


def _has_text(text: str, markers: tuple[str, ...]) -> str | None:
    for marker in markers:
        if marker in text:
            return marker
    return None


def _base_href(doc: etree._Element, fallback: str) -> str:
    found = strings(doc.xpath("//head/base/@href"))
    return found[0].strip() if found and found[0].startswith("http") else fallback


def parse_with(spec: EngineSpec, body: bytes | str, url: str | None = None, status: int | None = None) -> SerpPage:
    """Parse one result page with `spec`. Never raises on a bad page: it says what it saw.

    Without results, in this order: a refusal by HTTP status or by the engine's own block
    markers; the engine's no-results message (a consent dialog may sit on top of it); a consent
    wall; block-page phrases of any engine and language, or a bare error page; a page whose
    results load by script; a no-results message in any engine's wording and language; else
    an unconfirmed empty page."""
    if not body:
        if status in BLOCK_STATUSES:
            return SerpPage(spec.name, BLOCKED, reason=f"HTTP {status} with an empty body")
        return SerpPage(spec.name, BLOCKED, reason="empty response body")
    text = decode_body(body, spec.charset_fallback)
    doc = parse_html(text)
    if doc is None:
        return SerpPage(spec.name, BLOCKED, reason="unreadable page: no HTML document")
    base = url or _base_href(doc, spec.base_url)
    organic = collect(spec, doc, spec.organic, base, apply_exclude=True)
    if not organic and spec.organic_fallback:
        organic = collect(spec, doc, spec.organic_fallback, base, apply_exclude=True)
    ads = collect(spec, doc, spec.ads, base, apply_exclude=False) if spec.ads else []
    verticals = _verticals(spec, doc, base) if spec.verticals else []
    features = [name for name, test in spec.features.items() if xpath(test)(doc)]
    count_text = None
    if spec.result_count:
        for el in nodes(xpath(spec.result_count)(doc)):
            count_text = node_text(el)
            if count_text:
                break
        count_text = count_text or None

    def page(kind: str, reason: str | None = None) -> SerpPage:
        return SerpPage(spec.name, kind, organic if kind == RESULTS else [], ads, features, count_text, reason, verticals)

    if organic:
        return page(RESULTS)
    return _empty_page_kind(spec, doc, text, status, page)


def _empty_page_kind(spec: EngineSpec, doc: etree._Element, text: str, status: int | None, page) -> SerpPage:  # noqa: ANN001
    """The kind of a page without organic results (see `parse_with` for the order)."""
    if status in BLOCK_STATUSES:
        return page(BLOCKED, f"HTTP {status}")
    if spec.blocked and xpath(spec.blocked)(doc):
        return page(BLOCKED, "captcha or block page")
    marker = _has_text(text, spec.blocked_text)
    if marker:
        return page(BLOCKED, f"block page ({marker!r})")
    if (spec.no_results and xpath(spec.no_results)(doc)) or _has_text(text, spec.no_results_text):
        return page(NO_RESULTS, "engine reports no results")
    if (spec.consent and xpath(spec.consent)(doc)) or _has_text(text, spec.consent_text):
        return page(CONSENT, "consent dialog: the engine asks to accept cookies first")
    visible = element_text(doc.find("body")) if doc.find("body") is not None else ""
    title = clean_text(" ".join(strings(doc.xpath("//title//text()"))))
    marker = consent_phrase(visible) or consent_phrase(text[:200_000])
    if marker and len(visible) < 20_000:
        return page(CONSENT, f"consent dialog ({marker!r})")
    marker = block_phrase(f"{title} {visible}")
    if marker or error_title(title):
        return page(BLOCKED, f"block page ({marker or title!r})")
    marker = _has_text(text, spec.render_text)
    if marker:
        return page(NEEDS_RENDER, f"results load by JavaScript ({marker!r}); fetch with a browser")
    marker = no_results_phrase(f"{title} {visible}")
    if marker:
        return page(NO_RESULTS, f"no-results message in the engine's wording ({marker!r})")
    # Nothing recognised and no message saying so: the layout may be new to us. Callers
    # should treat an unconfirmed empty page as a failed observation, not as "not ranked".
    return page(NO_RESULTS, "unconfirmed: no result blocks recognised and no no-results message")
