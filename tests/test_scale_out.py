"""Scale-out as separate processes on real PostgreSQL and Redis: one scheduler, three workers, two
dispatchers over the demo market (served with a latency per answer, so crawls overlap).

Day 0 is the baseline. Then every watch comes due again on a moved market; one worker is killed with
SIGKILL mid-crawl, and one dispatcher is killed while the mailbox holds back its "250 accepted"
(the mail arrived, the row is not marked sent). Then every watch has exactly one observation per due
time, every change a rule routes was delivered, each mail arrived once or twice with the same dedup
key (the resend after the dead dispatcher's lease), and no shop ever saw more requests at once than
the cap shared by the workers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import redis
from scale_helpers import RIVALWATCH, pg_url, pid_with_local_port, queue_url, role_env, start_role  # noqa: F401
from service_helpers import (
    interrupted_day_settled,
    mail_keys,
    observations_per_watch,
    outbox_settled,
    run_statuses,
    wait_for,
    write_watchlist,
)
from sqlalchemy import create_engine, update
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import sessionmaker

from bench.lib.roles import stop_all
from models import CrawlRun, Watch
from monitor.demo.mailbox import LocalMailbox
from monitor.scale.connect import queue_config
from monitor.scale.members import Members
from monitor.watchlist import load_watchlist

MARKET = {"seed": 11, "n_products": 16}
CAP = 2  # requests in flight per shop across all workers
LEASE = "4"  # seconds: a dead worker's jobs, a dead dispatcher's claims pass on after this


def _members(queue: str, role: str) -> list:  # noqa: ANN202
    cfg = queue_config(queue)
    return [
        m
        for m in Members(redis.Redis.from_url(cfg.url, decode_responses=True), cfg.prefix).all()
        if m.role == role
    ]


def _synced(factory, n: int) -> bool:  # noqa: ANN001
    try:
        return len(observations_per_watch(factory)) == n
    except ProgrammingError:  # the scheduler has not migrated the schema yet
        return False


def test_kill_a_worker_and_a_dispatcher_nothing_lost_or_doubled(market, tmp_path, pg_url, queue_url) -> None:  # noqa: ANN001, F811
    market.set_day(0)
    market.load.latency = 0.15
    market.load.reset()
    mailbox = LocalMailbox(tmp_path / "mail", reply_delay=8.0)  # time to find the sender on a busy machine; under Apprise's 15 s SMTP timeout
    mailbox.start()
    config, log = tmp_path / "watchlist.yaml", tmp_path / "roles.log"
    write_watchlist(
        config,
        market,
        mailbox.apprise_url(),
        tmp_path / "unused.db",
        concurrent_requests=8,
        concurrency_per_domain=4,
    )
    env = role_env(pg_url, queue_url)
    os.environ["RIVALWATCH_DATABASE_URL"] = pg_url  # this process reads the same store
    watchlist = load_watchlist(config)
    engine = create_engine(pg_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    common = ("--tick", "0.2", "--lease", LEASE, "--spread-rate", "1000")
    procs = [start_role("scheduler", config, log, env, *common)]
    workers = [
        start_role("worker", config, log, env, *common, "--jobs", "6", "--domain-cap", str(CAP))
        for _ in range(3)
    ]
    dispatchers = [
        start_role("dispatcher", config, log, env, "--dispatch-every", "0.3", "--alert-lease", LEASE)
        for _ in range(2)
    ]
    procs += workers + dispatchers
    try:
        n = len(watchlist.products)
        wait_for(lambda: _synced(factory, n), 60, "the store migrated and synced", every=0.5)
        wait_for(lambda: min(observations_per_watch(factory).values()) == 1, 90, "day 0 checked", every=0.5)
        assert set(observations_per_watch(factory).values()) == {1}
        wait_for(lambda: outbox_settled(factory), 60, "day 0's outbox to drain", every=0.5)
        shown = subprocess.run(
            [RIVALWATCH, "status", "-c", str(config)], env=env, capture_output=True, text=True, timeout=60
        ).stdout
        assert "jobs waiting or in progress" in shown and "6 members" in shown, shown
        for p in procs:
            assert f"pid {p.pid}: heartbeat" in shown, shown

        # Day 1: every watch due again on a moved market.
        market.set_day(1)
        with factory.begin() as s:
            s.execute(update(Watch).values(next_due_at=datetime.now(UTC) - timedelta(seconds=1)))
        victims: list = []

        def crawling() -> bool:  # a worker with its run open and its pages being fetched
            busy = [m for m in _members(queue_url, "worker") if m.run_id and m.doing.startswith("crawling")]
            if busy and sum(market.load.current.values()) > 0:
                victims.append(busy[0])
                return True
            return False

        wait_for(crawling, 30, "a worker in the middle of a day 1 crawl", every=0.02)
        os.kill(victims[0].pid, signal.SIGKILL)
        counts = observations_per_watch(factory)
        assert min(counts.values()) == 1, "the kill came too late: day 1 was already done"

        # A dispatcher whose mail the mailbox holds: the mail is there, its row not yet marked sent.
        wait_for(lambda: mailbox.handler.receiving is not None, 120, "a mail being delivered", every=0.02)
        peer = mailbox.handler.receiving
        assert peer is not None
        sender = pid_with_local_port([d.pid for d in dispatchers], peer[1])
        assert sender is not None, "no dispatcher holds the SMTP connection"
        os.kill(sender, signal.SIGKILL)
        mailbox.handler.reply_delay = 0.0

        wait_for(
            lambda: set(observations_per_watch(factory).values()) == {2}, 120, "day 1 checked", every=0.5
        )
        wait_for(
            lambda: run_statuses(factory)["running"] == 0, 60, "the dead worker's run recovered", every=0.5
        )
        wait_for(lambda: outbox_settled(factory), 120, "the outbox to drain", every=0.5)
        time.sleep(1.0)  # a last mail on its way
    finally:
        stop_all(procs, timeout=30)
        mailbox.stop()
        os.environ.pop("RIVALWATCH_DATABASE_URL", None)

    deliveries = interrupted_day_settled(factory, watchlist, checks=2, cut="interrupted")
    with factory() as s:
        killed = s.get(CrawlRun, victims[0].run_id)
        assert killed is not None and killed.status == "interrupted"  # closed by the scheduler
    arrived = Counter(mail_keys(mailbox))
    assert set(arrived) == set(deliveries)  # every delivery arrived
    assert max(arrived.values()) <= 2 and 2 in arrived.values(), arrived  # the killed send came again, once
    peaks = {shop: market.load.peak.get(shop, 0) for shop in market.base_urls}
    assert max(peaks.values()) <= CAP, peaks  # the cap held across the three workers
    assert max(peaks.values()) == CAP, peaks  # and the workers did crawl a shop in parallel
    engine.dispose()
    market.load.latency = 0.0


def test_a_killed_scheduler_is_replaced_by_a_standby(market, tmp_path, pg_url, queue_url) -> None:  # noqa: ANN001, F811
    """Two schedulers and one worker: only one scheduler leads. The leader is killed with SIGKILL (it
    cannot release its lock); once its lease runs out the standby leads, and the watches that come due
    after the kill are queued and checked, each exactly once."""
    market.set_day(0)
    config, log = tmp_path / "watchlist.yaml", tmp_path / "roles.log"
    write_watchlist(config, market, "json://127.0.0.1:9/", tmp_path / "unused.db")
    env = role_env(pg_url, queue_url)
    engine = create_engine(pg_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    n = len(load_watchlist(config).products)
    common = ("--tick", "0.2", "--lease", LEASE, "--spread-rate", "1000")
    schedulers = [start_role("scheduler", config, log, env, *common) for _ in range(2)]
    procs = [*schedulers, start_role("worker", config, log, env, *common, "--jobs", "8")]

    def leading() -> list:  # noqa: ANN202
        return [m for m in _members(queue_url, "scheduler") if m.doing.startswith("leading")]

    try:
        wait_for(lambda: _synced(factory, n), 60, "the store migrated and synced", every=0.5)
        wait_for(lambda: min(observations_per_watch(factory).values()) == 1, 90, "day 0 checked", every=0.5)
        wait_for(lambda: len(_members(queue_url, "scheduler")) == 2, 30, "both schedulers beating")
        acting = leading()
        assert len(acting) == 1, acting  # one leads, the other stands by
        standby = next(m for m in _members(queue_url, "scheduler") if m.pid != acting[0].pid)
        assert standby.doing.startswith("standby"), standby
        os.kill(acting[0].pid, signal.SIGKILL)

        market.set_day(1)  # due after the kill: only the standby can queue them
        with factory.begin() as s:
            s.execute(update(Watch).values(next_due_at=datetime.now(UTC) - timedelta(seconds=1)))
        wait_for(lambda: [m.pid for m in leading()] == [standby.pid], 60, "the standby to lead", every=0.2)
        wait_for(
            lambda: set(observations_per_watch(factory).values()) == {2}, 120, "day 1 checked", every=0.5
        )
        time.sleep(1.0)  # a second check of some watch would show here
    finally:
        stop_all(procs, timeout=30)
    assert set(observations_per_watch(factory).values()) == {2}, "a watch missed or doubled a due time"
    assert schedulers[0].returncode == -signal.SIGKILL or schedulers[1].returncode == -signal.SIGKILL
    engine.dispose()


@pytest.mark.parametrize("role", ["scheduler", "worker", "dispatcher"])
def test_a_role_on_sqlite_is_refused_with_what_to_set(role, tmp_path, queue_url, market) -> None:  # noqa: ANN001, F811
    config = tmp_path / "watchlist.yaml"
    write_watchlist(config, market, "json://127.0.0.1:9/", tmp_path / "rw.db")
    env = role_env(f"sqlite:///{tmp_path / 'rw.db'}", queue_url)
    result = subprocess.run(
        [RIVALWATCH, "serve", "-c", str(config), "--role", role],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "needs PostgreSQL" in result.stderr and "RIVALWATCH_DATABASE_URL" in result.stderr
