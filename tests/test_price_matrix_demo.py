"""The price matrix over real HTTP against the demo market: every cell held against the market's truth.

Four shops sell the same products under their own names (JSON-LD with GTINs, microdata with GTINs,
plain HTML, and Chinese OpenGraph pages), in USD, EUR, GBP and CNY. Our catalogue lists the market's
products at our prices plus near twins only we sell. Each day the test recomputes, from the market's
truth and the rates file alone, what every cell must say (the price converted, the gap, stock,
shipping, since when the price has held) and what every row must say (our rank, the cheapest, the
median, whether we are the most expensive), and which matrix changes the day must produce.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import yaml
from sqlalchemy import select

from models import Watch
from models.catalogue import OurProduct, ProductMatch
from monitor.catalogue.auto_match import decide_match
from monitor.catalogue.matrix import map_violations, where_least_expensive, where_most_expensive
from monitor.catalogue.view import price_matrix
from monitor.catalogue.weekly import price_position
from monitor.catalogue_cycle import catalogue_run
from monitor.crawl.runner import run_cycle
from monitor.demo import DemoMarket
from monitor.demo.session import demo_watchlist
from monitor.demo.session_prices import demo_catalogue, our_sku
from monitor.demo.shop_style import shipping_of
from monitor.demo.shops import SHOPS
from monitor.report import build
from monitor.report.period import date_range
from monitor.report.render_csv import render_csv
from monitor.report.render_html import render_html
from monitor.report.render_json import render_json
from monitor.report.render_md import render_digest, render_md
from monitor.watchlist import load_watchlist_text
from spiders.engine import quiet_scrapy_logs

DAYS = 5
T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
OUT = {"OutOfStock", "SoldOut", "Discontinued"}
MATRIX_KINDS = {"undercut_by", "map_violation", "most_expensive", "cheapest_changed", "competitor_out_of_stock"}


@pytest.fixture(scope="module")
def market():  # noqa: ANN201
    quiet_scrapy_logs(logging.CRITICAL)
    with DemoMarket(seed=11, n_products=12) as m:
        yield m


def _rates(path) -> dict[str, Decimal]:  # noqa: ANN001
    """1 EUR in each currency, read from the file with a regular expression (not the code under test)."""
    text = path.read_text()
    rates = {c: Decimal(r) for c, r in re.findall(r'currency="([A-Z]{3})" rate="([0-9.]+)"', text)}
    rates["EUR"] = Decimal(1)
    return rates


@dataclass
class Expected:
    converted: Decimal
    availability: str
    gone: bool
    shipping: Decimal | None
    since: datetime

    @property
    def counts(self) -> bool:
        return not self.gone and self.availability not in OUT

    @property
    def stock(self) -> str:
        return "gone" if self.gone else "out" if self.availability in OUT else "in"


def _usd(amount: Decimal, currency: str, rates: dict[str, Decimal]) -> Decimal:
    return amount * rates["USD"] / rates[currency]


def _expected_cells(market, day, rates, since, previous) -> dict[tuple[str, str], Expected]:  # noqa: ANN001
    """(our SKU, competitor) -> what the cell must say on `day`."""
    out = {}
    for shop, rows in market.truth(day).items():
        for pid, t in rows.items():
            p = market.catalogue.by_id[pid]
            if p.num >= market.n_products:
                continue  # a new arrival: we do not sell it, and no watch follows it
            key = (our_sku(p), shop.capitalize())
            prev = previous.get(key)
            if not t.exists:  # the page answers 404: the last good state, gone
                out[key] = Expected(prev.converted, prev.availability, True, prev.shipping, prev.since)
                continue
            price_moved = prev is None or _usd(t.price, t.currency, rates) != prev.converted
            since[key] = T0 + timedelta(days=day) if price_moved else since[key]
            ship = shipping_of(SHOPS[shop], t.price)
            out[key] = Expected(
                _usd(t.price, t.currency, rates),
                t.availability,
                False,
                None if ship is None else _usd(ship, t.currency, rates),
                since[key],
            )
    return out


def _row_truth(ours: Decimal, cells: dict[str, Expected]) -> dict:
    counting = {c: e for c, e in cells.items() if e.counts}
    prices = [e.converted for e in counting.values()]
    return {
        "rank": 1 + sum(1 for p in prices if p < ours),
        "offers": len(prices),
        "cheapest": min(counting, key=lambda c: counting[c].converted) if counting else None,
        "median": statistics.median(prices) if prices else None,
        "most_expensive": bool(prices) and all(p < ours for p in prices),
    }


def _expected_changes(ours, maps, before, after) -> set[tuple[str, str, str]]:  # noqa: ANN001
    """(kind, our SKU, competitor) the day must report, by the matrix rules' definitions."""
    out = set()
    for (sku, comp), now in after.items():
        was = before[(sku, comp)]
        for kind, ref in (("undercut_by", ours[sku]), ("map_violation", maps.get(sku))):
            if ref is None or not (now.counts and now.converted < ref):
                continue
            if not (was.counts and was.converted < ref) or now.converted < was.converted:
                out.add((kind, sku, comp))
        if was.stock == "in" and now.stock == "out":
            out.add(("competitor_out_of_stock", sku, comp))
    for sku, price in ours.items():
        rows = [
            _row_truth(price, {c: e for (s, c), e in cells.items() if s == sku}) for cells in (before, after)
        ]
        if rows[1]["cheapest"] and rows[0]["cheapest"] and rows[1]["cheapest"] != rows[0]["cheapest"]:
            out.add(("cheapest_changed", sku, rows[1]["cheapest"]))
        if rows[1]["most_expensive"] and not rows[0]["most_expensive"]:
            dearest = max(
                (c for (s, c), e in after.items() if s == sku and e.counts), key=lambda c: after[(sku, c)].converted
            )
            out.add(("most_expensive", sku, dearest))
    return out


def _watchlist(market, tmp_path):  # noqa: ANN001
    data = demo_watchlist(market, "json://127.0.0.1:9/unused")
    data["channels"], data["rules"] = [], []
    data["settings"].update(retries=0, download_timeout=5, gone_after=1)
    data["catalogue"] = demo_catalogue(market, tmp_path / "rates.xml", T0.date())
    return load_watchlist_text(yaml.safe_dump(data, allow_unicode=True))


def _clock(day: int):  # noqa: ANN202
    ticks = iter(range(10**9))
    return lambda: T0 + timedelta(days=day, milliseconds=next(ticks))


def test_every_cell_and_row_of_the_matrix_matches_the_market(market, store, tmp_path) -> None:  # noqa: ANN001
    _engine, factory = store
    market.set_day(0)
    watchlist = _watchlist(market, tmp_path)
    rates = _rates(tmp_path / "rates.xml")
    ours = {our_sku(p): price for p in market.catalogue.products[: market.n_products] for price in [market.our_prices()[p.id]]}
    maps = {
        e.sku: e.map_price for e in watchlist.catalogue.products if e.map_price is not None  # type: ignore[union-attr]
    }
    run_cycle(watchlist, factory, force=True, send_alerts=False, clock=_clock(0))

    # Matching: every applied match is right, the twins only we sell are never matched, and what
    # waits for a person is a proposal of the right product; a person accepts those.
    with factory.begin() as s:
        url_product = {url: pid for _shop, pid, url in market.product_urls(day=0)}
        sku_of = {o.id: o.sku for o in s.scalars(select(OurProduct))}
        for m, url in s.execute(select(ProductMatch, Watch.url).join(Watch, Watch.id == ProductMatch.watch_id)):
            right = our_sku(market.catalogue.by_id[url_product[url]])
            assert sku_of[m.our_product_id] == right, (url, m.method, m.evidence)
            if m.status == "proposed":
                decide_match(s, m.id, True, T0)
        matched = {w for (w,) in s.execute(select(ProductMatch.watch_id).where(ProductMatch.status == "accepted"))}
        assert len(matched) == len(url_product)
    catalogue_run(watchlist, factory, _clock(0), send_alerts=False)

    since: dict[tuple[str, str], datetime] = {}
    expected: dict[tuple[str, str], Expected] = {}
    reported: list[tuple[str, str, str]] = []
    by_day: dict[int, set[tuple[str, str, str]]] = {}
    for day in range(DAYS):
        market.set_day(day)
        summary = None
        if day:
            summary = run_cycle(watchlist, factory, force=True, send_alerts=False, clock=_clock(day))
        before = expected
        expected = _expected_cells(market, day, rates, since, before)
        with factory() as s:
            rows = {r.product.sku: r for r in price_matrix(s, "USD")}
        for sku, price in ours.items():
            row = rows[sku]
            assert row.product.price == price
            cells = {c.competitor: c for c in row.cells}
            mine = {comp: e for (s_, comp), e in expected.items() if s_ == sku}
            assert set(cells) == set(mine), (day, sku)
            for comp, e in mine.items():
                cell = cells[comp]
                where = (day, sku, comp)
                assert abs(cell.converted - e.converted) <= Decimal("0.0001"), where
                assert cell.availability == e.availability and cell.gone == e.gone, where
                assert cell.price_since is not None and cell.price_since.date() == e.since.date(), where
                if e.shipping is None:
                    assert cell.shipping is None, where
                else:
                    assert cell.shipping is not None and abs(cell.shipping - e.shipping) <= Decimal("0.0001"), where
                g = row.gap_of(cell)
                assert g is not None and abs(g.share - (e.converted - price) / price) < Decimal("0.0001"), where
            truth = _row_truth(price, mine)
            assert (row.our_rank, row.offers, row.most_expensive) == (truth["rank"], truth["offers"], truth["most_expensive"]), (day, sku)
            assert (row.cheapest.competitor if row.cheapest else None) == truth["cheapest"], (day, sku)
            assert (row.median is None) == (truth["median"] is None), (day, sku)
            if truth["median"] is not None:
                assert abs(row.median - truth["median"]) <= Decimal("0.0001"), (day, sku)
        if summary is not None:
            got = set()
            with factory() as s:
                watch_names = {w.id: (w.competitor.name if w.competitor else "?") for w in s.scalars(select(Watch))}
            for c in summary.changes:
                if c.kind in MATRIX_KINDS:
                    got.add((c.kind, c.details["our_sku"], watch_names[c.watch_id]))
            assert got == _expected_changes(ours, maps, before, expected), f"day {day}"
            reported += got
            by_day[day] = got
    # The market did move against us: the test compared changes, not only silence.
    assert {"undercut_by", "cheapest_changed"} <= {kind for kind, _, _ in reported}
    # The report's view: the same matrix, ranked, with the period's changes counted.
    with factory() as s:
        position = price_position(s, "USD", T0 + timedelta(hours=12), T0 + timedelta(days=DAYS))  # days 1 on
    gaps = [r.gap_to_cheapest.share for r in position.most_expensive if r.gap_to_cheapest]
    assert gaps == sorted(gaps) and position.products == len(rows)
    # Its figures come from a GROUP BY over the cells: each one as the whole matrix's rows give it,
    # for every competitor and for some (their cheapest, ranks and MAP offers then theirs).
    for keep in (None, {"Alpha", "Gamma"}, {"Huali"}):
        for limit in (10, 2):
            with factory() as s:
                got = price_position(s, "USD", T0, T0 + timedelta(days=DAYS), limit=limit, competitors=keep)
                whole = price_matrix(s, "USD", competitors=keep)
            assert _position_figures(got) == _position_by_rows(whole, limit), (keep, limit)
    assert sum(position.changes.values()) == len(reported)
    assert {v.competitor for v in position.map_violations if v.reported} == {
        comp for kind, _, comp in reported if kind == "map_violation"
    }
    _check_report_section(factory, watchlist, ours, maps, expected, by_day)


def _position_figures(position) -> tuple:  # noqa: ANN001
    """What the report reads of a price position, rows by SKU."""
    return (
        position.products, position.offers, position.compared, position.dearest_count, position.cheapest_count,
        [r.product.sku for r in position.most_expensive], [r.product.sku for r in position.least_expensive],
        {v.competitor: [(r.product.sku, c.watch_id) for r, c in v.now] for v in position.map_violations if v.now},
    )  # fmt: skip


def _position_by_rows(rows, limit: int) -> tuple:  # noqa: ANN001
    """The same figures by the matrix's own definitions, from every row (the way they were computed
    before the GROUP BY)."""
    ranked = where_most_expensive(rows)
    least = [r for r in where_least_expensive(rows) if r.gap_to_cheapest and r.gap_to_cheapest.share > 0]
    return (
        len(rows), sum(len(r.cells) for r in rows), len(ranked), sum(1 for r in rows if r.most_expensive),
        sum(1 for r in rows if r.offers and r.our_rank == 1),
        [r.product.sku for r in ranked if r.gap_to_cheapest and r.gap_to_cheapest.share < 0][:limit],
        [r.product.sku for r in least][:limit],
        {comp: [(r.product.sku, c.watch_id) for r, c in found] for comp, found in map_violations(rows).items()},
    )  # fmt: skip


def _line_truth(sku: str, ours: Decimal, cells: dict[str, Expected]) -> tuple | None:
    """(sku, our price, cheapest competitor, its price, gap, gap share, rank, of) by the definitions."""
    counting = {c: e for c, e in cells.items() if e.counts}
    if not counting:
        return None
    cheapest = min(counting, key=lambda c: counting[c].converted)
    price = counting[cheapest].converted
    rank = 1 + sum(1 for e in counting.values() if e.converted < ours)
    return (sku, ours, cheapest, price, price - ours, (price - ours) / ours, rank, len(counting) + 1)


def _check_report_section(factory, watchlist, ours, maps, expected, by_day) -> None:  # noqa: ANN001
    """The weekly report's price position over the last two days against the two before: each
    figure held against the market's truth, in the model and in every renderer; and no section at
    all when the report is built without a catalogue."""
    first = (T0 + timedelta(days=DAYS - 2)).date()
    period = date_range(first, (T0 + timedelta(days=DAYS - 1)).date(), "UTC")
    assert period.prev_start == T0.replace(hour=0) + timedelta(days=DAYS - 4)  # days 1 and 2 before
    report = build(factory, period, catalogue_currency=watchlist.catalogue.currency)
    pp = report.price_position
    assert pp is not None and pp.currency == "USD" and report.sections[0] == "price_position"

    lines = {}
    for sku, price in ours.items():
        line = _line_truth(sku, price, {c: e for (s_, c), e in expected.items() if s_ == sku})
        if line is not None:
            lines[sku] = line
    ranked = sorted(lines.values(), key=lambda t: (t[5], t[0]))
    dearest = [t for t in ranked if t[5] < 0][:10]
    cheapest = [t for t in reversed(ranked) if t[5] > 0][:10]
    assert (pp.products, pp.compared) == (len(watchlist.catalogue.products), len(lines))  # the twins count, unmatched
    assert pp.offers == len(expected)
    assert pp.cheapest == sum(1 for t in lines.values() if t[6] == 1)
    assert pp.dearest == sum(1 for t in lines.values() if t[6] == t[7])
    assert dearest and cheapest, "the demo market has products on both sides of us"
    for got, want in ((pp.most_expensive, dearest), (pp.least_expensive, cheapest)):
        assert [g.sku for g in got] == [t[0] for t in want]
        for g, t in zip(got, want, strict=True):
            assert (g.our_price, g.cheapest, g.rank, g.of) == (t[1], t[2], t[6], t[7]), g.sku
            assert abs(g.cheapest_price - t[3]) <= Decimal("0.0001") and abs(g.gap - t[4]) <= Decimal("0.0001"), g.sku
            assert abs(Decimal(str(g.gap_share)) - t[5]) < Decimal("0.0001"), g.sku

    # MAP: every counting offer below our MAP now, per competitor; and the violations reported.
    below: dict[str, set[str]] = {}
    for (sku, comp), e in expected.items():
        if sku in maps and e.counts and e.converted < maps[sku]:
            below.setdefault(comp, set()).add(sku)
    this = [k for day in (DAYS - 2, DAYS - 1) for k in by_day[day]]
    before = [k for day in (1, 2) for k in by_day[day]]
    reported = Counter(comp for kind, _, comp in this if kind == "map_violation")
    named = set(below) | set(reported)
    assert {v.competitor: {o.sku for o in v.offers} for v in pp.map_violations} == {c: below.get(c, set()) for c in named}
    assert {v.competitor: v.reported for v in pp.map_violations} == {c: reported[c] for c in named}
    for v in pp.map_violations:
        assert [o.gap_share for o in v.offers] == sorted(o.gap_share for o in v.offers)
        for o in v.offers:
            assert o.map_price == maps[o.sku]
            assert abs(o.price - expected[(o.sku, v.competitor)].converted) <= Decimal("0.0001")
    # Changes of the matrix: this period's and the period before's, by kind.
    now_kinds, then_kinds = Counter(k for k, _, _ in this), Counter(k for k, _, _ in before)
    assert set(pp.changes) == MATRIX_KINDS
    assert {k: (c.this_week, c.last_week) for k, c in pp.changes.items()} == {
        k: (now_kinds[k], then_kinds[k]) for k in MATRIX_KINDS
    }
    assert sum(now_kinds.values()) and sum(then_kinds.values()), "the test compares moves, not silence"

    # Every renderer carries the same figures.
    data = json.loads(render_json(report))["price_position"]
    assert [line["sku"] for line in data["most_expensive"]] == [t[0] for t in dearest]
    assert Decimal(data["most_expensive"][0]["our_price"]) == dearest[0][1]
    assert {k: v["this_week"] for k, v in data["changes"].items()} == {k: now_kinds[k] for k in MATRIX_KINDS}
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))

    def csv_figures(section: str, metric: str) -> dict[str, int]:
        return {
            r["competitor"] if section == "map_violations" else r["subject"].split(" ", 1)[0]: int(r["this_week"])
            for r in rows if r["section"] == section and r["metric"] == metric
        }  # fmt: skip

    assert csv_figures("most_expensive", "our_rank") == {t[0]: t[6] for t in dearest}
    assert csv_figures("least_expensive", "ranked") == {t[0]: t[7] for t in cheapest}
    assert csv_figures("map_violations", "reported") == {c: reported[c] for c in named}
    changes = {r["metric"]: (int(r["this_week"]), int(r["last_week"])) for r in rows if r["section"] == "matrix_changes"}
    assert changes == {k: (now_kinds[k], then_kinds[k]) for k in MATRIX_KINDS}
    md = render_md(report)
    top = pp.most_expensive[0]
    assert "## Price position" in md and f"| {top.cheapest} | {top.cheapest_price:,.2f} |" in md
    assert f"{top.rank} of {top.of}" in md
    _title, digest = render_digest(report)
    assert f"We are the most expensive: {pp.dearest} / {pp.compared}" in digest
    assert f"Below our MAP now: {sum(len(v.offers) for v in pp.map_violations)}" in digest
    zh = render_md(report, "zh-CN")
    assert "价格定位" in zh and f"{top.of} 家中第 {top.rank}" in zh
    html = render_html(report)
    for key in ("most-expensive", "least-expensive", "map-violations", "changes"):
        assert f'data-position="{key}"' in html
    assert f"{top.gap_share:+.1%}" in html and top.cheapest in html

    # Without a catalogue: no section, no empty tables, in any format.
    bare = build(factory, period)
    assert bare.price_position is None and "price_position" not in bare.sections
    assert "Below our MAP now" not in render_digest(bare)[1]
    assert "Price position" not in render_md(bare) and 'data-section="price-position"' not in render_html(bare)
    assert "price_position" not in render_csv(bare) and json.loads(render_json(bare))["price_position"] is None
