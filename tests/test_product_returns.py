"""Gone -> back over the demo market's HTTP: a product page answers 404 for three days (reported gone),
then comes back byte for byte as it was before it went. The real crawl must report it back, once,
with no price change, and must have asked for the page unconditionally (a 200, not a 304 against
validators of a page that was gone)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import yaml
from sqlalchemy import select

from models import Change, Observation, Watch
from models.db import open_store
from monitor.crawl.runner import run_cycle, sync_store
from monitor.demo import DemoMarket
from monitor.demo.session import demo_watchlist
from monitor.watchlist import load_watchlist_text
from spiders.engine import quiet_scrapy_logs

DAYS = 7


def test_a_product_that_comes_back_byte_identical_is_reported_back(tmp_path) -> None:  # noqa: ANN001
    quiet_scrapy_logs(logging.CRITICAL)
    _engine, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
    start = datetime.now(UTC) - timedelta(days=DAYS)
    with DemoMarket(seed=7, n_products=12) as market:
        returning = {market.returning_product(shop)[1]: shop for shop in market.shop_names}
        data = demo_watchlist(market, "json://127.0.0.1:9/unused")
        data["products"] = [w for w in data["products"] if w["url"] in returning]
        data["channels"], data["rules"] = [], []
        data["settings"].update(extract_workers=0, retries=0)
        watchlist = load_watchlist_text(yaml.safe_dump(data))
        sync_store(watchlist, factory)
        _, _, away, back = market.returning_product(market.shop_names[0])
        for day in range(DAYS):
            market.set_day(day)
            moment = start + timedelta(days=day)
            run_cycle(watchlist, factory, force=True, clock=lambda m=moment: m, send_alerts=False, sync=False)
    with factory() as s:
        watches = {w.id: w.url for w in s.scalars(select(Watch).where(Watch.kind == "product"))}
        observations = list(s.scalars(select(Observation).order_by(Observation.fetched_at, Observation.id)))
        changes = list(s.scalars(select(Change).order_by(Change.detected_at, Change.id)))
    assert len(watches) == len(returning) == 4
    for watch_id, url in watches.items():
        seen = [o for o in observations if o.watch_id == watch_id]
        day_of = {o.id: (o.fetched_at - start).days for o in seen}
        mine = [(day_of[c.observation_id], c.kind) for c in changes if c.watch_id == watch_id]
        assert [o.http_status for o in seen][away : back] == [404] * (back - away), url
        assert ("product_gone" in {k for _, k in mine}) and (back - 1, "product_gone") in mine, (url, mine)
        assert [k for d, k in mine if d == back] == ["product_returned"], (url, mine)  # back, and nothing else
        assert sum(k == "product_returned" for _, k in mine) == 1
        last_good, returned = seen[away - 1], seen[back]
        assert returned.status == "ok" and returned.http_status == 200  # asked afresh, not conditionally
        assert returned.content_hash == last_good.content_hash  # the very bytes it showed before it went
    print(f"\n{len(watches)} products gone on day {away}, reported gone on day {back - 1}, back on day {back}")
