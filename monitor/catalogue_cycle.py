"""The catalogue's edge: reading its sources, and what runs after a crawl.

- `run_imports`: every configured import (CSV or product feed) and the rates source that is due
  (`every:`), read from its file or URL (a URL is fetched through the crawl side's one fetch path,
  `spiders.engine.fetch_page`, so the address guard, timeouts and size caps apply), parsed, and
  written; a source that fails is recorded with its reason and retried at its next due time, and
  never stops a crawl.
- `after_crawl`: the imports that are due, then the matrix refresh of this run (the crawl runner
  calls it once per cycle, before the run is closed and its alerts are queued).
- `catalogue_run`: the same outside a crawl (the CLI's import and match commands): a run of its own,
  so the matrix rules' changes alert like a crawl's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.dispatcher import dispatch_pending
from alerts.outbox import enqueue_run_alerts
from models.catalogue import CatalogueImport as ImportRow
from models.crawl import CrawlRun
from monitor.catalogue.config import Catalogue, CatalogueImport, RatesSource
from monitor.catalogue.feeds import FeedError, parse_products
from monitor.catalogue.products_store import upsert_products
from monitor.catalogue.rates import RatesError, parse_rates
from monitor.catalogue.rates_store import store_rates
from monitor.catalogue.refresh import RefreshReport, lock_meta, refresh_catalogue
from monitor.config.settings import Settings
from monitor.watchlist import Watchlist
from spiders.crawl_settings import crawl_settings
from spiders.engine import CrawlEngine, fetch_page
from spiders.fetch import FetchJob

log = logging.getLogger("rivalwatch.catalogue")
RATES = "rates"  # the rates source's name in `catalogue_imports`


class SourceError(Exception):
    """A file or URL that could not be read; the message says why."""


@dataclass
class ImportResult:
    name: str
    ok: bool
    items: int = 0
    message: str = ""
    problems: list[str] = field(default_factory=list)


def read_source(
    file: str | None, url: str | None, settings: Settings, *, obey_robots: bool, engine: CrawlEngine | None = None
) -> bytes:
    """The bytes of a file, or of a URL fetched through the crawl path."""
    if file is not None:
        try:
            return Path(file).expanduser().read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read {file}: {exc.strerror or exc}") from None
    assert url is not None
    job = FetchJob(watch_id=0, url=url, kind="page", obey_robots=obey_robots)
    page = fetch_page(job, crawl_settings(settings.crawl_limits(), False), engine)
    if page.error:
        raise SourceError(f"{url}: {page.error}")
    if page.status != 200:
        raise SourceError(f"{url}: HTTP {page.status}")
    return page.body


def _due(row: ImportRow | None, every_s: float, now: datetime, force: bool) -> bool:
    return force or row is None or row.last_at is None or row.last_at + timedelta(seconds=every_s) <= now


def _record(session: Session, name: str, now: datetime, result: ImportResult) -> None:
    row = session.get(ImportRow, name) or ImportRow(name=name)
    session.add(row)
    row.last_at, row.status, row.items = now, "ok" if result.ok else "failed", result.items
    row.error = None if result.ok else result.message
    if result.ok:
        row.last_ok_at = now


def _import_products(
    session: Session, source: CatalogueImport, data: bytes, catalogue: Catalogue, now: datetime
) -> ImportResult:
    try:
        parsed = parse_products(data, catalogue.currency, source.format)
    except FeedError as exc:
        return ImportResult(source.name, False, message=str(exc))
    if not parsed.entries and parsed.problems:
        return ImportResult(source.name, False, message=f"no row could be read ({parsed.problems[0]})", problems=parsed.problems)
    meta = lock_meta(session, now)
    report = upsert_products(session, parsed.entries, source.name, catalogue.currency, now)
    if report.changed:
        meta.catalogue_version += 1
    message = f"{report.added} added, {report.updated} updated, {report.deactivated} made inactive"
    if report.foreign:
        message += f", {report.foreign} left to the source that listed them first"
    return ImportResult(source.name, True, len(parsed.entries), message, parsed.problems)


def _import_rates(session: Session, source: RatesSource, data: bytes, now: datetime) -> ImportResult:
    try:
        rows = parse_rates(data, source.base)
    except RatesError as exc:
        return ImportResult(RATES, False, message=str(exc))
    meta = lock_meta(session, now)
    new = store_rates(session, rows, source.file or source.url or "", now, meta)
    days = sorted({r.day for r in rows})
    return ImportResult(RATES, True, len(rows), f"{new} new rates ({days[0]} to {days[-1]})")


def run_imports(
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    now: datetime,
    *,
    engine: CrawlEngine | None = None,
    force: bool = False,
    names: set[str] | None = None,
) -> list[ImportResult]:
    """Read every due source (all of them with `force`, or those named), each in its own transaction."""
    catalogue = watchlist.catalogue
    if catalogue is None:
        return []
    with session_factory() as session:
        done = {r.name: r for r in session.scalars(select(ImportRow))}
    jobs: list[tuple[str, str | None, str | None, float, bool]] = [
        (i.name, i.file, i.url, i.every, i.obey_robots) for i in catalogue.imports
    ]
    if catalogue.rates is not None:
        jobs.append((RATES, catalogue.rates.file, catalogue.rates.url, catalogue.rates.every, True))
    results = []
    for name, file, url, every, robots in jobs:
        if (names is not None and name not in names) or not _due(done.get(name), every, now, force or names is not None):
            continue
        try:
            data = read_source(file, url, watchlist.settings, obey_robots=robots, engine=engine)
        except SourceError as exc:
            result = ImportResult(name, False, message=str(exc))
        else:
            with session_factory.begin() as session:
                if name == RATES and catalogue.rates is not None:
                    result = _import_rates(session, catalogue.rates, data, now)
                else:
                    source = next(i for i in catalogue.imports if i.name == name)
                    result = _import_products(session, source, data, catalogue, now)
        if not result.ok:
            log.warning("catalogue source %s failed: %s", name, result.message)
        with session_factory.begin() as session:
            _record(session, name, now, result)
        results.append(result)
    return results


def after_crawl(
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    run_id: int | None,
    clock: Callable[[], datetime],
    engine: CrawlEngine | None = None,
) -> RefreshReport | None:
    """The catalogue's part of a cycle: due imports, then the matrix refresh with this run's changes.
    A no-op without a `catalogue:` section. A failure is logged, never raised: the crawl's own
    results are stored already and its run must still close and alert."""
    catalogue = watchlist.catalogue
    if catalogue is None:
        return None
    try:
        run_imports(watchlist, session_factory, clock(), engine=engine)
        with session_factory.begin() as session:
            return refresh_catalogue(
                session, catalogue, clock(), run_id=run_id, gone_after=watchlist.settings.gone_after
            )
    except Exception:  # noqa: BLE001  (see above)
        log.exception("the price matrix refresh of run %s failed; it is retried after the next crawl", run_id)
        return None


@dataclass
class CatalogueRun:
    run_id: int
    imports: list[ImportResult]
    refresh: RefreshReport | None
    alerts_queued: int = 0
    alerts_sent: int = 0


def catalogue_run(
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    clock: Callable[[], datetime],
    *,
    trigger: str = "catalogue",
    force_imports: bool = False,
    names: set[str] | None = None,
    send_alerts: bool = True,
) -> CatalogueRun:
    """Imports and a matrix refresh outside a crawl, in a run of their own whose changes alert."""
    with session_factory.begin() as session:
        run = CrawlRun(started_at=clock(), trigger=trigger)
        session.add(run)
        session.flush()
        run_id = run.id
    imports = run_imports(watchlist, session_factory, clock(), force=force_imports, names=names)
    refresh = None
    if watchlist.catalogue is not None:
        with session_factory.begin() as session:
            refresh = refresh_catalogue(
                session, watchlist.catalogue, clock(), run_id=run_id, gone_after=watchlist.settings.gone_after
            )
    result = CatalogueRun(run_id, imports, refresh)
    with session_factory.begin() as session:
        row = session.get(CrawlRun, run_id)
        if row is not None:
            row.finished_at, row.status = clock(), "done"
            row.changes = len(refresh.changes) if refresh else 0
        if send_alerts and watchlist.channels:
            result.alerts_queued = enqueue_run_alerts(session, run_id, watchlist, now=clock())
    if send_alerts and watchlist.channels and result.alerts_queued:
        result.alerts_sent = dispatch_pending(session_factory, watchlist, now=clock()).sent
    return result
