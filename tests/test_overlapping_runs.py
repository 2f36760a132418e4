"""Two `rivalwatch run` processes over one store at once (cron starting a run while the last one is
slow): every due watch is checked exactly once and every price move is one change, on SQLite and on
PostgreSQL. The bar's size (2,000 watches, 200 moves) is bench/overlap.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bench.lib.overlap import (
    PriceShop,
    counts_since,
    finish,
    make_all_due,
    overlapping_runs,
    start_run,
    write_watchlist,
)
from models import CrawlRun, Watch
from models.crawl import Observation
from monitor.crawl.claims import claim_due, release, renew, run_owner

N, MOVES = 240, 24


def test_two_overlapping_runs_check_each_watch_once_and_record_each_move_once(store_url, tmp_path) -> None:  # noqa: ANN001
    url, factory = store_url
    with PriceShop(N, delay_s=0.01).serving() as shop:
        config = write_watchlist(tmp_path / "watchlist.yaml", shop, url, concurrency=16)
        baseline = finish(start_run(config, url))
        assert baseline.returncode == 0, baseline.stderr[-3000:]
        with factory() as s:
            last = s.scalar(select(func.max(CrawlRun.id))) or 0
        shop.move(MOVES)
        make_all_due(factory)
        results = overlapping_runs(config, url, runs=2)
        for r in results:
            assert r.returncode == 0, r.stderr[-3000:]
        per_watch, changes = counts_since(factory, last)
    assert sorted(set(per_watch.values())) == [1], {w: n for w, n in per_watch.items() if n != 1}
    with factory() as s:
        # A failed check is no change: name it, so a lost move and a check that failed are told apart.
        failed = s.execute(
            select(Observation.watch_id, Observation.error_reason).where(
                Observation.run_id > last, Observation.status == "failed"
            )
        ).all()
    assert failed == []
    assert changes == MOVES
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Watch).where(Watch.claimed_by.is_not(None))) == 0
        assert set(s.scalars(select(CrawlRun.status))) == {"done"}


def _seed(factory, n: int) -> list[int]:  # noqa: ANN001
    now = datetime.now(UTC)
    with factory.begin() as s:
        rows = [
            Watch(kind="product", url=f"http://127.0.0.1/p/{i}", next_due_at=now - timedelta(minutes=i))
            for i in range(n)
        ]
        s.add_all(rows)
        s.flush()
        return [w.id for w in rows]


def test_a_claim_takes_due_watches_nobody_holds_and_a_lease_runs_out(store_sessions) -> None:  # noqa: ANN001
    factory = store_sessions
    ids = _seed(factory, 6)
    now = datetime.now(UTC)
    with factory.begin() as s:
        first = claim_due(s, now, "a", timedelta(minutes=5), limit=4)
    assert first == list(reversed(ids))[:4]  # oldest debt first
    with factory.begin() as s:
        assert claim_due(s, now, "b", timedelta(minutes=5)) == list(reversed(ids))[4:]
    with factory.begin() as s:
        assert claim_due(s, now, "c", timedelta(minutes=5)) == []
        assert claim_due(s, now, "c", timedelta(minutes=5), force=True) == []  # --all skips held watches too
    with factory.begin() as s:
        assert release(s, "a", first[:1]) == 1
        assert claim_due(s, now, "c", timedelta(minutes=5)) == first[:1]
    with factory.begin() as s:  # a holder that died: its lease runs out and the watch is due for others
        assert renew(s, "b", now + timedelta(minutes=1)) == 2
        assert sorted(claim_due(s, now + timedelta(minutes=2), "d", timedelta(minutes=5))) == sorted(
            list(reversed(ids))[4:]
        )
    with factory.begin() as s:
        assert release(s, "b") == 0  # what "d" took stays "d"'s
        s.execute(update(Watch).values(claimed_by=None, claimed_until=None))
        assert claim_due(s, now, run_owner(7), timedelta(minutes=5), watch_ids={ids[0]}) == [ids[0]]
