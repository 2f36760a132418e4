"""What a kind of watch plugs into the one crawl path, and the typed options every kind stores.

Every kind (product, listing, site, page, keyword) is one package under `monitor.kinds` with:
- its watchlist model (`config.py`) and the typed options it stores in `watches.options`, written
  and read back through the same pydantic model (`store_options` / `read_options`), so every
  default lives in one place;
- its change kinds (`changes.py`), registered in `monitor.kinds.CHANGE_KINDS`;
- its pure functions (`observe.py`: what the crawler's item says, compared with the last good state,
  as an `Outcome` with the kind's own rows as data);
- its crawl side (`crawl.py`: `plan`, its due watches -> jobs and memories, and `OBSERVER`);
- a `WatchKind` (`kind.py`) that turns its watchlist section into `WatchSpec`s (synced into the
  shared `watches` table) and, for a cycle, its due watches into a `KindCrawl`: the spider to run,
  its jobs, and an `Observer` that the one generic sink (`monitor.crawl.sink`) feeds with the
  spider's items. The spider and the crawl side are named by dotted path and imported only when a
  watch of the kind is crawled: every command reads the watchlist through the registry, and a
  cycle with nothing due should not pay for the extractors.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import Competitor, Watch
from monitor.changes.kinds import ChangeKind
from monitor.config.settings import Settings
from monitor.kinds.outcome import Memory, Outcome
from spiders.crawl_settings import crawl_settings

I = TypeVar("I")  # noqa: E741  (the item a kind's spider yields)
M = TypeVar("M", bound=Memory)
O = TypeVar("O", bound=BaseModel)  # noqa: E741


def store_options(options: BaseModel) -> dict[str, Any]:
    """Typed options as `watches.options` keeps them: JSON (decimals as strings), and only what
    differs from the model's defaults, so a default lives in the model alone."""
    return options.model_dump(mode="json", exclude_defaults=True)


def read_options(model: type[O], stored: dict[str, Any] | None) -> O:
    """A watch's stored options, read back through its kind's model; keys an older or newer
    version wrote are left out, and keys it did not write take the model's defaults."""
    known = {k: v for k, v in (stored or {}).items() if k in model.model_fields}
    return model.model_validate(known)


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


def memory_fields(watch: Watch, default_interval: float) -> dict[str, Any]:
    """The part of a watch's memory every kind loads the same way, from its row."""
    return {
        "watch_id": watch.id,
        "label": watch.label or watch.url,
        "interval_s": watch.interval_s or default_interval,
        "consecutive_failures": watch.consecutive_failures,
        "consecutive_gone": watch.consecutive_gone,
        "body_hash": watch.last_body_hash,
    }


@dataclass(frozen=True)
class SpecContext:
    """What a kind may read of the rest of the watchlist while making its specs."""

    settings: Settings
    competitors: Sequence[Any]  # monitor.config.settings.Competitor
    competitor_for: Callable[[Any], str]  # a watch (url, competitor) -> its competitor's name


@dataclass
class Extraction:
    """A check that needs the kind's extractor on a body before it can conclude (run inline or in
    the extraction pool by the sink, so the crawler's core only fetches and stores)."""

    pending: Outcome[Any]
    body: bytes
    url: str
    selectors: dict[str, str] | None
    content_type: str | None


@dataclass(frozen=True)
class Observer(Generic[I, M]):
    """A kind's pure functions, as the generic sink calls them.

    `observe` says what one item (a fetched page, a listing's pages, a site crawl, a keyword's
    result pages) means against the watch's memory; it may ask for the kind's extractor first
    (an `Extraction`), and `conclude` finishes from the extractor's record. `remember` advances
    the memory after an outcome, so a second check of one watch in one crawl compares right.
    """

    item_type: type[I]
    observe: Callable[[I, M, datetime], Outcome[Any] | Extraction]
    remember: Callable[[M, Outcome[Any]], None]
    conclude: Callable[[Extraction, M, object | None, BaseException | None], Outcome[Any]] | None = None
    batch_size: int = 100  # outcomes written per transaction (a listing or site crawl: one)

    def watch_id(self, item: I) -> int:
        return item.job.watch_id  # type: ignore[attr-defined]  (every crawl item carries its job)


class SeriesFeed(Protocol):
    """An anomaly feed: scores an outcome's changes from the watch's series, and persists its state."""

    def score(self, outcome: Outcome[Any]) -> None: ...

    def write(self, session: Session, now: datetime) -> None: ...


@dataclass
class CrawlPlan:
    """What a kind plans for its due watches: the spider's jobs, each watch's memory, and what this
    kind's crawl needs beyond the watchlist's crawl settings."""

    jobs: list[Any]
    memories: dict[int, Memory]
    settings: dict[str, Any] = field(default_factory=dict)  # over the crawl settings
    spider_kwargs: dict[str, Any] = field(default_factory=dict)
    use_pool: bool = False  # run the kind's extractions in the extraction pool
    series: SeriesFeed | None = None


@dataclass
class KindCrawl:
    """What a kind hands the runner for one cycle: its spider, settings and plan, and its observer."""

    kind: str
    spider: str  # dotted path of the Scrapy spider class
    observer: Observer[Any, Any]
    plan: CrawlPlan
    settings: dict[str, Any]

    @property
    def jobs(self) -> list[Any]:
        return self.plan.jobs


@dataclass(frozen=True)
class CycleContext:
    """One cycle of one kind: the watchlist's settings and this kind's section, the store, the clock."""

    settings: Settings
    entries: Sequence[Any]  # this kind's watchlist section (its config models)
    session_factory: sessionmaker[Session]
    run_id: int
    clock: Callable[[], datetime]
    env: dict[str, str] = field(default_factory=dict)  # environment + secrets file, for ${NAME}

    def robots(self, session: Session) -> Callable[[Watch], bool]:
        """Whether robots.txt is obeyed for a watch (its competitor's setting; obeyed by default)."""
        obey = {c.id: c.robots != "ignore" for c in session.scalars(select(Competitor))}
        return lambda watch: obey.get(watch.competitor_id or 0, True)

    def due(self, session: Session, watches: list[Watch], options: type[O]) -> list[tuple[Watch, O, bool]]:
        """What every kind's plan reads of each due watch: the watch, its stored options read back
        through the kind's model, and whether robots.txt is obeyed for it."""
        obeys = self.robots(session)
        return [(w, read_options(options, w.options), obeys(w)) for w in watches]


class ConfiguredWatch(Protocol):
    """A watch as a kind's watchlist model has it: identity, schedule and its typed options."""

    url: str
    label: str | None
    competitor: str | None
    interval: float | None
    cron: str | None
    tags: list[str]

    def options(self) -> BaseModel: ...


def specs_of(kind: str, entries: Sequence[ConfiguredWatch], ctx: SpecContext) -> list[WatchSpec]:
    """One spec per watch of a kind whose watchlist entries are one watch each."""
    default = ctx.settings.default_interval
    return [
        WatchSpec(
            kind,
            w.url,
            w.label,
            ctx.competitor_for(w),
            store_options(w.options()),
            w.interval if w.interval is not None or w.cron else default,
            w.cron,
            list(w.tags),
        )
        for w in entries
    ]


Planner = Callable[["CycleContext", Session, list[Watch]], CrawlPlan]
Specifier = Callable[[Sequence[Any], SpecContext], list[WatchSpec]]


@dataclass(frozen=True)
class WatchKind:
    """One kind of watch, declared once (`monitor/kinds/<kind>/kind.py`) and registered in `KINDS`."""

    name: str
    section: str  # the watchlist key users write (products, listings, sites, pages, keywords)
    change_kinds: tuple[ChangeKind, ...]
    spider: str  # the Scrapy spider class, by dotted path
    crawl: str  # the module of the kind's `plan` and `OBSERVER`, by dotted path
    specify: Specifier | None = None  # watchlist entries -> specs; default: one watch per entry

    def specs(self, entries: Sequence[Any], ctx: SpecContext) -> list[WatchSpec]:
        """This kind's watches from its watchlist section."""
        return self.specify(entries, ctx) if self.specify else specs_of(self.name, entries, ctx)

    def prepare(self, ctx: CycleContext, session: Session, watches: list[Watch]) -> KindCrawl:
        """The crawl of these due watches."""
        side = importlib.import_module(self.crawl)
        # `plan` runs inside the transaction that opened the run.
        plan = cast(Planner, side.plan)(ctx, session, watches)
        observer = cast(Observer[Any, Any], side.OBSERVER)
        browser = any(getattr(job, "render", "http") == "browser" for job in plan.jobs)
        settings = {**crawl_settings(ctx.settings.crawl_limits(), browser), **plan.settings}
        return KindCrawl(self.name, self.spider, observer, plan, settings)
