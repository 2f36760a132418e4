"""The price matrix over real HTTP against the demo market: every cell held against the market's truth.

Four shops sell the same products under their own names (JSON-LD with GTINs, microdata with GTINs,
plain HTML, and Chinese OpenGraph pages), in USD, EUR, GBP and CNY. Our catalogue lists the market's
products at our prices plus near twins only we sell. Each day the test recomputes, from the market's
truth and the rates file alone, what every cell must say (the price converted, the gap, stock,
shipping, since when the price has held) and what every row must say (our rank, the cheapest, the
median, whether we are the most expensive), and which matrix changes the day must produce.
"""

from __future__ import annotations

import logging
import re
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import yaml
from sqlalchemy import select

from models import Watch
from models.catalogue import OurProduct, ProductMatch
from monitor.catalogue.auto_match import decide_match
from monitor.catalogue.view import price_matrix
from monitor.catalogue.weekly import price_position
from monitor.catalogue_cycle import catalogue_run
from monitor.crawl.runner import run_cycle
from monitor.demo import DemoMarket
from monitor.demo.session import demo_watchlist
from monitor.demo.session_prices import demo_catalogue, our_sku
from monitor.demo.shop_style import shipping_of
from monitor.demo.shops import SHOPS
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
    # The market did move against us: the test compared changes, not only silence.
    assert {"undercut_by", "cheapest_changed"} <= {kind for kind, _, _ in reported}
    # The report's view: the same matrix, ranked, with the period's changes counted.
    with factory() as s:
        position = price_position(s, "USD", T0 + timedelta(hours=12), T0 + timedelta(days=DAYS))  # days 1 on
    gaps = [r.gap_to_cheapest.share for r in position.most_expensive if r.gap_to_cheapest]
    assert gaps == sorted(gaps) and position.products == len(rows)
    assert sum(position.changes.values()) == len(reported)
    assert {v.competitor for v in position.map_violations if v.reported} == {
        comp for kind, _, comp in reported if kind == "map_violation"
    }
