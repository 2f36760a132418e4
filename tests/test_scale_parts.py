"""The scale-out parts on a real Redis: redelivery after a dead consumer's lease, checked once per due
time; the scheduler lease passing to a standby; the shared per-site cap and delay."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import redis
import redis.asyncio as aioredis
from scale_helpers import queue_url  # noqa: F401
from scrapy import Request
from scrapy.http import Response

from monitor.scale.connect import queue_config
from monitor.scale.leader import Leadership
from monitor.scale.queue import WatchQueue
from spiders.shared_politeness import AsyncSiteGate, SharedPolitenessMiddleware, SiteGate


def _client(url: str) -> tuple[redis.Redis, str]:
    cfg = queue_config(url)
    return cfg.client(), cfg.prefix


def test_a_dead_consumers_jobs_are_redelivered_once_and_recognised_as_done(queue_url) -> None:  # noqa: ANN001, F811
    client, prefix = _client(queue_url)
    queue = WatchQueue(client, prefix)
    queue.ensure_group()
    due = datetime(2026, 12, 1, 8, tzinfo=UTC)
    assert queue.enqueue([(1, due), (2, due), (3, None)]) == 3
    assert queue.enqueue([(1, due), (3, None)]) == 0  # one job per (watch, due time)
    taken = queue.read("dead", count=10, block_ms=100, lease_ms=60_000)
    assert sorted(j.watch_id for j in taken) == [1, 2, 3]
    assert queue.read("alive", count=10, block_ms=100, lease_ms=60_000) == []  # held: not handed out
    time.sleep(0.3)
    again = queue.read("alive", count=10, block_ms=100, lease_ms=200)  # the dead one's lease ran out
    assert sorted(j.watch_id for j in again) == [1, 2, 3]
    checked = {1: due + timedelta(days=1), 2: due, 3: None}  # watch 1 was stored before the death
    assert [j.watch_id for j in again if j.still_due(checked[j.watch_id])] == [2, 3]
    queue.done(again)
    assert queue.depth() == 0
    assert queue.enqueue([(2, due)]) == 1  # done: a job cut short can be queued again


def test_only_a_read_that_waited_for_jobs_waits_for_the_rest_of_their_pass(queue_url, monkeypatch) -> None:  # noqa: ANN001, F811
    import monitor.scale.queue as queue_module

    client, prefix = _client(queue_url)
    queue = WatchQueue(client, prefix)
    queue.ensure_group()
    waits: list[float] = []
    monkeypatch.setattr(queue_module.time, "sleep", waits.append)
    queue.enqueue([(1, None), (2, None), (3, None)])
    assert len(queue.read("w", count=2, block_ms=100, lease_ms=60_000)) == 2
    assert waits == [queue_module.LINGER]  # woken by a pass: the rest of it may be on its way
    assert len(queue.read("w", count=5, block_ms=None, lease_ms=60_000)) == 1
    assert waits == [queue_module.LINGER]  # taking more of what is queued: nothing to wait for


def test_touched_jobs_stay_with_their_worker(queue_url) -> None:  # noqa: ANN001, F811
    client, prefix = _client(queue_url)
    queue = WatchQueue(client, prefix)
    queue.ensure_group()
    queue.enqueue([(7, None)])
    mine = queue.read("busy", count=1, block_ms=100, lease_ms=1000)
    for _ in range(4):
        time.sleep(0.1)
        queue.touch("busy", mine)
    assert queue.read("other", count=1, block_ms=100, lease_ms=300) == []


def test_a_standby_scheduler_takes_over_when_the_lease_runs_out(queue_url) -> None:  # noqa: ANN001, F811
    client, prefix = _client(queue_url)
    first, second = Leadership(client, prefix, 0.4), Leadership(client, prefix, 0.4)
    assert first.hold() == (True, True)
    assert second.hold() == (False, False)
    assert first.hold() == (True, False)  # renewed
    time.sleep(0.6)  # the first one stopped renewing (it died)
    assert second.hold() == (True, True)
    assert first.hold() == (False, False)  # lost: it stops acting


def test_the_site_gate_caps_requests_in_flight_and_spaces_them(queue_url) -> None:  # noqa: ANN001, F811
    client, prefix = _client(queue_url)
    gate = SiteGate(client, prefix)
    assert gate.try_take("shop:1", "a", cap=2, delay=0, lease=30) == 0
    assert gate.try_take("shop:1", "b", cap=2, delay=0, lease=30) == 0
    assert gate.try_take("shop:1", "c", cap=2, delay=0, lease=30) > 0  # full
    gate.give_back("shop:1", "a")
    assert gate.try_take("shop:1", "c", cap=2, delay=0, lease=30) == 0
    assert gate.try_take("shop:2", "x", cap=1, delay=0, lease=0.2) == 0
    time.sleep(0.3)  # its holder died: the lease expired by itself
    assert gate.try_take("shop:2", "y", cap=1, delay=0, lease=30) == 0
    assert gate.try_take("engine", "p", cap=5, delay=0.5, lease=30) == 0
    wait = gate.try_take("engine", "q", cap=5, delay=0.5, lease=30)
    assert 0 < wait <= 0.5  # the engine's delay holds across workers


def test_two_crawls_share_a_sites_cap_fairly_and_every_request_gets_through(queue_url) -> None:  # noqa: ANN001, F811
    """Two crawls (as in two workers) send 40 requests each to one site with a cap of 4; the first one
    starts alone and takes every place. Never more than 4 hold a place at once; while both have
    requests waiting, each gets its share (neither keeps every place by taking back each one it
    frees); every request is let through and no place is left taken."""
    cfg = queue_config(queue_url)
    held, done = [0, 0], [0, 0]
    finished: list[int] = []  # which crawl each completed request belonged to, in order
    peak, both_from, both_until = 0, -1, -1

    async def crawl(k: int, mw: SharedPolitenessMiddleware) -> None:
        async def one(i: int) -> None:
            nonlocal peak, both_until
            request = Request(f"http://shop.test:8080/p/{k}/{i}")
            await mw.process_request(request)
            held[k] += 1
            peak = max(peak, sum(held))
            await asyncio.sleep(0.02)
            held[k] -= 1
            await mw.process_response(request, Response(request.url))
            done[k] += 1
            finished.append(k)
            if done[k] == 40 and both_until < 0:
                both_until = len(finished)

        nonlocal both_from
        await asyncio.sleep(0.1 * k)  # the second crawl comes when the first holds every place
        if k == 1:
            both_from = len(finished)
        await asyncio.gather(*(one(i) for i in range(40)))

    async def main() -> None:
        mws = [
            SharedPolitenessMiddleware(
                AsyncSiteGate(aioredis.Redis.from_url(cfg.url), cfg.prefix), 4, 0, {}, 30
            )
            for _ in range(2)
        ]
        await asyncio.gather(*(crawl(k, mw) for k, mw in enumerate(mws)))
        for mw in mws:
            await mw.spider_closed()

    asyncio.run(main())
    assert done == [40, 40] and peak == 4
    overlap = finished[both_from:both_until]  # while both crawls had requests waiting
    assert len(overlap) >= 10 and min(overlap.count(0), overlap.count(1)) >= len(overlap) / 4, finished
    assert SiteGate(cfg.client(), cfg.prefix).in_flight("shop.test:8080") == 0
