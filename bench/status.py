"""`rivalwatch status` on a large store: 5,000 watches (products, listings, keywords) with a last good
value each and a few failing, timed as the command runs (store opened, queries, the table printed), and
against a bare query of the same rows (the watches' columns, nothing else).

Printed: the command's seconds (the bar: <= 1 s on 5,000 watches), the bare query's, and their ratio.

python bench/status.py                  # 5,000 watches on SQLite
python bench/status.py --watches 20000
python bench/status.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def seed(url: str, n: int) -> None:
    from sqlalchemy import insert

    from models import Competitor, CrawlRun, ListingSnapshot, ProductState, Watch
    from models.crawl import Observation
    from models.db import open_store
    from models.rank import DomainRank, RankCheck

    _engine, factory = open_store(url)
    now = datetime.now(UTC)
    with factory.begin() as s:
        s.execute(
            insert(Competitor),
            [{"name": f"Shop {c}", "domains": [f"shop{c}.test"], "tags": []} for c in range(20)],
        )
        run = CrawlRun(started_at=now, trigger="bench", status="done")
        s.add(run)
        s.flush()
        kinds = ["product"] * 8 + ["listing", "keyword"]
        watches = [
            {
                "kind": kinds[i % 10],
                "url": f"https://shop{i % 20}.test/item/{i}",
                "label": f"Shop {i % 20} · item number {i} with a longer name",
                "competitor_id": 1 + i % 20,
                "options": {},
                "tags": [],
                "active": True,
                "last_checked_at": now - timedelta(minutes=i % 600),
                "next_due_at": now + timedelta(minutes=i % 900),
                "last_good_at": now - timedelta(minutes=i % 600),
                "last_error": "HTTP 503 (the site is down or overloaded)" if i % 37 == 0 else None,
                "consecutive_failures": 2 if i % 37 == 0 else 0,
                "consecutive_gone": 0,
            }
            for i in range(n)
        ]
        s.execute(insert(Watch), watches)
        obs = [{"watch_id": i + 1, "run_id": run.id, "fetched_at": now, "status": "ok"} for i in range(n)]
        ids = list(
            s.scalars(insert(Observation).returning(Observation.id, sort_by_parameter_order=True), obs)
        )
        products = [
            {
                "watch_id": i + 1,
                "observation_id": ids[i],
                "price": Decimal(100 + i % 500) + Decimal("0.49"),
                "currency": "EUR",
                "availability": "in_stock",
            }
            for i in range(n)
            if kinds[i % 10] == "product"
        ]
        s.execute(insert(ProductState), products)
        listings = [
            {
                "watch_id": i + 1,
                "observation_id": ids[i],
                "item_count": 24 + i % 7,
                "pages_fetched": 1 + i % 3,
            }
            for i in range(n)
            if kinds[i % 10] == "listing"
        ]
        s.execute(insert(ListingSnapshot), listings)
        for i in range(n):
            if kinds[i % 10] != "keyword":
                continue
            check = RankCheck(
                watch_id=i + 1,
                observation_id=ids[i],
                group_name="g",
                keyword=f"kw {i}",
                engine="bing",
                locale="en-GB",
                device="desktop",
                status="ok",
                page_kind="results",
            )
            s.add(check)
            s.flush()
            s.add_all(
                [
                    DomainRank(check_id=check.id, watch_id=i + 1, domain="ours.test", rank=1 + i % 9),
                    DomainRank(check_id=check.id, watch_id=i + 1, domain="rival.test", rank=None),
                ]
            )


def time_status(url: str, repeats: int) -> tuple[float, str]:
    from click.testing import CliRunner

    from monitor.cli import main

    best, out = float("inf"), ""
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = CliRunner().invoke(
            main, ["status", "-c", "/nonexistent.yaml"], env={"RIVALWATCH_DATABASE_URL": url}
        )
        best = min(best, time.perf_counter() - t0)
        assert result.exit_code == 0, result.output[-2000:]
        out = result.output
    return best, out


def time_bare(url: str, repeats: int) -> float:
    from sqlalchemy import create_engine, select

    from models import Watch
    from models.db import _normalise

    engine = create_engine(_normalise(url))
    cols = (Watch.id, Watch.competitor_id, Watch.label, Watch.url, Watch.last_checked_at, Watch.next_due_at,
            Watch.last_error, Watch.consecutive_failures, Watch.last_good_at)  # fmt: skip
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        with engine.connect() as conn:
            rows = conn.execute(
                select(*cols).where(Watch.active.is_(True)).order_by(Watch.competitor_id, Watch.id)
            ).all()
        best = min(best, time.perf_counter() - t0)
    assert rows
    engine.dispose()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--watches", type=int, default=5000)
    parser.add_argument("--url", default=None, help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/status.db"
        seed(url, args.watches)
        sink = io.StringIO()
        with redirect_stdout(sink):
            seconds, out = time_status(url, args.repeats)
        bare = time_bare(url, args.repeats)
    lines = out.splitlines()
    print(f"status on {args.watches} watches: {seconds:.3f} s (bar: <= 1 s), {len(lines)} lines printed")
    print(f"bare query of the same rows: {bare:.3f} s; ratio {seconds / bare:.1f}x")
    print(
        "sample:",
        *lines[:4],
        *[ln for ln in lines if "items" in ln][:1],
        *[ln for ln in lines if "#" in ln][:1],
        sep="\n  ",
    )


if __name__ == "__main__":
    main()
