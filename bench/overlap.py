"""Two overlapping cron-style runs over one store (the bar of issue 15): 2,000 due watches, 200 price
moves, two `rivalwatch run` processes started together (or --stagger seconds apart). Printed: the
observations and changes the two runs stored (the bar: exactly 2,000 and 200), how many watches were
checked other than once, and each run's seconds.

python bench/overlap.py                       # SQLite, 2,000 watches, 200 moves
python bench/overlap.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test   # a fresh schema there
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.orm import sessionmaker

    from bench.lib.overlap import PriceShop, counts_since, finish, make_all_due, start_run, write_watchlist
    from models import CrawlRun
    from models.db import _normalise, upgrade

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--watches", type=int, default=2000)
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--stagger", type=float, default=0.0)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if args.url:
            schema = f"rw_bench_{secrets.token_hex(4)}"
            admin = create_engine(_normalise(args.url))
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{args.url}?options=-csearch_path%3D{schema}"
        else:
            url = f"sqlite:///{tmp}/overlap.db"
        engine = create_engine(_normalise(url))
        upgrade(engine)
        factory = sessionmaker(engine, expire_on_commit=False)
        try:
            with PriceShop(args.watches).serving() as shop:
                config = write_watchlist(Path(tmp) / "watchlist.yaml", shop, url, concurrency=32)
                base = finish(start_run(config, url))
                assert base.returncode == 0, base.stderr[-3000:]
                with factory() as s:
                    last = s.scalar(select(func.max(CrawlRun.id))) or 0
                shop.move(args.moves)
                make_all_due(factory)
                t0 = time.perf_counter()
                first = start_run(config, url)
                time.sleep(args.stagger)
                second = start_run(config, url)
                results = [finish(first), finish(second)]
                seconds = time.perf_counter() - t0
                per_watch, changes = counts_since(factory, last)
        finally:
            engine.dispose()
            if schema:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    for k, r in enumerate(results, 1):
        tail = (r.stdout.strip().splitlines() or ["(no output)"])[0]
        print(f"run {k}: exit {r.returncode}: {tail}")
    observations = sum(per_watch.values())
    odd = sum(1 for n in per_watch.values() if n != 1)
    print(
        f"{args.watches} due watches, {args.moves} moves: {observations} observations, {changes} changes, "
        f"{odd} watches checked other than once, {seconds:.1f} s for both runs"
    )
    ok = observations == args.watches and changes == args.moves and odd == 0
    print("bar met" if ok else "BAR NOT MET")


if __name__ == "__main__":
    main()
