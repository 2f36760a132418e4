"""The outbox send side: retries with backoff, exactly-once on recovery, claims, and at-least-once after a kill."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta

from pg_fixture import *  # noqa: F403 - the store fixtures
from test_outbox_helpers import T0, deliveries, new_run, price_change, seed_watch, stock_change, watchlist

from alerts.channels import DEDUP_HEADER
from alerts.dispatcher import LEASE, dispatch_pending, force_due
from alerts.outbox import enqueue_run_alerts
from models.db import open_store
from monitor.demo.mailbox import LocalMailbox

RULES = "  - {name: drops, when: price_drop}\n  - {name: stock, when: out_of_stock, severity: critical}\n"
SECRET = "wecom-secret-key-42"


def enqueue(factory, wl, make=None) -> int:  # noqa: ANN001
    make = make or (lambda s: [(seed_watch(s), price_change("100", "90"))])
    run_id = new_run(factory, make)
    with factory.begin() as s:
        return enqueue_run_alerts(s, run_id, wl, now=T0)


def test_a_channel_failing_three_times_then_recovering_gets_the_message_once(
    store_sessions,
    fake,
    caplog,  # noqa: ANN001
) -> None:
    wl = watchlist(
        '  - {name: wecom, url: "wecombot://${WECOM_KEY}", mode: immediate, retry_backoff: 60}\n', RULES
    )
    env = {"WECOM_KEY": SECRET}
    assert enqueue(store_sessions, wl) == 1
    fake.fail_next("wecombot", 3)
    now = T0
    with caplog.at_level(logging.DEBUG):
        for attempt, delay in enumerate((60, 120, 240), start=1):
            report = dispatch_pending(store_sessions, wl, env=env, now=now)
            assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
            [row] = deliveries(store_sessions)
            assert (row.status, row.attempts) == ("pending", attempt)
            assert row.next_attempt_at == now + timedelta(seconds=delay)
            assert row.last_error.startswith("channel 'wecom': ") and SECRET not in row.last_error
            assert (
                dispatch_pending(
                    store_sessions, wl, env=env, now=now + timedelta(seconds=delay - 1)
                ).attempted
                == 0
            )
            now += timedelta(seconds=delay)
        assert dispatch_pending(store_sessions, wl, env=env, now=now).sent == 1
    [row] = deliveries(store_sessions)
    assert (row.status, row.attempts, row.last_error, row.sent_at) == ("sent", 4, None, now)
    assert dispatch_pending(store_sessions, wl, env=env, now=now + timedelta(days=1)).attempted == 0
    [delivered] = fake.accepted("wecombot")
    assert len(fake.requests) == 4
    assert delivered.payload["text"]["content"].startswith("[warning] ShopA: Price drop · Widget 1: 100 → 90 USD")
    assert row.dedup_key in delivered.payload["text"]["content"]  # visible to the receiver
    assert caplog.records and all(SECRET not in r.getMessage() for r in caplog.records)
    assert any("status=sent" in r.getMessage() for r in caplog.records)


def test_max_attempts_then_failed_and_a_forced_retry_sends(store_sessions, fake) -> None:  # noqa: ANN001
    wl = watchlist(
        '  - {name: wecom, url: "wecombot://${WECOM_KEY}", max_attempts: 2, retry_backoff: 10, every: run}\n', RULES
    )
    env = {"WECOM_KEY": SECRET}
    enqueue(store_sessions, wl)
    fake.fail_next("wecombot", 2)
    assert dispatch_pending(store_sessions, wl, env=env, now=T0).retrying == 1
    assert dispatch_pending(store_sessions, wl, env=env, now=T0 + timedelta(seconds=10)).failed == 1
    [row] = deliveries(store_sessions)
    assert row.status == "failed" and row.attempts == 2
    assert dispatch_pending(store_sessions, wl, env=env, now=T0 + timedelta(days=1)).attempted == 0
    assert force_due(store_sessions, now=T0 + timedelta(days=1)) == 1
    assert dispatch_pending(store_sessions, wl, env=env, now=T0 + timedelta(days=1)).sent == 1
    assert len(fake.accepted("wecombot")) == 1


def test_quiet_hours_hold_then_send_afterwards(store_sessions, tmp_path) -> None:  # noqa: ANN001
    with LocalMailbox(tmp_path / "mail") as box:
        channels = (
            f'  - name: mail\n    url: "{box.apprise_url()}"\n    every: run\n'
            '    quiet_hours: {start: "17:00", end: "09:00", timezone: Asia/Shanghai}\n'
        )
        wl = watchlist(channels, RULES)
        enqueue(
            store_sessions,
            wl,
            lambda s: [
                (seed_watch(s), price_change("100", "90")),
                (seed_watch(s, url="https://shop-a.example/p/2", label="W2"), stock_change(label="W2")),
            ],
        )
        assert dispatch_pending(store_sessions, wl, env={}, now=T0).attempted == 0
        assert box.messages() == []
        [row] = deliveries(store_sessions)
        assert dispatch_pending(store_sessions, wl, env={}, now=row.next_attempt_at).sent == 1
        [mail] = box.messages()
        assert mail["Subject"] == "[critical] rivalwatch: 2 changes (ShopA)"
        assert mail[DEDUP_HEADER] == row.dedup_key
        html = mail.get_body(("html",)).get_content()
        # a short table per competitor: the watch (linked), what happened, why (the rule that fired)
        assert ">W2</a>" in html and "out of stock" in html and "price 100 → 90 USD (-10.0%)" in html
        assert "stock (out of stock)" in html and "drops (price drop)" in html


def test_two_dispatchers_never_send_the_same_delivery(store_sessions, fake) -> None:  # noqa: ANN001
    wl = watchlist('  - {name: wecom, url: "wecombot://k123", mode: immediate, min_interval: 0}\n', RULES)

    def make(s):  # noqa: ANN001, ANN202
        return [
            (seed_watch(s, url=f"https://shop-a.example/p/{i}", label=f"W{i}"), price_change("10", "9"))
            for i in range(12)
        ]

    assert enqueue(store_sessions, wl, make) == 12
    reports = []
    threads = [
        threading.Thread(target=lambda: reports.append(dispatch_pending(store_sessions, wl, env={}, now=T0)))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == 12
    contents = [r.payload["text"]["content"] for r in fake.accepted("wecombot")]
    assert len(contents) == 12 and len(set(contents)) == 12
    assert {r.status for r in deliveries(store_sessions)} == {"sent"}


KILLED_DISPATCHER = """
import os, signal, sys
from datetime import datetime
from alerts.dispatcher import claim_due, deliver
from monitor.config.secrets import resolve_env
from models.db import open_store
from monitor.watchlist import load_watchlist
_, factory = open_store(sys.argv[1])
wl = load_watchlist(sys.argv[2])
now = datetime.fromisoformat(sys.argv[3])
for claimed in claim_due(factory, now):
    result = deliver(claimed, {c.name: c for c in wl.channels}[claimed.channel], resolve_env({}))
    assert result.ok, result.error
os.kill(os.getpid(), signal.SIGKILL)  # dies after the service accepted the mail, before marking it sent
"""


def test_a_dispatcher_killed_after_sending_resends_with_the_same_dedup_key(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("RIVALWATCH_DATABASE_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'rw.db'}"
    _, factory = open_store(url)
    with LocalMailbox(tmp_path / "mail") as box:
        config = tmp_path / "watchlist.yaml"
        config.write_text(f'channels:\n  - {{name: mail, url: "{box.apprise_url()}", every: run}}\nrules:\n{RULES}')
        wl = watchlist(f'  - {{name: mail, url: "{box.apprise_url()}", every: run}}\n', RULES)
        enqueue(factory, wl)
        proc = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(KILLED_DISPATCHER), url, str(config), T0.isoformat()],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == -9, proc.stderr
        [row] = deliveries(factory)
        assert (row.status, row.attempts) == ("sending", 1)  # sent, but never marked
        assert len(box.messages()) == 1
        # Within the lease nobody touches it; after the lease the row is presumed orphaned and sent again.
        assert dispatch_pending(factory, wl, env={}, now=T0 + timedelta(seconds=LEASE - 1)).attempted == 0
        assert dispatch_pending(factory, wl, env={}, now=T0 + timedelta(seconds=LEASE)).sent == 1
        first, second = box.messages()
        assert (
            first[DEDUP_HEADER] == second[DEDUP_HEADER] == row.dedup_key
        )  # the receiver can drop the resend
        assert first["Subject"] == second["Subject"]
        [row] = deliveries(factory)
        assert (row.status, row.attempts) == ("sent", 2)


def test_a_retry_that_would_fall_in_quiet_hours_waits_for_their_end(store_sessions, fake) -> None:  # noqa: ANN001
    channels = (
        '  - name: wecom\n    url: "wecombot://k123"\n    retry_backoff: 1h\n    every: run\n'
        '    quiet_hours: {start: "18:30", end: "08:00", timezone: Asia/Shanghai}\n'
    )
    wl = watchlist(channels, RULES)
    enqueue(store_sessions, wl)  # T0 = 18:00 in Shanghai: not quiet yet
    fake.fail_next("wecombot", 1)
    assert dispatch_pending(store_sessions, wl, env={}, now=T0).retrying == 1
    [row] = deliveries(store_sessions)
    assert row.next_attempt_at == datetime(2025, 3, 4, 0, 0, tzinfo=UTC)  # 08:00 Shanghai, not 19:00
