"""Search engine result pages: build query URLs and parse saved or fetched pages.

One module per engine holds its `EngineSpec`: how its pages look, era by era, and how its query
URLs are built; `base.parse_with` applies a spec. How the engines are told apart is one table here. Everything here is pure: bytes in, records out.

    >>> build_query_url("google", "running shoes", page=2)
    'https://www.google.com/search?q=running+shoes&num=10&start=10'
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from spiders.extract.serp import ask, baidu, bing, duckduckgo, google, sogou, yahoo, yandex
from spiders.extract.serp.base import EngineSpec, parse_with
from spiders.extract.serp.common import Query, check_paging, decode_body, unwrap_redirect
from spiders.extract.serp.page import (
    BLOCKED,
    CONSENT,
    FEATURES,
    NEEDS_RENDER,
    NO_RESULTS,
    PAGE_KINDS,
    RESULTS,
    SerpPage,
    SerpResult,
)

_SPECS: dict[str, EngineSpec] = {
    m.SPEC.name: m.SPEC for m in (google, bing, baidu, sogou, yahoo, duckduckgo, yandex, ask)
}
ENGINES: tuple[str, ...] = tuple(_SPECS)


class _Signs(NamedTuple):
    """How `detect_engine` tells an engine's pages from the others'."""

    hosts: tuple[str, ...]  # parts of the hosts that serve it ("google." is google.co.uk too)
    brand: re.Pattern[str]  # the name it shows itself by in titles and logos, for pages saved offline


# Side by side, as detect_engine weighs them against each other.
_SIGNS: dict[str, _Signs] = {
    "google": _Signs(("google.",), re.compile(r"(?:\bGoogle\b|谷歌)")),
    "bing": _Signs(("bing.com",), re.compile(r"(?:\bBing\b|必应)")),
    "baidu": _Signs(("baidu.com",), re.compile(r"(?:百度|\bBaidu\b)")),
    "sogou": _Signs(("sogou.com",), re.compile(r"(?:搜狗|\bSogou\b)")),
    "yahoo": _Signs(("yahoo.com",), re.compile(r"\bYahoo\b")),
    "duckduckgo": _Signs(("duckduckgo.com",), re.compile(r"\bDuckDuckGo\b")),
    "yandex": _Signs(("yandex.",), re.compile(r"(?:Яндекс|\bYandex\b)")),
    "ask": _Signs(("ask.com",), re.compile(r"\bAsk(?:\.com| Jeeves)\b")),
}
assert set(_SIGNS) == set(_SPECS), "every engine needs its signs"
DEVICES = ("desktop", "mobile")

__all__ = [
    "BLOCKED",
    "CONSENT",
    "DEVICES",
    "ENGINES",
    "FEATURES",
    "NEEDS_RENDER",
    "NO_RESULTS",
    "PAGE_KINDS",
    "RESULTS",
    "SerpPage",
    "SerpResult",
    "build_query_url",
    "detect_engine",
    "parse_serp",
    "unwrap_redirect",
]


def _spec(engine: str) -> EngineSpec:
    try:
        return _SPECS[engine.lower()]
    except KeyError:
        raise ValueError(f"unknown search engine {engine!r}; known: {', '.join(ENGINES)}") from None


def build_query_url(
    engine: str,
    keyword: str,
    *,
    page: int = 1,
    per_page: int = 10,
    country: str | None = None,
    language: str | None = None,
    device: str = "desktop",
    base_url: str | None = None,
) -> str:
    """The result-page URL of `keyword` on `engine` (page numbers start at 1).

    `base_url` (``http://127.0.0.1:8000``) replaces the engine's origin and keeps its path and
    query parameters, to target a local stand-in engine such as the demo market's."""
    if device not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}, got {device!r}")
    if not keyword.strip():
        raise ValueError("keyword must not be empty")
    spec = _spec(engine)
    check_paging(page, per_page)
    return spec.query(Query(keyword, page, per_page, country, language, device, base_url))


def detect_engine(body: bytes | str, url: str | None = None) -> str | None:
    """Guess which engine served a page: from its URL's host; else by the name the page's title
    gives (engines name themselves there: "… - Google Search", "… at DuckDuckGo", "…_百度搜索"),
    then by how often the page shows each engine's name and mentions its hosts; among the three
    likeliest, the first whose own layout rules find results on the page."""
    if url:
        host = (urlsplit(url).hostname or "").lower()
        for name in _SPECS:
            if any(h in host for h in _SIGNS[name].hosts):
                return name
    text = decode_body(body[:300_000] if isinstance(body, bytes) else body[:300_000])
    head = text.lower()
    title_match = _TITLE.search(text)
    title = title_match.group(1) if title_match else ""
    scores: dict[str, float] = {}
    for name in _SPECS:
        hosts, brand = _SIGNS[name]
        score = float(sum(head.count(h) for h in hosts))
        score += min(30.0, 3.0 * len(brand.findall(text)))
        if brand.search(title):
            score += 100.0  # the page names its engine in its own title
        scores[name] = score
    ranked = [name for name in sorted(scores, key=lambda n: -scores[n]) if scores[name]]
    if not ranked:
        return None
    # The page's own layout settles it: the first named engine whose spec reads results there.
    for name in ranked[:3]:
        if parse_with(_SPECS[name], body).kind == RESULTS:
            return name
    return ranked[0]


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


def parse_serp(body: bytes | str, engine: str, url: str | None = None, status: int | None = None) -> SerpPage:
    """Parse one result page of `engine` (``"auto"`` guesses it). Never raises on page content:
    an unreadable page comes back as ``blocked`` or ``no_results`` with a reason. `status`, the
    HTTP status when known, lets a refusal (403, 429...) be told from an empty page."""
    if engine == "auto":
        guessed = detect_engine(body, url)
        if guessed is None:
            return SerpPage("unknown", BLOCKED, reason="could not tell which search engine served this page")
        engine = guessed
    spec = _spec(engine)
    try:
        return parse_with(spec, body, url, status)
    except Exception as exc:  # noqa: BLE001 - a page must never crash the crawl; report it instead
        return SerpPage(spec.name, BLOCKED, reason=f"parser error: {type(exc).__name__}: {exc}")
