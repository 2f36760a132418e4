"""Search engine result pages: build query URLs and parse saved or fetched pages.

One module per engine holds its `EngineSpec` (how its pages look, era by era) and its
`build_url`; `base.parse_with` applies a spec. Everything here is pure: bytes in, records out.

    >>> build_query_url("google", "running shoes", page=2)
    'https://www.google.com/search?q=running+shoes&num=10&start=10'
"""

from __future__ import annotations

from types import ModuleType
from urllib.parse import urlsplit

from spiders.extract.serp import ask, baidu, bing, duckduckgo, google, sogou, yahoo, yandex
from spiders.extract.serp.base import parse_with
from spiders.extract.serp.common import decode_body, unwrap_redirect
from spiders.extract.serp.page import (
    BLOCKED,
    FEATURES,
    NEEDS_RENDER,
    NO_RESULTS,
    PAGE_KINDS,
    RESULTS,
    SerpPage,
    SerpResult,
)

_MODULES: dict[str, ModuleType] = {
    m.NAME: m for m in (google, bing, baidu, sogou, yahoo, duckduckgo, yandex, ask)
}
ENGINES: tuple[str, ...] = tuple(_MODULES)
DEVICES = ("desktop", "mobile")

__all__ = [
    "BLOCKED",
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


def _module(engine: str) -> ModuleType:
    try:
        return _MODULES[engine.lower()]
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
    return _module(engine).build_url(
        keyword,
        page=page,
        per_page=per_page,
        country=country,
        language=language,
        device=device,
        base_url=base_url,
    )


def detect_engine(body: bytes | str, url: str | None = None) -> str | None:
    """Guess which engine served a page: from its URL's host, else from the hosts it mentions."""
    if url:
        host = (urlsplit(url).hostname or "").lower()
        for name, module in _MODULES.items():
            if any(h in host for h in module.HOSTS):
                return name
    head = decode_body(body[:300_000] if isinstance(body, bytes) else body[:300_000]).lower()
    scores = {name: sum(head.count(h) for h in module.HOSTS) for name, module in _MODULES.items()}
    best = max(scores, key=lambda name: scores[name])
    return best if scores[best] else None


def parse_serp(body: bytes | str, engine: str, url: str | None = None) -> SerpPage:
    """Parse one result page of `engine` (``"auto"`` guesses it). Never raises on page content:
    an unreadable page comes back as ``blocked`` or ``no_results`` with a reason."""
    if engine == "auto":
        guessed = detect_engine(body, url)
        if guessed is None:
            return SerpPage("unknown", BLOCKED, reason="could not tell which search engine served this page")
        engine = guessed
    spec = _module(engine).SPEC
    try:
        return parse_with(spec, body, url)
    except Exception as exc:  # noqa: BLE001 - a page must never crash the crawl; report it instead
        return SerpPage(spec.name, BLOCKED, reason=f"parser error: {type(exc).__name__}: {exc}")
