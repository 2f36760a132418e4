"""`rivalwatch serve` as a real process over real HTTP: SIGTERM mid-crawl, restart, nothing lost or doubled.

Day 0 is checked by a first service (the baseline). The market moves to day 1 and every watch comes due
(as if a day had passed); a second service is stopped with SIGTERM in the middle of its crawl; a third
finishes the day. Then every watch has exactly one observation per scheduled check, every change a
rule routes to the mailbox arrived exactly once over SMTP (counted by dedup key), and no run was left
half-open.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from service_helpers import (
    interrupted_day_settled,
    mail_keys,
    observations_per_watch,
    outbox_settled,
    run_statuses,
    wait_for,
    write_watchlist,
)
from sqlalchemy import update

from models import Watch
from models.db import open_store
from monitor.demo.mailbox import LocalMailbox
from monitor.service.state import ServiceState, read_state, state_path
from monitor.status import service_health
from monitor.watchlist import load_watchlist

RIVALWATCH = str(Path(sys.executable).with_name("rivalwatch"))
SLOW = 3  # watches of a page that answers after 1 s: the crawl is still running when SIGTERM comes


def _serve(config: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            RIVALWATCH,
            "serve",
            "-c",
            str(config),
            "--tick",
            "0.2",
            "--dispatch-every",
            "0.5",
            "--spread-rate",
            "500",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log.open("a"),
    )


def _in_flight(state_file: Path, pid: int) -> int:
    state = read_state(state_file)
    return state.in_flight if state is not None and state.pid == pid else 0


def _stop(proc: subprocess.Popen, log: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert rc == 0, log.read_text()[-3000:]


def test_sigterm_mid_crawl_then_restart_loses_and_doubles_nothing(market, tmp_path) -> None:  # noqa: ANN001
    market.set_day(0)
    mailbox = LocalMailbox(tmp_path / "mail")
    mailbox.start()
    config, log, db = tmp_path / "watchlist.yaml", tmp_path / "service.log", tmp_path / "rw.db"
    data = write_watchlist(
        config,
        market,
        mailbox.apprise_url(),
        db,
        default_interval="1d",
        concurrent_requests=2,
        concurrency_per_domain=1,
    )
    alpha = market.base_urls["alpha"]
    data["products"] += [{"url": f"{alpha}/bad/slow?s=1&i={i}", "competitor": "Alpha"} for i in range(SLOW)]
    import yaml

    config.write_text(yaml.safe_dump(data, sort_keys=False))
    watchlist = load_watchlist(config)
    _engine, factory = open_store(f"sqlite:///{db}")
    try:
        # 1. the baseline day
        proc = _serve(config, log)
        n = len(watchlist.products)
        wait_for(
            lambda: (
                len(observations_per_watch(factory)) == n
                and min(observations_per_watch(factory).values()) == 1
            ),
            40,
            "day 0 checked",
        )
        _stop(proc, log)
        assert set(observations_per_watch(factory).values()) == {1}

        # 2. a day later: the market moved, everything is due; stop in the middle of the crawl
        market.set_day(1)
        with factory.begin() as s:
            s.execute(update(Watch).values(next_due_at=datetime.now(UTC) - timedelta(seconds=1)))
        proc = _serve(config, log)
        state_file = state_path(watchlist.settings.database_url)
        wait_for(lambda: _in_flight(state_file, proc.pid) > 0, 30, "the day 1 crawl to start")
        time.sleep(1.0)  # fast pages fetched, the slow ones in flight or queued
        _stop(proc, log)
        counts = observations_per_watch(factory)
        assert max(counts.values()) <= 2, "a watch was checked twice for one scheduled check"
        assert min(counts.values()) == 1, "the stop came too late to leave work for the restart"
        assert run_statuses(factory)["running"] == 0

        # 3. restart: the rest of the day is done, the alerts go out; a bad reload is refused meanwhile
        proc = _serve(config, log)
        wait_for(
            lambda: (read_state(state_file) or ServiceState()).pid == proc.pid, 20, "the service to start"
        )
        good = config.read_text()
        config.write_text(good + "\nschedule_everything: now\n")  # an unknown key: not a valid watchlist
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: '"event": "reload_failed"' in log.read_text(), 20, "the refused reload")
        config.write_text(good)
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: '"event": "reloaded"' in log.read_text(), 20, "the reload")
        wait_for(
            lambda: set(observations_per_watch(factory).values()) == {2}, 40, "day 1 finished after restart"
        )
        wait_for(lambda: outbox_settled(factory), 20, "the outbox to drain")
        with factory() as s:
            health = service_health(s, datetime.now(UTC), watchlist.settings.database_url)
        assert health.running and health.pid == proc.pid
        _stop(proc, log)
    finally:
        mailbox.stop() if proc.poll() is not None else (proc.kill(), mailbox.stop())

    deliveries = interrupted_day_settled(factory, watchlist, checks=2, cut="stopped")
    keys = mail_keys(mailbox)
    assert sorted(keys) == sorted(deliveries)  # each delivery arrived exactly once over SMTP
    events = [line for line in log.read_text().splitlines() if line.startswith("{")]
    assert any('"event": "crawl"' in e for e in events) and any('"event": "delivery"' in e for e in events)
