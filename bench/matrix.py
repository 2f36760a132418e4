"""Price matrix at scale: 10,000 products of ours x 10 competitors (100,000 matched product watches),
a week of history each, prices in four currencies, bulk-seeded into SQLite.

Prints, each timed on its own:
- the first refresh after the crawl (matching 100,000 pages, 9 competitors by GTIN and one by title;
  converting every stored price; filling every cell; every product's row and baseline);
- an incremental refresh after a crawl in which 10 % of the prices moved (what the service pays
  after each cycle), and the matrix rules' changes it found;
- the query the CLI, the exports and the report share (`price_matrix`: the whole matrix, with
  ranks, gaps, cheapest and median) plus "where are we the most expensive" and MAP violations;
- the weekly report's "Price position" section: `price_position` (the matrix, most and least
  expensive, MAP violations by competitor, the matrix rules' changes of the week and the week
  before), the section built, and rendered in HTML, Markdown, CSV and JSON;
- the CSV export of all 100,000 offers;
- baselines measured in the same run: the report section's figures computed from every row of the
  matrix (as `price_position` did before its GROUP BY; the bench checks both give the same figures),
  and the matrix computed without the materialised cells, straight from the states (each watch's
  latest state by GROUP BY, joined to its match, converted, ranked), without "since when each price
  has held" (which needs every watch's history walked).
Bar (issue 19): "10,000 of our products x 10 competitors: matrix and report in <= 10 s", measured
as what a crawl cycle pays for them: the refresh after the crawl (the matrix brought up to date,
its changes written, committed) and then the report's price-position section read from the store,
built and rendered, end to end. Wall clock; the process's CPU time beside it says what the figure
is on a machine busy with other work, and the load average is printed with it.

    .venv/bin/python bench/matrix.py [--products 10000] [--competitors 10] [--days 7]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.catalogue_queries import Offer  # noqa: E402
from models.db import open_store  # noqa: E402
from monitor.catalogue.config import Catalogue  # noqa: E402
from monitor.catalogue.export import write_csv  # noqa: E402
from monitor.catalogue.matrix import (  # noqa: E402
    OurView,
    build_matrix,
    map_violations,
    where_least_expensive,
    where_most_expensive,
)
from monitor.catalogue.rates import Conversion, RateRow, RateTable  # noqa: E402
from monitor.catalogue.rates_store import store_rates  # noqa: E402
from monitor.catalogue.refresh import lock_meta, refresh_catalogue  # noqa: E402
from monitor.catalogue.view import price_matrix  # noqa: E402
from monitor.catalogue.weekly import price_position  # noqa: E402
from monitor.demo.catalogue import with_check_digit  # noqa: E402
from monitor.report.builder import position_section  # noqa: E402
from monitor.report.model import PricePositionSection, Report  # noqa: E402
from monitor.report.service import RENDERERS  # noqa: E402

BRANDS = [f"Brand{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(60)]
CATEGORIES = ("Wireless Headphones", "Laptop", "Smartphone", "Monitor", "Tablet", "Smartwatch", "Router", "Camera")
VARIANTS = ("", " Pro", " Lite", " Max", " Mini")
CURRENCIES = ("USD",) * 6 + ("EUR", "EUR", "GBP", "CNY")
EUR_RATES = {"USD": Decimal("1.0870"), "GBP": Decimal("0.8587"), "CNY": Decimal("7.8261")}


def ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def to_local(usd: float, currency: str) -> float:
    if currency == "USD":
        return round(usd, 2)
    eur = usd / float(EUR_RATES["USD"])
    return round(eur if currency == "EUR" else eur * float(EUR_RATES[currency]), 2)


def seed(path: Path, n_products: int, n_comp: int, days: int, start: datetime) -> tuple[list, dict]:
    rng = random.Random(19)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    cur = db.cursor()
    created = ts(start)
    cur.executemany(
        "INSERT INTO competitors (id, name, domains, tags, robots, created_at) VALUES (?, ?, '[]', '[]', 'obey', ?)",
        [(c + 1, f"Shop {c}", created) for c in range(n_comp)],
    )
    products, base = [], []
    for p in range(n_products):
        name = f"{BRANDS[p % len(BRANDS)]} {chr(65 + p % 23)}{p // 23 % 997}{VARIANTS[p // 7 % len(VARIANTS)]} {CATEGORIES[p % len(CATEGORIES)]}"
        usd = rng.uniform(20, 2000)
        base.append(usd)
        gtin = with_check_digit(f"{400000000000 + p * 7919:012d}").zfill(14)
        map_price = round(usd * 0.9, 2) if p % 4 == 0 else None
        products.append((p + 1, f"OUR-{p:05d}", name, BRANDS[p % len(BRANDS)], gtin, round(usd * rng.uniform(0.94, 1.06), 2), map_price))
    cur.executemany(
        "INSERT INTO our_products (id, sku, name, brand, gtin, price, currency, map_price, tags, source, active, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'USD', ?, '[]', 'erp', 1, ?, ?)",
        [(i, sku, n, b, g, pr, mp, created, created) for i, sku, n, b, g, pr, mp in products],
    )
    cur.executemany(
        "INSERT INTO watches (id, kind, url, label, competitor_id, options, tags, active, created_at, "
        "consecutive_failures, consecutive_gone) VALUES (?, 'product', ?, ?, ?, '{}', '[]', 1, ?, 0, 0)",
        [(c * n_products + p + 1, f"https://shop{c}.example/p/{p}", f"Shop {c} · {p}", c + 1, created)
         for c in range(n_comp) for p in range(n_products)],  # fmt: skip
    )
    cur.execute("INSERT INTO crawl_runs (id, started_at, trigger, status, watches_due, ok, failed, changes) VALUES (1, ?, 'bench', 'done', 0, 0, 0, 0)", (created,))  # fmt: skip
    obs, states, last = [], [], {}
    obs_id = 0
    for c in range(n_comp):
        currency = CURRENCIES[c % len(CURRENCIES)]
        for p in range(n_products):
            w = c * n_products + p + 1
            usd = base[p] * rng.uniform(0.9, 1.1)
            name = products[p][2] if c < n_comp - 1 else f"{products[p][3]} {products[p][2].split(' ', 1)[1]} – Black"
            gtin = products[p][4] if c < n_comp - 1 else None  # the last shop shows no GTIN: matched by title
            for d in range(days):
                if d and rng.random() < 0.05:
                    usd *= rng.uniform(0.85, 1.1)
                obs_id += 1
                at = ts(start + timedelta(days=d, seconds=w % 3600))
                obs.append((obs_id, w, 1, at))
                states.append((obs_id, w, obs_id, at, to_local(usd, currency), currency, "InStock", name, products[p][3], gtin))
            last[w] = (usd, currency, name, gtin, products[p][3])
        if len(obs) > 200_000:
            _flush(cur, obs, states)
    _flush(cur, obs, states)
    db.commit()
    db.close()
    return products, last


def _flush(cur: sqlite3.Cursor, obs: list, states: list) -> None:
    cur.executemany("INSERT INTO observations (id, watch_id, run_id, fetched_at, status, unchanged) VALUES (?, ?, ?, ?, 'ok', 0)", obs)  # fmt: skip
    cur.executemany(
        "INSERT INTO product_states (id, watch_id, observation_id, observed_at, price, currency, availability, name, "
        "brand, gtin, sources) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')",
        states,
    )
    obs.clear()
    states.clear()


def crawl_again(path: Path, last: dict, start: datetime, share: float) -> int:
    """A new crawl run in which `share` of the prices moved: new observations and states."""
    rng = random.Random(23)
    db = sqlite3.connect(path)
    cur = db.cursor()
    obs_id = cur.execute("SELECT MAX(id) FROM observations").fetchone()[0]
    cur.execute("INSERT INTO crawl_runs (id, started_at, trigger, status, watches_due, ok, failed, changes) VALUES (2, ?, 'bench', 'done', 0, 0, 0, 0)", (ts(start),))  # fmt: skip
    obs, states = [], []
    for w, (usd, currency, name, gtin, brand) in last.items():
        if rng.random() >= share:
            continue
        obs_id += 1
        new = usd * rng.uniform(0.8, 1.1)
        obs.append((obs_id, w, 2, ts(start)))
        states.append((obs_id, w, obs_id, ts(start), to_local(new, currency), currency, "InStock", name, brand, gtin))
    _flush(cur, obs, states)
    db.commit()
    db.close()
    return 2


def baseline(path: Path, table: RateTable, day: date) -> list:
    """The same matrix without the materialised cells: each watch's latest state by GROUP BY, joined
    to its match and our product, converted in Python, then the same rows, ranks and rankings (only
    "since when each price has held" is left out: it needs each watch's history walked)."""
    db = sqlite3.connect(path)
    rows = db.execute(
        "SELECT m.our_product_id, m.watch_id, c.name, w.url, s.price, s.currency, s.availability FROM product_matches m "
        "JOIN (SELECT watch_id, MAX(id) AS id FROM product_states GROUP BY watch_id) l ON l.watch_id = m.watch_id "
        "JOIN product_states s ON s.id = l.id JOIN watches w ON w.id = m.watch_id "
        "LEFT JOIN competitors c ON c.id = w.competitor_id WHERE m.status = 'accepted'"
    ).fetchall()
    ours = db.execute("SELECT id, sku, name, price, map_price FROM our_products").fetchall()
    db.close()
    cells: dict[int, list[Offer]] = {}
    for pid, wid, competitor, url, price, currency, availability in rows:
        conv = table.convert(Decimal(str(price)), currency, "USD", day)
        amount = conv.amount if isinstance(conv, Conversion) else None
        cells.setdefault(pid, []).append(Offer(wid, competitor, url, Decimal(str(price)), currency, amount, availability))
    views = [
        OurView(pid, sku, name, "USD", Decimal(str(price)), Decimal(str(mp)) if mp is not None else None)
        for pid, sku, name, price, mp in ours
    ]
    matrix = build_matrix(views, cells)
    where_most_expensive(matrix, 20)
    map_violations(matrix)
    return matrix


def report_section(factory: sessionmaker, now: datetime) -> tuple[PricePositionSection, dict[str, int]]:
    """The weekly report's price position (the week to `now` + 1 day) built and rendered in each format."""
    week_end = now + timedelta(days=1)
    with factory() as s:
        position = price_position(s, "USD", week_end - timedelta(days=7), week_end, week_end - timedelta(days=14))
    section = position_section(position)
    report = Report(
        period_label="bench", timezone="UTC", first_day=(week_end - timedelta(days=7)).date(),
        last_day=now.date(), previous_first_day=(week_end - timedelta(days=14)).date(), generated_at=now,
        summary=[], competitors=[], price_position=section, sections=["price_position"],
    )  # fmt: skip
    return section, {fmt: len(render(report, "en")) for fmt, render in RENDERERS.items()}


def whole_matrix_position(factory: sessionmaker, limit: int = 10) -> tuple:
    """The section's figures computed from every row of the matrix (the same definitions)."""
    with factory() as s:
        rows = price_matrix(s, "USD")
    ranked = where_most_expensive(rows)
    least = [r for r in where_least_expensive(rows) if r.gap_to_cheapest and r.gap_to_cheapest.share > 0][:limit]
    below = map_violations(rows)
    return (
        len(rows), sum(len(r.cells) for r in rows), len(ranked), sum(1 for r in rows if r.most_expensive),
        sum(1 for r in rows if r.offers and r.our_rank == 1),
        [r.product.sku for r in ranked if r.gap_to_cheapest and r.gap_to_cheapest.share < 0][:limit],
        [r.product.sku for r in least], {c: len(found) for c, found in below.items()},
    )  # fmt: skip


def _figures(section: PricePositionSection) -> tuple:
    return (
        section.products, section.offers, section.compared, section.dearest, section.cheapest,
        [line.sku for line in section.most_expensive], [line.sku for line in section.least_expensive],
        {v.competitor: len(v.offers) for v in section.map_violations if v.offers},
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--competitors", type=int, default=10)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    start = datetime(2026, 11, 2, 8, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "matrix.db"
        engine, factory = open_store(f"sqlite:///{path}")
        t = time.perf_counter()
        _products, last = seed(path, args.products, args.competitors, args.days, start)
        rows = [RateRow(start.date(), "EUR", c, r) for c, r in EUR_RATES.items()]
        with factory.begin() as s:
            store_rates(s, rows, "bench", start, lock_meta(s, start))
        n_watches = args.products * args.competitors
        print(f"seeded {args.products:,} products x {args.competitors} competitors ({n_watches:,} watches, "
              f"{n_watches * args.days:,} states) in {time.perf_counter() - t:.1f} s")  # fmt: skip
        catalogue = Catalogue(currency="USD")
        now = start + timedelta(days=args.days)
        t, cpu = time.perf_counter(), time.process_time()
        with factory.begin() as s:
            first = refresh_catalogue(s, catalogue, now, run_id=1)
        m = first.matches
        print(f"first refresh (match, convert, fill, compare): {time.perf_counter() - t:.1f} s "
              f"(CPU {time.process_time() - cpu:.1f} s); "
              f"{m.accepted if m else 0:,} matched, {m.proposed if m else 0:,} proposed, {first.cells:,} cells")
        run = crawl_again(path, last, now + timedelta(hours=6), 0.10)
        # The bar: after a crawl, the matrix brought up to date and the report's section on it,
        # end to end (the refresh committed, then the section read from the store and rendered).
        t, cpu = time.perf_counter(), time.process_time()
        with factory.begin() as s:
            again = refresh_catalogue(s, catalogue, now + timedelta(hours=6), run_id=run)
        again_s, again_cpu = time.perf_counter() - t, time.process_time() - cpu
        t2, cpu2 = time.perf_counter(), time.process_time()
        section, sizes = report_section(factory, now)
        section_s, section_cpu = time.perf_counter() - t2, time.process_time() - cpu2
        bar_s, bar_cpu = time.perf_counter() - t, time.process_time() - cpu
        kinds: dict[str, int] = {}
        for _, change in again.changes:
            kinds[change.kind] = kinds.get(change.kind, 0) + 1
        print(f"refresh after a crawl that moved 10 % of the prices: {again_s:.1f} s (CPU {again_cpu:.1f} s); "
              f"{again.cells:,} cells, {again.compared:,} products compared; changes: {kinds}")
        print(f"report section (price_position + section + HTML/MD/CSV/JSON): {section_s:.1f} s (CPU {section_cpu:.1f} s); "
              f"{len(section.most_expensive)} most / {len(section.least_expensive)} least expensive lines, "
              f"{len(section.map_violations)} competitors below MAP "
              f"({sum(len(v.offers) for v in section.map_violations):,} offers), changes of the week "
              f"{ {k: c.this_week for k, c in section.changes.items()} }; rendered {sizes}")  # fmt: skip
        t, cpu = time.perf_counter(), time.process_time()
        with factory() as s:
            matrix = price_matrix(s, "USD")
        dearest = where_most_expensive(matrix, 20)
        violations = map_violations(matrix)
        query, query_cpu = time.perf_counter() - t, time.process_time() - cpu
        offers = sum(len(r.cells) for r in matrix)
        print(f"query (price_matrix + most expensive + MAP violations): {query:.1f} s (CPU {query_cpu:.1f} s); {len(matrix):,} rows, "
              f"{offers:,} offers, most expensive on {sum(r.most_expensive for r in matrix):,}, "
              f"{sum(len(v) for v in violations.values()):,} MAP violations; top gap {dearest[0].gap_to_cheapest.share if dearest and dearest[0].gap_to_cheapest else '-'}")  # fmt: skip
        t, cpu = time.perf_counter(), time.process_time()
        whole = whole_matrix_position(factory)
        whole_s, whole_cpu = time.perf_counter() - t, time.process_time() - cpu
        same_position = whole == _figures(section)
        print(f"baseline for the section: its figures from every row of the matrix (read, ranked, MAP offers "
              f"sought, as before the GROUP BY): {whole_s:.1f} s (CPU {whole_cpu:.1f} s); section / baseline = "
              f"{section_s / whole_s:.2f}; same figures: {same_position}")  # fmt: skip
        t = time.perf_counter()
        write_csv(matrix, Path(tmp) / "matrix.csv", now)
        print(f"CSV export of every offer: {time.perf_counter() - t:.1f} s")
        table = RateTable(rows, "EUR")
        t = time.perf_counter()
        plain = baseline(path, table, now.date())
        base = time.perf_counter() - t
        same = sum(1 for a, b in zip(plain, matrix, strict=True) if (a.our_rank, a.offers) == (b.our_rank, b.offers))
        print(f"baseline (the same matrix from the states by GROUP BY, no materialised cells): {base:.1f} s; "
              f"query / baseline = {query / base:.2f}; rows agreeing on rank and offers: {same:,} of {len(matrix):,}")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"bar: matrix and report (the refresh after the crawl, then the report section from the store) "
              f"<= 10 s: {bar_s:.1f} s (CPU {bar_cpu:.1f} s): {'ok' if bar_s <= 10 else 'OVER'}; "
              f"the query alone {query:.1f} s, the matrix from the states {base:.1f} s; load average {load}")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
