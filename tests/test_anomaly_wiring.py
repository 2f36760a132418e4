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
