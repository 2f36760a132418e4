"""The demo end to end, and the report it writes held against the store, number by number.

`rivalwatch demo` runs for real (the market over HTTP on 127.0.0.1, SQLite, SMTP into a folder); then
every figure of the report's JSON is recomputed here straight from the store's rows, with queries of
this test's own, and the store's prices are held against the market's own truth: the report says
what the store holds, and the store holds what the shops showed.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console
from sqlalchemy import func, select

from models import Change, Competitor, Observation, ProductState, Watch
from models.db import open_store
from monitor.demo.catalogue import Catalogue
from monitor.demo.session import run_demo
from monitor.demo.shops import HTTP_SHOPS

DAYS = 7
SEED = 7
PRODUCTS = 20


@pytest.fixture(scope="module")
def demo(tmp_path_factory):  # noqa: ANN201
    workdir = tmp_path_factory.mktemp("demo")
    before = datetime.now(UTC)
    result = run_demo(days=DAYS, seed=SEED, n_products=PRODUCTS, workdir=workdir, console=Console(file=io.StringIO()))
    after = datetime.now(UTC)
    reports = workdir / "reports"
    data = json.loads(next(reports.glob("*.json")).read_text(encoding="utf-8"))
    _engine, factory = open_store(result.database_url)
    return result, data, factory, before, after, reports


def _period(data: dict) -> tuple[datetime, datetime, ZoneInfo]:
    tz = ZoneInfo(data["timezone"])
    first, last = date.fromisoformat(data["first_day"]), date.fromisoformat(data["last_day"])
    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end, tz


def test_the_demo_days_are_the_reports_week_and_it_is_dated_now(demo) -> None:  # noqa: ANN001
    _result, data, factory, before, after, _ = demo
    start, end, tz = _period(data)
    with factory() as s:
        fetched = list(s.scalars(select(Observation.fetched_at)))
    days = sorted({t.astimezone(tz).date() for t in fetched})
    assert len(days) == DAYS and (days[-1] - days[0]).days == DAYS - 1  # one check a day, 7 days running
    assert all(start <= t < end for t in fetched)  # every demo day lies inside the report's week
    assert days[-1] < after.astimezone(tz).date() and max(fetched) <= after  # nothing in the future
    generated = datetime.fromisoformat(data["generated_at"])
    assert before <= generated <= after  # dated now
    assert data["first_day"] == days[0].isoformat() and data["last_day"] == days[-1].isoformat()


def _store_view(factory, start: datetime, end: datetime):  # noqa: ANN001, ANN202
    """What this test reads from the store by itself: competitors, product watches, the period's changes
    (their competitor as the report assigns it), and every product state."""
    with factory() as s:
        comps = {c.name: c.id for c in s.scalars(select(Competitor))}
        watches = {w.id: w for w in s.scalars(select(Watch))}
        changes = defaultdict(list)
        for c in s.scalars(select(Change).where(Change.detected_at >= start, Change.detected_at < end)):
            cid = c.competitor_id or watches[c.watch_id].competitor_id
            changes[cid].append(c)
        states = defaultdict(list)
        for st in s.scalars(select(ProductState).order_by(ProductState.observed_at, ProductState.id)):
            states[st.watch_id].append(st)
        first_ok = dict(
            s.execute(
                select(Observation.watch_id, func.min(Observation.fetched_at))
                .where(Observation.status == "ok")
                .group_by(Observation.watch_id)
            ).all()
        )
    return comps, watches, changes, states, first_ok


def _kinds(changes: list[Change]) -> Counter:
    return Counter(c.kind for c in changes)


def test_every_number_of_the_reports_json_is_the_stores(demo) -> None:  # noqa: ANN001
    _result, data, factory, *_ = demo
    start, end, _tz = _period(data)
    comps, watches, changes, states, first_ok = _store_view(factory, start, end)
    assert {c["name"] for c in data["competitors"]} == set(comps)
    for comp in data["competitors"]:
        cid, name = comps[comp["name"]], comp["name"]
        mine = changes[cid]
        kinds = _kinds(mine)
        products = [w for w in watches.values() if w.kind == "product" and w.competitor_id == cid]
        # its first week: a baseline, nothing to compare with, nothing "added"
        assert comp["baseline"] is True and comp["watching_since"] == data["first_day"]
        assert comp["first_checked"] == sum(1 for w in products if w.id in first_ok)
        p = comp["prices"]
        # price moves up/down in the week equal the store's price changes in the week
        assert p["moves_up"]["this_week"] == kinds["price_up"], name
        assert p["moves_down"]["this_week"] == kinds["price_down"], name
        assert p["changes"]["this_week"] == kinds["price_up"] + kinds["price_down"]
        assert p["moves_up"]["last_week"] is None and p["changes"]["delta"] is None  # "—"
        net_up = net_down = below = 0
        ratios = []
        for w in products:
            priced = [st.price for st in states[w.id] if st.price is not None and start <= st.observed_at < end]
            if len(priced) >= 2:
                net_up += priced[-1] > priced[0]
                net_down += priced[-1] < priced[0]
            ours = Decimal(w.options["our_price"]) if w.options.get("our_price") else None
            if priced and ours:
                ratios.append(float(priced[-1] / ours))
                below += priced[-1] < ours
        assert (p["net_up"]["this_week"], p["net_down"]["this_week"]) == (net_up, net_down), name
        assert p["index_vs_ours"]["this_week"] == pytest.approx(100 * statistics.median(ratios), abs=1e-6)
        assert p["below_our_price"]["this_week"] == below
        price_changes = [c for c in mine if c.kind in ("price_up", "price_down")]
        assert len(p["moves"]) == min(10, len({c.watch_id for c in price_changes}))
        for move in p["moves"]:  # each biggest move is a stored change, the largest of its product
            own = [c for c in price_changes if c.watch_id == move["watch_id"]]
            top = max(own, key=lambda c: abs(c.magnitude))
            assert (Decimal(move["before"]), Decimal(move["after"])) == (Decimal(top.old), Decimal(top.new))
            assert datetime.fromisoformat(move["at"]) == top.detected_at
        stock = comp["stock"]
        assert stock["stock_outs"]["this_week"] == kinds["out_of_stock"]
        assert stock["restocks"]["this_week"] == kinds["back_in_stock"]
        out_at_end = sum(
            1 for w in products
            if states[w.id] and states[w.id][-1].availability in ("OutOfStock", "SoldOut", "Discontinued")
        )  # fmt: skip
        assert stock["out_of_stock_now"]["this_week"] == out_at_end
        a = comp["assortment"]
        if a is not None:
            assert a["products_added"]["this_week"] is None  # the baseline week adds nothing
            assert a["products_removed"]["this_week"] == kinds["product_gone"]
            assert a["products_returned"]["this_week"] == kinds["product_returned"]
            assert a["listing_added"]["this_week"] == kinds["listing_item_added"]
            assert a["listing_removed"]["this_week"] == kinds["listing_item_removed"]
        else:
            assert not (kinds["product_gone"] or kinds["listing_item_added"] or kinds["listing_item_removed"])
        site = comp["site"]
        if site is not None:
            assert site["pages_added"]["this_week"] == kinds["page_added"] + kinds["new_content_published"]
            assert site["pages_removed"]["this_week"] == kinds["page_removed"]
    # the summary's groups count the store's changes of that competitor and kind
    for line in data["summary"]:
        cid = comps.get(line["competitor"])
        if cid is not None and line["count"] > 1:
            assert line["count"] == _kinds(changes[cid])[line["kind"]], line["text"]
        if line["kind"] in ("rank_moved", "entered_top_n", "left_top_n"):
            assert "%" not in line["text"] and line["magnitude"] is None  # ranks move in places


def test_the_store_holds_what_the_shops_showed(demo) -> None:  # noqa: ANN001
    """Our own check: per product, the stored prices are the market's prices of each checked day, and
    its price changes are exactly the moves between consecutive priced checks."""
    _result, data, factory, *_ = demo
    start, end, tz = _period(data)
    _comps, watches, changes, states, _first = _store_view(factory, start, end)
    catalogue = Catalogue(SEED, PRODUCTS, HTTP_SHOPS, date.fromisoformat(data["first_day"]))
    truth = {d: catalogue.truth(d) for d in range(DAYS)}
    by_watch = defaultdict(list)
    for cs in changes.values():
        for c in cs:
            by_watch[c.watch_id].append(c)
    checked = 0
    for w in (w for w in watches.values() if w.kind == "product"):
        shop, pid = w.label.split(" · ", 1)[0].lower(), w.options["our_sku"]
        priced = [st for st in states[w.id] if st.price is not None]
        for st in priced:
            day = (st.observed_at.astimezone(tz).date() - date.fromisoformat(data["first_day"])).days
            assert st.price == truth[day][shop][pid].price, (w.label, day)
            checked += 1
        moves = sum(1 for a, b in zip(priced, priced[1:], strict=False) if a.price != b.price)
        assert moves == sum(1 for c in by_watch[w.id] if c.kind in ("price_up", "price_down")), w.label
    assert checked >= PRODUCTS * len(HTTP_SHOPS)  # unchanged pages (304, same bytes) add no state row


def test_csv_markdown_and_chinese_carry_the_same_numbers(demo) -> None:  # noqa: ANN001
    result, data, _factory, *_ = demo
    reports = result.workdir / "reports"
    rows = list(csv.DictReader(io.StringIO(next(reports.glob("*.csv")).read_text(encoding="utf-8"))))
    for comp in data["competitors"]:
        for metric in ("moves_up", "moves_down", "net_up", "net_down"):
            [row] = [r for r in rows if r["competitor"] == comp["name"] and r["metric"] == metric]
            assert int(row["this_week"]) == comp["prices"][metric]["this_week"] and row["last_week"] == ""
    md = next(reports.glob("*.md")).read_text(encoding="utf-8")
    first = data["competitors"][0]
    assert f"| Price moves down | {first['prices']['moves_down']['this_week']} | — |" in md
    assert "First week of watching" in md and "Products added 50" not in md
    from monitor.report import build
    from monitor.report.period import date_range
    from monitor.report.render_md import render_md
    from monitor.watchlist import load_watchlist

    wl = load_watchlist(result.watchlist_path)
    _e, factory = open_store(result.database_url)
    period = date_range(date.fromisoformat(data["first_day"]), date.fromisoformat(data["last_day"]), data["timezone"])
    zh = render_md(build(factory, period, rules=wl.rules), "zh-CN")
    assert f"| 降价次数 | {first['prices']['moves_down']['this_week']} | — |" in zh


@pytest.mark.browser
def test_the_report_and_a_mail_read_well_in_chromium(demo) -> None:  # noqa: ANN001
    """The demo's HTML report and its first digest mail in headless Chromium, no network: every
    section and chart is there, and screenshots are kept under artifacts/ to be looked at."""
    from pathlib import Path

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is missing")
    from playwright.sync_api import sync_playwright

    from monitor.demo.mailbox import LocalMailbox
    from spiders.settings import PLAYWRIGHT_LAUNCH_OPTIONS

    result, data, *_ = demo
    artifacts = Path(__file__).resolve().parents[1] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    report = next((result.workdir / "reports").glob("*.html"))
    mails = LocalMailbox(result.mailbox).messages()
    mail = max(mails, key=lambda m: len(m.get_body(("html",)).get_content()))  # the busiest morning
    page_html = artifacts / "demo-mail.html"
    page_html.write_text(
        f"<!DOCTYPE html><meta charset='utf-8'><title>{mail['Subject']}</title>"
        f"<p style='font:13px sans-serif;color:#555'>Subject: <b>{mail['Subject']}</b></p>"
        + mail.get_body(("html",)).get_content(),
        encoding="utf-8",
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**PLAYWRIGHT_LAUNCH_OPTIONS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.route("**/*", lambda r: r.abort() if not r.request.url.startswith("file:") else r.continue_())
            page.goto(report.as_uri())
            for section in ("summary", "price-index", "prices", "stock", "keywords", "search"):
                assert page.locator(f"[data-section='{section}']").first.is_visible(), section
            assert page.locator("[data-baseline]").count() == len(data["competitors"])
            for chart in ("price-index", "price-history", "rank-history", "share-of-voice"):
                box = page.locator(f"svg[data-chart='{chart}']").first.bounding_box()
                assert box and box["width"] > 300 and box["height"] > 120, chart
            page.screenshot(path=str(artifacts / "demo-report.png"), full_page=True)
            page.goto(page_html.as_uri())
            assert page.locator("table").count() == len({c["name"] for c in data["competitors"]})
            assert page.locator("a[href^='http://127.0.0.1']").count() >= 3  # each watch links to its page
            page.screenshot(path=str(artifacts / "demo-mail.png"), full_page=True)
        finally:
            browser.close()
    print(f"\nscreenshots: {artifacts / 'demo-report.png'} {artifacts / 'demo-mail.png'}")
