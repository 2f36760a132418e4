"""Every price change carries the anomaly score of its point, from a scorer whose state survives cycles."""

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
    assert "below" in cut.anomaly_explanation and "median" in cut.anomaly_explanation
    late_wobbles = [c.anomaly_score for c in wobbles[10:]]
    assert late_wobbles and max(late_wobbles) < cut.anomaly_score
    assert sum(score < 0.5 for score in late_wobbles) >= len(late_wobbles) * 0.8
