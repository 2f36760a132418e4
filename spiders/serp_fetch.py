"""The records that cross the crawl boundary for keyword watches: one check to run, and what it saw.

A keyword check reads an engine's result pages 1..depth; the SERP spider hands the sink ONE
`SerpFetch` per check with every page it read (or why it stopped).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spiders.extract.serp import SerpPage, build_query_url

BLOCK_STATUSES = frozenset({429})


@dataclass(frozen=True)
class SerpJob:
    """One keyword check to run now: what to ask, where, and how to look while asking."""

    watch_id: int
    keyword: str
    engine: str
    slot: str  # the engine's download slot (its origin, so stand-ins do not share a real engine's)
    device: str = "desktop"
    country: str | None = None
    language: str | None = None
    depth: int = 1  # pages
    per_page: int = 10
    base_url: str | None = None
    user_agent: str | None = None
    proxy: str | None = None
    render: str = "http"
    wait_for: str | None = None
    obey_robots: bool = False
    problem: str | None = None  # a check that cannot be run as configured (e.g. a proxy secret unset)

    def page_url(self, page: int) -> str:
        return build_query_url(
            self.engine,
            self.keyword,
            page=page,
            per_page=self.per_page,
            country=self.country,
            language=self.language,
            device=self.device,
            base_url=self.base_url,
        )


@dataclass
class SeenPage:
    """One result page as fetched and parsed."""

    number: int
    url: str
    status: int
    body: bytes
    content_type: str
    elapsed_ms: float
    parsed: SerpPage


@dataclass
class SerpFetch:
    """A finished check: the pages seen in order, and why it stopped when not for lack of pages."""

    job: SerpJob
    pages: list[SeenPage] = field(default_factory=list)
    error: str | None = None  # transport failure on the next page
    error_url: str | None = None
    skipped: str | None = None  # never asked: the engine was paused in this crawl


def blocked_status(status: int) -> bool:
    return status in BLOCK_STATUSES
