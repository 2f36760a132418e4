"""Series from the store beyond single prices: a competitor-wide price cut shows in its price level;
its usual wobble does not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from monitor.anomaly_scan import competitor_days, daily_counts, daily_last, price_index, scan_store
from monitor.crawl.runner import prepare_sink
from monitor.watchlist import load_watchlist_text
from spiders.fetch import FetchedPage

T0 = datetime(2026, 9, 1, 9, tzinfo=UTC)
PAGE = (
    '<html><head><script type="application/ld+json">{"@type":"Product","name":"P","offers":{"price":"%s",'
    '"priceCurrency":"EUR","availability":"https://schema.org/InStock"}}</script></head><body></body></html>'
)
WATCHLIST = "competitors: [{name: Rival, domains: [rival.test]}]\nproducts:\n" + "".join(
    f'  - {{url: "http://rival.test/p/{i}", our_price: 100}}\n' for i in range(4)
)


def test_daily_builders() -> None:
    d = datetime(2026, 1, 1, tzinfo=UTC)
    assert daily_last([(d, 1.0), (d + timedelta(hours=5), 2.0), (d + timedelta(days=1), 3.0)]) == [
        (date(2026, 1, 1), 2.0),
        (date(2026, 1, 2), 3.0),
    ]
    assert daily_counts([date(2026, 1, 2)] * 3, date(2026, 1, 1), date(2026, 1, 3)) == [
        (date(2026, 1, 1), 0.0),
        (date(2026, 1, 2), 3.0),
        (date(2026, 1, 3), 0.0),
    ]
    index = price_index(
        [(1, d, Decimal("90")), (2, d, Decimal("110")), (1, d + timedelta(days=1), Decimal("80"))],
        {1: Decimal("100"), 2: Decimal("100")},
        date(2026, 1, 1),
        date(2026, 1, 2),
    )
    assert index == [(date(2026, 1, 1), 100.0), (date(2026, 1, 2), 95.0)]  # watch 2 carries 110 forward
    days = competitor_days(
        [("R", date(2026, 1, 1), "price_down", -0.2), ("R", date(2026, 1, 1), "out_of_stock", None)],
        {"R": 4},
        date(2026, 1, 1),
        date(2026, 1, 1),
    )
    assert (
        days["R"][0].share_moved == 0.25 and days["R"][0].mean_move == -0.2 and days["R"][0].stock_outs == 1
    )


def test_a_competitor_wide_cut_is_flagged_and_quiet_weeks_are_not(store) -> None:  # noqa: ANN001
    _engine, factory = store
    wl = load_watchlist_text(WATCHLIST)
    for day in range(40):
        jobs, sink = prepare_sink(wl, factory, force=True, clock=lambda d=day: T0 + timedelta(days=d))
        for i, job in enumerate(jobs):
            base = 100 + (day + i) % 3 * 0.5  # a little daily wobble
            price = base * 0.75 if day >= 38 else base
            sink.accept(
                FetchedPage(
                    job=job,
                    url=job.url,
                    status=200,
                    headers={"content-type": "text/html"},
                    body=(PAGE % f"{price:.2f}").encode(),
                )
            )
        sink.flush()
        if day == 30:
            with factory() as s:
                quiet = scan_store(s, T0 + timedelta(days=30), min_score=0.9)
                assert [f for f in quiet if f.series == "price_index"] == []
    with factory() as s:
        flags = scan_store(s, T0 + timedelta(days=39), min_score=0.8)
    series = {f.series for f in flags}
    assert "price_index" in series, flags
    cut = next(f for f in flags if f.series == "price_index")
    assert cut.label == "Rival price index vs ours" and cut.value < 80
    assert "the largest drop in 38 days of history (-25%)" in cut.explanation


def _crawl_day(wl, factory, day: int, price: float) -> None:  # noqa: ANN001
    jobs, sink = prepare_sink(wl, factory, force=True, clock=lambda d=day: T0 + timedelta(days=d))
    for job in jobs:
        body = (PAGE % f"{price:.2f}").encode()
        sink.accept(FetchedPage(job=job, url=job.url, status=200, headers={"content-type": "text/html"}, body=body))
    sink.flush()


def test_after_one_day_nothing_is_flagged_and_days_before_the_first_check_are_not_quiet_days(store) -> None:  # noqa: ANN001
    _engine, factory = store
    wl = load_watchlist_text(WATCHLIST)
    _crawl_day(wl, factory, 0, 100.0)
    with factory() as s:
        assert scan_store(s, T0 + timedelta(hours=1), min_score=0.0) == []
    for day in range(1, 20):
        _crawl_day(wl, factory, day, 100.0 if day < 19 else 70.0)
    with factory() as s:
        flags = scan_store(s, T0 + timedelta(days=19), min_score=0.0)
    rates = {f.day: f for f in flags if f.series == "change_rate"}
    # The change-rate series starts on the first check (day 0), not 90 days earlier: day 19 is its
    # 20th point and the first day with price changes, a rate never seen.
    cut = rates[(T0 + timedelta(days=19)).date()]
    assert cut.value == 4 and cut.score >= 0.9 and "19 days of history" in cut.explanation
    assert max(f.score for day, f in rates.items() if day < cut.day) < 0.5
