"""Digest windows and per-channel order in the outbox, on SQLite and PostgreSQL.

A digest channel's window collects every run's changes into one row, sent once when the window ends;
a restart in the middle loses nothing and repeats nothing; quiet hours hold a window that ends in
them. After an outage a channel hears its messages in the order the changes happened.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from pg_fixture import *  # noqa: F403 - the store fixtures
from sqlalchemy import select
from test_outbox_helpers import T0, deliveries, new_run, price_change, seed_watch, stock_change, watchlist

from alerts.dispatcher import dispatch_pending
from alerts.outbox import enqueue_run_alerts
from models import Watch
from models.db import open_store
from monitor.config.alerting import Channel
from monitor.rules import digest_window

RULES = "  - {name: drops, when: price_drop}\n  - {name: stock, when: out_of_stock, severity: critical}\n"
HOURLY = '  - {name: wecom, url: "wecombot://k123", every: 1h, min_interval: 0}\n'


def run_with(factory, old: str, new: str, url: str = "https://shop-a.example/p/1") -> int:  # noqa: ANN001
    def make(s):  # noqa: ANN001, ANN202
        w = s.scalars(select(Watch).where(Watch.url == url)).first() or seed_watch(s, url=url, label=url[-3:])
        return [(w, price_change(old, new, w.label))]

    return new_run(factory, make)


def enqueue(factory, run_id: int, wl, now: datetime) -> int:  # noqa: ANN001
    with factory.begin() as s:
        return enqueue_run_alerts(s, run_id, wl, now=now)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_window_bounds_every_and_at_in_the_channels_zone() -> None:
    hourly = Channel(name="a", url="json://x", every="1h")
    assert digest_window(hourly, _utc(2026, 3, 3, 10, 20), "UTC") == (_utc(2026, 3, 3, 10), _utc(2026, 3, 3, 11))
    odd = Channel(name="a", url="json://x", every="90m", timezone="Asia/Shanghai")
    # 23:10 in Shanghai: the day's last 90-minute window (22:30-24:00) is cut at local midnight
    assert digest_window(odd, _utc(2026, 3, 3, 15, 10), "UTC") == (_utc(2026, 3, 3, 14, 30), _utc(2026, 3, 3, 16))
    twice = Channel(name="a", url="json://x", at=["09:00", "17:00"])
    # 18:00 in Shanghai: the next send is 09:00 tomorrow; the settings' zone is the default
    assert digest_window(twice, _utc(2026, 3, 3, 10), "Asia/Shanghai") == (_utc(2026, 3, 3, 9), _utc(2026, 3, 4, 1))
    assert digest_window(twice, _utc(2026, 3, 3, 8, 59), "Asia/Shanghai") == (_utc(2026, 3, 3, 1), _utc(2026, 3, 3, 9))
    # across a DST change a window is an hour of real time (Berlin skips 02:00-03:00 on 2026-03-29)
    berlin = Channel(name="a", url="json://x", every="1h", timezone="Europe/Berlin")
    assert digest_window(berlin, _utc(2026, 3, 29, 1, 30), "UTC") == (_utc(2026, 3, 29, 1), _utc(2026, 3, 29, 2))
    assert digest_window(Channel(name="a", url="json://x", every="run"), T0, "UTC") is None
    assert digest_window(Channel(name="a", url="json://x", mode="immediate"), T0, "UTC") is None
    assert Channel(name="a", url="json://x").window == 3600.0  # a digest without every/at: an hour
    with pytest.raises(ValueError, match="either every or at"):
        Channel(name="a", url="json://x", every="1h", at=["09:00"])
    with pytest.raises(ValueError, match="need mode: digest"):
        Channel(name="a", url="json://x", mode="immediate", at=["09:00"])


def test_runs_in_one_window_are_one_message_sent_when_it_ends(store_sessions, fake) -> None:  # noqa: ANN001
    wl = watchlist(HOURLY, RULES)
    first = run_with(store_sessions, "100", "90")
    assert enqueue(store_sessions, first, wl, T0) == 1
    second = run_with(store_sessions, "50", "45", url="https://shop-a.example/p/2")
    assert enqueue(store_sessions, second, wl, T0 + timedelta(minutes=20)) == 1
    assert enqueue(store_sessions, second, wl, T0 + timedelta(minutes=21)) == 0  # a change alerts once
    [row] = deliveries(store_sessions)
    assert (row.window_start, row.window_end, row.next_attempt_at) == (T0, T0 + timedelta(hours=1), T0 + timedelta(hours=1))
    assert len(row.change_ids) == 2 and row.revision == 1
    assert dispatch_pending(store_sessions, wl, env={}, now=T0 + timedelta(minutes=59)).attempted == 0
    assert dispatch_pending(store_sessions, wl, env={}, now=T0 + timedelta(hours=1)).sent == 1
    [message] = fake.accepted("wecombot")
    text = message.payload["text"]["content"]
    assert text.startswith("[warning] rivalwatch 11:00 digest: 2 changes (ShopA)")
    assert "price 100 → 90" in text and "price 50 → 45" in text and row.dedup_key in text
    # the next run starts the next window
    third = run_with(store_sessions, "90", "80")
    enqueue(store_sessions, third, wl, T0 + timedelta(hours=1, minutes=5))
    assert [r.window_end for r in deliveries(store_sessions)] == [T0 + timedelta(hours=1), T0 + timedelta(hours=2)]


def test_a_change_that_arrives_after_the_claim_gets_a_late_row(store_sessions, fake) -> None:  # noqa: ANN001
    wl = watchlist(HOURLY, RULES)
    enqueue(store_sessions, run_with(store_sessions, "100", "90"), wl, T0)
    assert dispatch_pending(store_sessions, wl, env={}, now=T0 + timedelta(hours=1)).sent == 1
    # a crawl that read the clock before the window ended commits after it was sent
    enqueue(store_sessions, run_with(store_sessions, "90", "85"), wl, T0 + timedelta(minutes=59))
    first, late = deliveries(store_sessions)
    assert late.window_end == first.window_end and late.dedup_key == first.dedup_key + "-1"
    assert late.next_attempt_at == first.window_end  # already due
    assert dispatch_pending(store_sessions, wl, env={}, now=T0 + timedelta(hours=1, seconds=1)).sent == 1
    assert len(fake.accepted("wecombot")) == 2


def test_a_restart_in_the_middle_of_a_window_loses_nothing_and_repeats_nothing(tmp_path, fake) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'rw.db'}"
    wl = watchlist(HOURLY, RULES)
    _e1, before = open_store(url)
    enqueue(before, run_with(before, "100", "90"), wl, T0)
    _e1.dispose()  # the process stops; a new one opens the same store
    _e2, after = open_store(url)
    run2 = run_with(after, "90", "80")
    enqueue(after, run2, wl, T0 + timedelta(minutes=30))
    enqueue(after, run2, wl, T0 + timedelta(minutes=31))  # the recovery queues the run once more
    [row] = deliveries(after)
    assert len(row.change_ids) == 2
    assert dispatch_pending(after, wl, env={}, now=T0 + timedelta(hours=1)).sent == 1
    assert dispatch_pending(after, wl, env={}, now=T0 + timedelta(hours=2)).attempted == 0
    [message] = fake.accepted("wecombot")
    assert "100 → 90" in message.payload["text"]["content"] and "90 → 80" in message.payload["text"]["content"]


def test_quiet_hours_hold_a_window_that_ends_in_them(store_sessions) -> None:  # noqa: ANN001
    channels = (
        '  - name: wecom\n    url: "wecombot://k123"\n    every: 1h\n'
        '    quiet_hours: {start: "18:30", end: "08:00", timezone: Asia/Shanghai, allow: [critical]}\n'
    )
    wl = watchlist(channels, RULES)
    # T0 + 30 min = 18:30 in Shanghai: the window 18:00-19:00 Shanghai ends in the quiet hours
    enqueue(store_sessions, run_with(store_sessions, "100", "90"), wl, T0 + timedelta(minutes=30))
    [row] = deliveries(store_sessions)
    assert row.window_end == T0 + timedelta(hours=1)
    assert row.next_attempt_at == _utc(2025, 3, 4, 0, 0)  # 08:00 Shanghai
    # a critical change in the same window lets it through at the window's end
    run = new_run(store_sessions, lambda s: [(seed_watch(s, url="https://shop-a.example/p/9", label="W9"), stock_change(label="W9"))])
    enqueue(store_sessions, run, wl, T0 + timedelta(minutes=40))
    [row] = deliveries(store_sessions)
    assert row.severity == "critical" and row.next_attempt_at == T0 + timedelta(hours=1)


def test_concurrent_runs_appending_to_one_window_lose_nothing(store_sessions) -> None:  # noqa: ANN001
    wl = watchlist(HOURLY, RULES)
    runs = [run_with(store_sessions, "100", "90", url=f"https://shop-a.example/p/{i}") for i in range(8)]
    errors: list[BaseException] = []

    def work(run_id: int) -> None:
        try:
            enqueue(store_sessions, run_id, wl, T0 + timedelta(minutes=5))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(r,)) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    all_rows = deliveries(store_sessions)
    ids = sorted(cid for r in all_rows for cid in r.change_ids)
    assert len(ids) == len(set(ids)) == 8  # every change once: no append overwrote another
    assert all(r.window_end == T0 + timedelta(hours=1) for r in all_rows)


def test_after_an_outage_a_channel_hears_the_changes_in_order(store_sessions, fake) -> None:  # noqa: ANN001
    wl = watchlist('  - {name: wecom, url: "wecombot://k123", mode: immediate, retry_backoff: 60, min_interval: 0}\n', RULES)
    fake.fail_next("wecombot", 4)  # the service is down for a while
    enqueue(store_sessions, run_with(store_sessions, "100", "90"), wl, T0)
    assert dispatch_pending(store_sessions, wl, env={}, now=T0).retrying == 1  # 1st failure: retry at +60 s
    enqueue(store_sessions, run_with(store_sessions, "90", "80"), wl, T0 + timedelta(seconds=30))
    # the newer message is due, but the older one waits for its retry: nothing overtakes it
    assert dispatch_pending(store_sessions, wl, env={}, now=T0 + timedelta(seconds=30)).attempted == 0
    assert dispatch_pending(store_sessions, wl, env={}, now=T0 + timedelta(seconds=60)).retrying == 1  # +120 s
    enqueue(store_sessions, run_with(store_sessions, "80", "70"), wl, T0 + timedelta(seconds=100))
    report = dispatch_pending(store_sessions, wl, env={}, now=T0 + timedelta(seconds=180))  # 3rd failure
    assert (report.retrying, report.sent) == (1, 0)  # and the two behind it were given back, untried
    assert [r.attempts for r in deliveries(store_sessions)] == [3, 0, 0]
    report = dispatch_pending(store_sessions, wl, env={}, now=T0 + timedelta(seconds=420))  # 4th failure
    assert dispatch_pending(store_sessions, wl, env={}, now=T0 + timedelta(seconds=900)).sent == 3  # back up
    received = [r.payload["text"]["content"].splitlines()[0] for r in fake.accepted("wecombot")]
    assert [re.search(r"(\d+ → \d+) USD", line)[1] for line in received] == ["100 → 90", "90 → 80", "80 → 70"]
    assert received[-1].endswith("80 → 70 USD (-12.5%)")  # the last message read carries the latest price
