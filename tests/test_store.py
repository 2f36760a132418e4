"""The store on SQLite and PostgreSQL: migrations, watchlist sync, and the observation sink's writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import event, func, select

from models import Body, Change, Competitor, ProductState, Watch
from models.crawl import Observation
from models.db import upgrade
from monitor.crawl.runner import prepare_sink
from monitor.crawl.sync import sync_watchlist
from monitor.watchlist import load_watchlist_text
from spiders.fetch import FetchedPage

WATCHLIST = """
competitors:
  - {name: Alpha, domains: [alpha.test]}
products:
  - {url: "http://alpha.test/p/1", label: "Alpha · one", our_price: 9.5, interval: 1h}
  - {url: "http://alpha.test/p/2", label: "Alpha · two"}
  - {url: "http://other.test/p/3"}
"""

PAGE = (
    '<html><head><script type="application/ld+json">{"@type":"Product","name":"One","offers":{"price":"%s",'
    '"priceCurrency":"EUR","availability":"https://schema.org/%s"}}</script></head><body></body></html>'
)


def test_migrations_are_idempotent_and_sync_upserts(store) -> None:  # noqa: ANN001
    engine, factory = store
    upgrade(engine)  # a second upgrade is a no-op
    wl = load_watchlist_text(WATCHLIST)
    with factory.begin() as s:
        report = sync_watchlist(s, wl)
    assert (report.added, report.deactivated) == (3, 0)
    with factory.begin() as s:
        assert sync_watchlist(s, wl).added == 0
        names = set(s.scalars(select(Competitor.name)))
        assert names == {"Alpha", "other.test"}
        w1 = s.scalar(select(Watch).where(Watch.url == "http://alpha.test/p/1"))
        assert w1.interval_s == 3600 and w1.options["our_price"] == "9.5"
    smaller = load_watchlist_text(WATCHLIST.replace('  - {url: "http://other.test/p/3"}\n', ""))
    with factory.begin() as s:
        assert sync_watchlist(s, smaller).deactivated == 1
        assert s.scalar(select(func.count()).select_from(Watch).where(Watch.active.is_(True))) == 2


def test_syncing_an_unchanged_watchlist_writes_nothing(store) -> None:  # noqa: ANN001
    """Every `run` and `serve` start syncs: a watchlist the store already has costs reads only."""
    engine, factory = store
    wl = load_watchlist_text(WATCHLIST)
    with factory.begin() as s:
        sync_watchlist(s, wl)
    writes: list[str] = []

    def record(conn, cursor, statement: str, *args) -> None:  # noqa: ANN001, ANN002
        if not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with factory.begin() as s:
            report = sync_watchlist(s, wl)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert (report.added, report.updated, report.deactivated) == (0, 0, 0)
    assert writes == []
    changed = load_watchlist_text(
        WATCHLIST.replace("domains: [alpha.test]", "domains: [alpha.test, alpha.example]")
    )
    with factory.begin() as s:
        sync_watchlist(s, changed)
    with factory() as s:
        assert s.scalar(select(Competitor.domains).where(Competitor.name == "Alpha")) == [
            "alpha.test",
            "alpha.example",
        ]


def _fetched(job, body: str, status: int = 200) -> FetchedPage:  # noqa: ANN001
    return FetchedPage(
        job=job,
        url=job.url,
        status=status,
        headers={"content-type": "text/html"},
        body=body.encode(),
        elapsed_ms=3.0,
    )


def test_sink_writes_observations_states_changes_and_bodies_once(store) -> None:  # noqa: ANN001
    _engine, factory = store
    wl = load_watchlist_text(WATCHLIST)
    t0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
    days = [
        {"p/1": PAGE % ("10.00", "InStock"), "p/2": PAGE % ("20.00", "InStock"), "p/3": None},
        {"p/1": PAGE % ("8.00", "InStock"), "p/2": PAGE % ("20.00", "InStock"), "p/3": None},
        {"p/1": PAGE % ("8.00", "OutOfStock"), "p/2": PAGE % ("20.00", "InStock"), "p/3": None},
    ]
    for day, pages in enumerate(days):
        jobs, sink = prepare_sink(wl, factory, force=True, clock=lambda d=day: t0 + timedelta(days=d))
        for job in jobs:
            body = pages[job.url.split("/", 3)[3]]
            sink.accept(_fetched(job, body) if body else _fetched(job, "no", status=500))
        sink.flush()
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Observation)) == 9
        assert (
            s.scalar(select(func.count()).select_from(Observation).where(Observation.status == "failed")) == 3
        )
        # p/2 was the same page three times: one body, one state, two "unchanged" observations.
        assert (
            s.scalar(select(func.count()).select_from(Observation).where(Observation.unchanged.is_(True)))
            == 2
        )
        bodies = s.scalar(select(func.count()).select_from(Body))
        assert bodies == 5  # 3 distinct p/1 bodies + 1 p/2 body + the (shared) 500 error body
        changes = s.scalars(select(Change).order_by(Change.id)).all()
        assert [c.kind for c in changes] == ["price_down", "out_of_stock"]
        assert changes[0].magnitude == -0.2 and changes[0].competitor_id is not None
        prices = s.scalars(select(ProductState.price).order_by(ProductState.id)).all()
        assert prices == [Decimal("10.00"), Decimal("20.00"), Decimal("8.00"), Decimal("8.00")]
        failing = s.scalar(select(Watch).where(Watch.url == "http://other.test/p/3"))
        assert (
            failing.last_error == "HTTP 500"
            and failing.consecutive_failures == 3
            and failing.last_good_at is None
        )
        # A failing watch is retried sooner than its interval; a good one waits for its interval.
        good = s.scalar(select(Watch).where(Watch.url == "http://alpha.test/p/1"))
        assert good.next_due_at - good.last_checked_at > timedelta(minutes=50)
        assert failing.next_due_at - failing.last_checked_at < timedelta(hours=1)
        stored = s.get(
            Body, s.scalar(select(Observation.content_hash).where(Observation.status == "ok").limit(1))
        )
        assert stored.raw().startswith(b"<html>") and len(stored.data) < stored.size * 2
