"""Weekly report build time on a year of data: 1,000 products x 5 competitors x 365 daily observations,
200 keywords x 3 engines checked daily (rank history tables and rank changes), bulk-seeded into SQLite.

Prints the seed time, the raw query time (the report's loads alone: a baseline measured in the same run)
and the full build (queries + builder + charts + HTML/MD/CSV/JSON rendering). Bar: build <= 10 s.

    .venv/bin/python bench/report.py [--products 1000] [--competitors 5] [--days 365] [--keywords 200]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.db import open_store  # noqa: E402
from monitor.report import iso_week  # noqa: E402
from monitor.report.builder import build_report, charted_watches  # noqa: E402
from monitor.report.queries import load_lines, load_report_data  # noqa: E402
from monitor.report.service import RENDERERS  # noqa: E402

ENGINES = ("google", "bing", "baidu")
OTHERS = tuple(f"site{i}.example" for i in range(25))
RESULT_DAYS = 21  # full result lists are kept for the last weeks (the report reads the latest check only)


def ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(path: Path, n_products: int, n_comp: int, days: int, n_keywords: int, start: datetime) -> dict:
    rng = random.Random(7)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    cur = db.cursor()
    counts = dict.fromkeys(("states", "changes", "rank_rows"), 0)
    created = ts(start)
    domains = [f"shop{c}.example" for c in range(n_comp)]
    cur.executemany(
        "INSERT INTO competitors (id, name, domains, tags, robots, created_at) VALUES (?, ?, ?, '[]', 'obey', ?)",
        [(c + 1, f"Shop {c}", json.dumps([domains[c]]), created) for c in range(n_comp)],
    )
    watches, wid = [], 0
    base = [rng.uniform(20, 2000) for _ in range(n_products)]
    ours = [round(b * rng.uniform(0.94, 1.06), 2) for b in base]
    for c in range(n_comp):
        for p in range(n_products):
            wid += 1
            options = json.dumps({"our_price": str(ours[p])})
            watches.append(
                (wid, "product", f"https://{domains[c]}/p/{p}", f"Shop {c} · product {p}", c + 1, options)
            )
    kw_watches = []
    for k in range(n_keywords):
        for e in ENGINES:
            wid += 1
            kw_watches.append((wid, k, e))
            watches.append((wid, "keyword", f"serp://{e}/kw{k}", f"keyword {k}", None, "{}"))
    cur.executemany(
        "INSERT INTO watches (id, kind, url, label, competitor_id, options, tags, active, created_at, "
        "consecutive_failures, consecutive_gone) VALUES (?, ?, ?, ?, ?, ?, '[]', 1, ?, 0, 0)",
        [(*w, created) for w in watches],
    )
    obs_id = state_id = 0
    obs_rows, state_rows, change_rows = [], [], []
    for c in range(n_comp):
        for p in range(n_products):
            w = c * n_products + p + 1
            price = round(base[p] * rng.uniform(0.9, 1.1), 2)
            stock = "InStock"
            for d in range(days):
                at = ts(start + timedelta(days=d, hours=1, seconds=w % 3600))
                old_price, old_stock = price, stock
                if rng.random() < 0.03:
                    price = round(price * rng.uniform(0.8, 1.15), 2)
                if rng.random() < 0.01:
                    stock = "OutOfStock" if stock == "InStock" else "InStock"
                obs_id += 1
                state_id += 1
                obs_rows.append((obs_id, w, at))
                state_rows.append((state_id, w, obs_id, at, price, "USD", stock))
                if d and price != old_price:
                    kind = "price_down" if price < old_price else "price_up"
                    rel = (price - old_price) / old_price
                    change_rows.append((w, obs_id, c + 1, at, kind, f"product {p}: {old_price} -> {price}", "price",
                                        str(old_price), str(price), rel, rng.random() ** 3, "price vs its median", "{}"))  # fmt: skip
                if d and stock != old_stock:
                    kind = "out_of_stock" if stock == "OutOfStock" else "back_in_stock"
                    change_rows.append((w, obs_id, c + 1, at, kind, f"product {p}: {kind}", "availability",
                                        old_stock, stock, None, None, None, "{}"))  # fmt: skip
            if len(obs_rows) > 200_000:
                _flush(cur, obs_rows, state_rows, change_rows, counts)
    _flush(cur, obs_rows, state_rows, change_rows, counts)
    # keywords: one check per keyword x engine per day; tracked domains' ranks; changes when they move
    check_id = 0
    checks, ranks, results = [], [], []
    positions = {(k, e, d): rng.randint(1, 30) for k in range(n_keywords) for e in ENGINES for d in domains}
    for d_i in range(days):
        day_at = start + timedelta(days=d_i, hours=2)
        for wid, k, e in kw_watches:
            at = ts(day_at + timedelta(seconds=wid % 600))
            obs_id += 1
            check_id += 1
            obs_rows.append((obs_id, wid, at))
            checks.append((check_id, wid, obs_id, at, f"kw{k}", e))
            for dom in domains:
                old = positions[(k, e, dom)]
                new = max(1, min(30, old + rng.choice((-2, -1, 0, 0, 0, 0, 1, 2))))
                positions[(k, e, dom)] = new
                ranks.append((check_id, wid, at, dom, new if new <= 20 else None))
                if new != old and d_i >= days - 70:
                    details = json.dumps({"domain": dom, "keyword": f"kw{k}", "engine": e, "locale": "en-US",
                                          "device": "desktop"})  # fmt: skip
                    change_rows.append((wid, obs_id, None, at, "rank_moved", f"{dom} kw{k} #{old} -> #{new}", dom,
                                        str(old), str(new), (old - new) / old, None, None, details))  # fmt: skip
            if d_i >= days - RESULT_DAYS:
                taken = {positions[(k, e, dom)]: dom for dom in domains}
                others = iter(rng.sample(OTHERS, 20))
                for r in range(1, 21):
                    dom = taken.get(r) or next(others)
                    results.append((check_id, r, f"https://{dom}/kw{k}", dom))
        if len(ranks) > 200_000 or d_i == days - 1:
            cur.executemany("INSERT INTO observations (id, watch_id, fetched_at, status, unchanged) VALUES (?, ?, ?, 'ok', 0)", obs_rows)  # fmt: skip
            cur.executemany(
                "INSERT INTO rank_checks (id, watch_id, observation_id, checked_at, group_name, keyword, engine, locale,"
                " device, status, page_kind, pages_checked, depth, features) VALUES (?, ?, ?, ?, 'bench', ?, ?, "
                "'en-US', 'desktop', 'ok', 'results', 2, 20, '[]')",
                checks,
            )
            cur.executemany("INSERT INTO domain_ranks (check_id, watch_id, checked_at, domain, rank) VALUES (?, ?, ?, ?, ?)", ranks)  # fmt: skip
            cur.executemany(
                "INSERT INTO rank_results (check_id, rank, url, domain) VALUES (?, ?, ?, ?)", results
            )
            _insert_changes(cur, change_rows)
            counts["rank_rows"] += len(ranks)
            counts["changes"] += len(change_rows)
            obs_rows, checks, ranks, results, change_rows = [], [], [], [], []
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return counts


def _insert_changes(cur, rows) -> None:  # noqa: ANN001
    cur.executemany(
        "INSERT INTO changes (watch_id, observation_id, competitor_id, detected_at, kind, summary, field, old, new, "
        "magnitude, anomaly_score, anomaly_explanation, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _flush(cur, obs_rows, state_rows, change_rows, counts) -> None:  # noqa: ANN001
    cur.executemany("INSERT INTO observations (id, watch_id, fetched_at, status, unchanged) VALUES (?, ?, ?, 'ok', 0)", obs_rows)  # fmt: skip
    cur.executemany(
        "INSERT INTO product_states (id, watch_id, observation_id, observed_at, price, currency, availability, "
        "sources) VALUES (?, ?, ?, ?, ?, ?, ?, '{}')",
        state_rows,
    )
    _insert_changes(cur, change_rows)
    counts["states"] += len(state_rows)
    counts["changes"] += len(change_rows)
    obs_rows.clear()
    state_rows.clear()
    change_rows.clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--products", type=int, default=1000)
    ap.add_argument("--competitors", type=int, default=5)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--keywords", type=int, default=200)
    args = ap.parse_args()
    start = datetime(2025, 1, 6, tzinfo=UTC)  # a Monday
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        engine, factory = open_store(f"sqlite:///{path}")
        engine.dispose()
        t0 = time.perf_counter()
        counts = seed(path, args.products, args.competitors, args.days, args.keywords, start)
        seeded = time.perf_counter() - t0
        print(f"seeded {counts['states']:,} product states, {counts['rank_rows']:,} domain ranks, "
              f"{counts['changes']:,} changes in {seeded:.1f} s")  # fmt: skip
        last_day = start + timedelta(days=args.days - 1)
        year, week, _ = (last_day - timedelta(days=7)).isocalendar()
        period = iso_week(f"{year}-W{week:02d}", "UTC")
        engine, factory = open_store(f"sqlite:///{path}")
        with factory() as session:  # warm the page cache once, as a server that has run for a while has
            load_report_data(session, period)
        raw = built = float("inf")
        for _ in range(2):  # best of two, for both, so neither pays for a cold cache
            t0 = time.perf_counter()
            with factory() as session:
                data = load_report_data(session, period)
            raw = min(raw, time.perf_counter() - t0)
            t0 = time.perf_counter()
            with factory() as session:
                data = load_report_data(session, period)
                load_lines(session, data, charted_watches(data))
            report = build_report(data)
            built = min(built, time.perf_counter() - t0)
        t0 = time.perf_counter() - built
        sizes = {fmt: len(render(report, "en")) for fmt, render in RENDERERS.items()}
        total = time.perf_counter() - t0
        print(f"week {period.label}: {len(data.states):,} states, {len(data.changes):,} changes, "
              f"{len(data.ranks or []):,} rank rows loaded")  # fmt: skip
        print(f"raw queries (baseline)          {raw:6.2f} s")
        print(f"report model (queries+builder)  {built:6.2f} s  ({built / raw:.1f}x the raw queries)")
        print(f"report built and rendered       {total:6.2f} s  (bar: <= 10 s) "
              f"html {sizes['html'] / 1024:.0f} KiB, md {sizes['md'] / 1024:.0f} KiB, "
              f"csv {sizes['csv'] / 1024:.0f} KiB, json {sizes['json'] / 1024:.0f} KiB")  # fmt: skip
        print(f"summary lines {len(report.summary)}, sections {', '.join(report.sections)}")
        engine.dispose()


if __name__ == "__main__":
    main()
