"""The whole crawl path over real HTTP against the demo market: what is stored equals the market's truth,
the changes detected are exactly the moves the market made, and bad pages are failed observations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from models import Change, ProductState, Watch
from models.crawl import Observation
from monitor.crawl.runner import run_cycle
from monitor.demo.session import demo_watchlist
from monitor.kinds.product.changes import stock_state
from monitor.watchlist import load_watchlist_text

DAYS = 5


def _watchlist(market, extra_products: list[dict] | None = None):  # noqa: ANN001, ANN202
    import yaml

    data = demo_watchlist(market, "json://127.0.0.1:9/unused")
    data["channels"], data["rules"] = [], []
    data["settings"]["retries"] = 0
    data["settings"]["download_timeout"] = 3
    data["products"] += extra_products or []
    return load_watchlist_text(yaml.safe_dump(data))


def _expected_kinds(before, after) -> list[str]:  # noqa: ANN001
    kinds = []
    if before.exists and after.exists:
        if after.price != before.price and after.currency == before.currency:
            kinds.append("price_down" if after.price < before.price else "price_up")
        s0, s1 = stock_state(before.availability), stock_state(after.availability)
        if (s0, s1) == ("in", "out"):
            kinds.append("out_of_stock")
        if (s0, s1) == ("out", "in"):
            kinds.append("back_in_stock")
    return kinds


def test_stored_states_and_changes_match_the_market_truth(market, store) -> None:  # noqa: ANN001
    _engine, factory = store
    market.set_day(0)
    watchlist = _watchlist(market)
    url_of = {(shop, pid): url for shop, pid, url in market.product_urls(day=0)}
    t0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
    for day in range(DAYS):
        market.set_day(day)
        summary = run_cycle(
            watchlist, factory, force=True, send_alerts=False, clock=lambda d=day: t0 + timedelta(days=d)
        )
        assert summary.due == len(url_of)
        truth = market.truth(day)
        with factory() as s:
            watch_id = {w.url: w.id for w in s.scalars(select(Watch))}
            for (shop, pid), url in url_of.items():
                t = truth[shop][pid]
                wid = watch_id[url]
                if not t.exists:
                    last = s.scalars(
                        select(Observation).where(Observation.watch_id == wid).order_by(Observation.id.desc())
                    ).first()
                    assert last.status == "failed" and last.http_status == 404
                    continue
                state = s.scalars(
                    select(ProductState).where(ProductState.watch_id == wid).order_by(ProductState.id.desc())
                ).first()
                assert state.price == t.price, (day, shop, pid)
                assert state.currency == t.currency, (day, shop, pid)
                assert state.availability == t.availability, (day, shop, pid)
            if day == 0:
                continue
            before = market.truth(day - 1)
            expected = sorted(
                (watch_id[url], kind)
                for (shop, pid), url in url_of.items()
                for kind in _expected_kinds(before[shop][pid], truth[shop][pid])
            )
            got = sorted((c.watch_id, c.kind) for c in summary.changes if c.kind != "product_gone")
            assert got == expected, f"day {day}"
    with factory() as s:
        moves = s.scalar(
            select(func.count()).select_from(Change).where(Change.kind.in_(["price_down", "price_up"]))
        )
        assert moves > 0  # the market did move: this test compared something


BAD = {
    "/bad/500": "HTTP 500",
    "/bad/captcha": "blocked",
    "/bad/login": "blocked: login wall",
    "/bad/binary": "not an HTML page (image/png)",
    "/bad/json": "not an HTML page (application/json)",
    "/bad/empty": "empty page",
    "/bad/huge?mb=20": "page too large",
    "/bad/slow?s=10": "timed out",
    "/bad/loop": "redirect",
}


def test_bad_pages_are_failed_observations_and_lose_nothing(market, store) -> None:  # noqa: ANN001
    _engine, factory = store
    market.set_day(0)
    base = market.base_urls["alpha"]
    extra = [{"url": base + path, "label": path} for path in BAD]
    extra += [
        {"url": "http://127.0.0.1:9/closed-port", "label": "dead site"},
        {"url": "http://no-such-host.invalid/p", "label": "wrong host"},
    ]
    watchlist = _watchlist(market, extra)
    summary = run_cycle(watchlist, factory, force=True, send_alerts=False)
    by_label = {}
    with factory() as s:
        for w in s.scalars(select(Watch)):
            by_label[w.label] = w
        states_before = s.scalar(select(func.count()).select_from(ProductState))
    for path, reason in BAD.items():
        w = by_label[path]
        assert w.last_error and reason in w.last_error, (path, w.last_error)
    assert "connection refused" in by_label["dead site"].last_error
    assert "host not found" in by_label["wrong host"].last_error
    encoding = run_cycle(
        _watchlist(market, [{"url": base + "/bad/encoding", "label": "enc"}]),
        factory,
        force=True,
        send_alerts=False,
    )
    with factory() as s:
        enc = s.scalar(select(Watch).where(Watch.label == "enc"))
        state = s.scalars(select(ProductState).where(ProductState.watch_id == enc.id)).first()
        assert enc.last_error is None and state is not None and state.price > Decimal(0)
    # The good watches of the same run were stored as usual and nothing produced a change.
    assert summary.stats.ok == len(market.product_urls(day=0))
    assert summary.changes == [] and encoding.changes == []
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(ProductState)) >= states_before


def test_private_addresses_are_refused_unless_allowed(market, store) -> None:  # noqa: ANN001
    import yaml

    _engine, factory = store
    url = market.product_urls(day=0)[0][2]
    refused = load_watchlist_text(yaml.safe_dump({"products": [{"url": url}], "settings": {"retries": 0}}))
    summary = run_cycle(refused, factory, force=True, send_alerts=False)
    (outcome,) = summary.stats.outcomes
    assert outcome.status == "failed" and "not a public address" in outcome.reason
