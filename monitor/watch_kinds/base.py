"""What a kind of watch plugs into the one crawl path: its watchlist entries, its spider and its sink.

Every kind (product, listing, site, page, keyword) is a `WatchKind`: it turns its section of the
watchlist into `WatchSpec`s (synced into the shared `watches` table), and for a cycle turns its due
watches into a `KindCrawl`: the Scrapy spider to run with its arguments, and the sink that stores
what the spider yields. All kinds' crawls of a cycle run together in the one reactor, and all kinds'
changes land in the one `changes` table, so rules, alerts and reports treat them alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from models import Watch


@dataclass(frozen=True)
class WatchSpec:
    """One watch as configured, whatever its kind; `url` is its identity within the kind."""

    kind: str
    url: str
    label: str | None = None
    competitor: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    interval_s: float | None = None
    cron: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class KindCrawl:
    """What a kind hands the runner for one cycle. `sink` has `.flush()`, `.stats` (monitor.sink.SinkStats)."""

    kind: str
    spider_cls: type
    spider_kwargs: dict[str, Any]
    sink: Any
    settings: dict[str, Any] = field(default_factory=dict)
    jobs: int = 0


@dataclass(frozen=True)
class CycleContext:
    watchlist: Any  # monitor.config.Watchlist
    session_factory: sessionmaker[Session]
    run_id: int
    clock: Callable[[], datetime]
    on_outcome: Callable[[Any], None] | None = None


class WatchKind(Protocol):
    name: str

    def specs(self, watchlist: Any) -> list[WatchSpec]:
        """This kind's watches from the watchlist."""
        ...

    def prepare(self, ctx: CycleContext, session: Session, watches: list[Watch]) -> KindCrawl:
        """The crawl for these due watches (called inside the transaction that opened the run)."""
        ...
