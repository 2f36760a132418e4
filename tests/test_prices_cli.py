"""`rivalwatch prices`, `match` and `catalogue` on a store a real crawl of the demo market filled."""

from __future__ import annotations

import csv
import json
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from models.db import open_store
from monitor.cli import main
from monitor.crawl.runner import run_cycle
from monitor.demo import DemoMarket
from monitor.demo.session import demo_watchlist
from monitor.demo.session_prices import demo_catalogue
from monitor.watchlist import load_watchlist
from spiders.engine import quiet_scrapy_logs


@pytest.fixture(scope="module")
def checked(tmp_path_factory):  # noqa: ANN001, ANN201
    """A watchlist file and its SQLite store after two days of the demo market."""
    quiet_scrapy_logs(logging.CRITICAL)
    root = tmp_path_factory.mktemp("prices")
    with DemoMarket(seed=5, n_products=10) as market:
        data = demo_watchlist(market, "json://127.0.0.1:9/unused")
        data["channels"], data["rules"] = [], []
        data["settings"].update(retries=0, database_url=f"sqlite:///{root / 'store.db'}")
        t0 = datetime.now(UTC) - timedelta(days=2)
        data["catalogue"] = demo_catalogue(market, root / "rates.xml", t0.date())
        path = root / "watchlist.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True))
        watchlist = load_watchlist(path)
        engine, factory = open_store(data["settings"]["database_url"])
        for day in range(2):
            market.set_day(day)
            run_cycle(watchlist, factory, force=True, send_alerts=False, clock=lambda d=day: t0 + timedelta(days=d))
        engine.dispose()
    return path


def _run(*args: str) -> str:
    result = CliRunner(env={"COLUMNS": "250"}).invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_prices_table_and_exports_carry_the_same_numbers(checked, tmp_path) -> None:  # noqa: ANN001
    out = _run("prices", "-c", str(checked), "--limit", "0")
    assert re.search(r"\d+ products of ours, \d+ competitor offers matched", out) and "RW-00000" in out
    csv_path, xlsx_path = tmp_path / "m.csv", tmp_path / "m.xlsx"
    _run("prices", "-c", str(checked), "--csv", str(csv_path), "--xlsx", str(xlsx_path))
    rows = list(csv.DictReader(csv_path.open()))
    offers = [r for r in rows if r["competitor"]]
    assert offers and {r["competitor"] for r in offers} == {"Alpha", "Beta", "Gamma", "Huali"}
    for r in offers:
        if r["converted"] and r["their_currency"] == "USD":
            assert float(r["converted"]) == float(r["their_price"])  # no conversion of USD into USD
        if r["gap_pct"]:
            assert abs(float(r["gap_pct"]) - (float(r["converted"]) / float(r["our_price"]) - 1) * 100) < 0.01
    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["Matrix", "Offers"]
    sheet = list(book["Offers"].iter_rows(values_only=True))
    assert len(sheet) == len(rows) + 1
    # The XLSX's offers sheet is the CSV, cell for cell (numbers as numbers, not text).
    assert list(sheet[0]) == list(rows[0])
    for line, r in zip(sheet[1:], rows, strict=True):
        for column, value in zip(sheet[0], line, strict=True):
            text = r[column]
            if isinstance(value, bool) or not isinstance(value, int | float):
                assert ("" if value is None else str(value)) == text, (r["sku"], column)
            else:
                assert abs(value - float(text)) < 1e-9, (r["sku"], column)
    # The matrix sheet: one row per product of ours, each competitor's converted price, gap and
    # stock in its columns, rank, cheapest and median as the offers say.
    matrix = list(book["Matrix"].iter_rows(values_only=True))
    head, body = [str(h) for h in matrix[0]], matrix[1:]
    assert len(body) == len({r["sku"] for r in rows})
    by_offer = {(r["sku"], r["competitor"]): r for r in offers}
    first = {r["sku"]: r for r in reversed(rows)}
    for line in body:
        cells = dict(zip(head, line, strict=True))
        r = first[str(cells["SKU"])]
        assert cells["Rank"] == (int(r["our_rank"]) if r["our_rank"] else None)
        assert cells["Cheapest at"] == (r["cheapest_competitor"] or None)
        assert (cells["Most expensive"] is True) == (r["we_are_most_expensive"] == "True")
        for name in ("Alpha", "Beta", "Gamma", "Huali"):
            offer = by_offer.get((cells["SKU"], name))
            price, gap, stock = cells.get(f"{name} price"), cells.get(f"{name} gap %"), cells.get(f"{name} stock")
            if offer is None or not offer["converted"]:
                assert price is None
                continue
            assert isinstance(price, int | float) and abs(price - float(offer["converted"])) < 1e-9
            assert isinstance(gap, int | float) and abs(gap - float(offer["gap_pct"])) < 1e-9
            assert stock == (offer["stock"] or None)  # None: the page does not say
    as_json = json.loads(_run("prices", "-c", str(checked), "--json", "--sku", "RW-00001"))
    assert {o["sku"] for o in as_json} == {"RW-00001"}
    history = _run("prices", "-c", str(checked), "--history", "RW-00001")
    assert "RW-00001" in history and "ours" in history


def test_match_list_accept_and_reject(checked) -> None:  # noqa: ANN001
    listing = _run("match", "list", "-c", str(checked), "--all")
    accepted = [line for line in listing.splitlines() if "accepted" in line]
    assert accepted
    match_id = int(accepted[0].split("│")[1].strip())
    _run("match", "reject", "-c", str(checked), str(match_id))
    after = _run("match", "list", "-c", str(checked), "--all")
    assert any(line.split("│")[1].strip() == str(match_id) and "rejected" in line for line in after.splitlines() if "│" in line)
    result = CliRunner().invoke(main, ["match", "accept", "-c", str(checked), "999999"])
    assert result.exit_code == 2 and "no match #999999" in result.output


def test_catalogue_list_shows_our_products_and_their_source(checked) -> None:  # noqa: ANN001
    out = _run("catalogue", "list", "-c", str(checked))
    assert "RW-00000" in out and "watchlist" in out
    imported = _run("catalogue", "import", "-c", str(checked))
    assert "rates" in imported and "✓" in imported
