"""Every price change carries the anomaly score of its point, from a scorer whose state survives cycles;
until the series has history the change carries no score, and says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models import Change
from monitor.crawl.runner import prepare_sink
from monitor.watchlist import load_watchlist_text
from spiders.fetch import FetchedPage

WATCHLIST = 'products:\n  - {url: "http://shop.test/p/1", label: "one"}\n'
PAGE = (
    '<html><head><script type="application/ld+json">{"@type":"Product","name":"One","offers":{"price":"%s",'
    '"priceCurrency":"EUR","availability":"https://schema.org/InStock"}}</script></head><body></body></html>'
)


def _day(factory, wl, day: int, price: str) -> None:  # noqa: ANN001
    t0 = datetime(2026, 9, 1, 9, tzinfo=UTC)
    jobs, sink = prepare_sink(wl, factory, force=True, clock=lambda: t0 + timedelta(days=day))
    (job,) = jobs
    sink.accept(FetchedPage(job=job, url=job.url, status=200, headers={"content-type": "text/html"},
                            body=(PAGE % price).encode()))
    sink.flush()


def test_price_changes_carry_an_anomaly_score_that_separates_noise_from_a_campaign(store) -> None:  # noqa: ANN001
    _engine, factory = store
    wl = load_watchlist_text(WATCHLIST)
    # Five weeks of a price that wobbles by a cent or two, then a 25% cut.
    for day in range(35):
        _day(factory, wl, day, ("100.00", "100.50", "99.80")[day % 3])
    _day(factory, wl, 35, "75.00")
    with factory() as s:
        changes = s.scalars(select(Change).order_by(Change.id)).all()
    wobbles, (cut,) = changes[:-1], changes[-1:]
    assert cut.kind == "price_down"
    assert cut.anomaly_score is not None and cut.anomaly_score > 0.9
    assert "the largest drop in 35 days of history (-25%)" in cut.anomaly_explanation
    assert "it usually moves less than 0.7%" in cut.anomaly_explanation
    t0 = changes[0].detected_at - timedelta(days=1)  # the first change is on day 1
    early = [c for c in wobbles if (c.detected_at - t0).days < 14]
    assert early and all(c.anomaly_score is None for c in early)
    assert all("not enough history yet" in c.anomaly_explanation for c in early)
    late_wobbles = [c.anomaly_score for c in wobbles if c.anomaly_score is not None]
    assert late_wobbles and max(late_wobbles) < 0.3


def test_a_state_stored_by_the_previous_model_is_upgraded_in_place(store) -> None:  # noqa: ANN001
    from models.series import SeriesState

    _engine, factory = store
    wl = load_watchlist_text(WATCHLIST)
    for day in range(3):
        _day(factory, wl, day, "100.00")
    t0 = datetime(2026, 9, 1, 9, tzinfo=UTC)
    with factory.begin() as s:  # what the previous model (version 1) kept: its last 60 points
        row = s.scalars(select(SeriesState)).one()
        row.state = {
            "version": 1,
            "config": {"window": 60},
            "label": "price",
            "values": [(100.00, 100.50, 99.80)[i % 3] for i in range(40)],
            "times": [(t0 + timedelta(days=i - 37)).isoformat() for i in range(40)],
            "residuals": [],
            "calibrator": {},
        }
    _day(factory, wl, 3, "70.00")
    with factory() as s:
        cut = s.scalars(select(Change).order_by(Change.id.desc())).first()
        state = s.scalars(select(SeriesState)).one().state
    assert cut.kind == "price_down" and cut.anomaly_score > 0.9  # the 40 old points count as history
    assert "the largest drop in 40 days of history" in cut.anomaly_explanation
    assert state["version"] == 2 and len(state["values"]) == 41


def test_a_new_series_whose_state_write_fails_is_written_whole_on_the_next_try(tmp_path) -> None:  # noqa: ANN001
    """A first point is kept without a scorer; a write that fails before the store has it must not
    lose it (the store here refuses the first write: its table is missing, then restored)."""
    from datetime import UTC, datetime

    from sqlalchemy import select, text
    from sqlalchemy.orm import Session

    from models import Watch
    from models.db import open_store
    from models.series import SeriesState
    from monitor.anomaly_feed import PriceAnomalyFeed, price_key

    engine, factory = open_store(f"sqlite:///{tmp_path / 'feed.db'}")
    with factory.begin() as session:
        watch = Watch(kind="product", url="http://127.0.0.1:9/p/1", options={}, tags=[])
        session.add(watch)
        session.flush()
        watch_id = watch.id
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE series_states RENAME TO series_states_away"))
    feed = PriceAnomalyFeed({})
    at = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    feed.observe(watch_id, at, 19.99)
    with Session(engine) as session:
        try:
            feed.write(session, at)
            session.commit()
            raise AssertionError("the write should have failed: its table is missing")
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, AssertionError):
                raise
            session.rollback()
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE series_states_away RENAME TO series_states"))
    with Session(engine) as session:
        feed.write(session, at)
        session.commit()
        stored = session.scalars(select(SeriesState).where(SeriesState.key == price_key(watch_id))).one()
        assert stored.state["values"] == [19.99] and stored.state["seen"] == 1
    engine.dispose()
