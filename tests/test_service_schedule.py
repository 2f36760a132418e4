"""The service's scheduling decisions (pure), its log format, and recovery of a run cut off by a kill."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from test_outbox_helpers import T0, price_change, seed_run, seed_watch, watchlist

from models import AlertDelivery, CrawlRun, Watch
from monitor.service import store_ops
from monitor.service.logs import event, install, uninstall
from monitor.service.report_job import report_due, report_schedule
from monitor.service.schedule import (
    DueWatch,
    ScheduleError,
    lag_percentiles,
    next_cron_due,
    pick_batch,
    spread_overdue,
    validate_crons,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def test_overdue_work_is_spread_at_the_given_rate_oldest_debt_first() -> None:
    overdue = [DueWatch(i, f"http://a.example/{i}", NOW - timedelta(hours=i), 3600) for i in range(1, 101)]
    overdue.append(DueWatch(500, "http://a.example/new", None, 3600))
    slots = spread_overdue(overdue, NOW, rate=10)
    assert 500 not in slots  # never checked: first, now
    assert slots[100] == NOW + timedelta(seconds=0.1)  # then the oldest debt
    starts = sorted([NOW] + list(slots.values()))
    per_second: dict[int, int] = {}
    for t in starts:
        per_second[int((t - NOW).total_seconds())] = per_second.get(int((t - NOW).total_seconds()), 0) + 1
    assert max(per_second.values()) <= 10
    assert max(slots.values()) == NOW + timedelta(seconds=10)
    assert slots[1] > slots[50]  # the most recently due goes last


def test_a_spread_never_pushes_a_watch_past_half_its_interval() -> None:
    overdue = [DueWatch(i, "http://a.example/", NOW, 20) for i in range(100)]
    slots = spread_overdue(overdue, NOW, rate=1)
    assert max(slots.values()) == NOW + timedelta(seconds=10)


def test_cron_due_times_follow_the_expression_in_its_time_zone_with_a_stable_jitter() -> None:
    due = next_cron_due("0 9 * * mon-fri", "Asia/Shanghai", NOW, watch_id=7)
    fire = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in Shanghai
    assert fire <= due <= fire + timedelta(seconds=60)
    assert due == next_cron_due("0 9 * * mon-fri", "Asia/Shanghai", NOW, watch_id=7)
    others = {next_cron_due("0 9 * * mon-fri", "Asia/Shanghai", NOW, watch_id=i) for i in range(50)}
    assert len(others) > 40  # 50 watches on one expression do not start in the same second
    every5 = next_cron_due("*/5 * * * *", "UTC", NOW, watch_id=3)
    assert NOW + timedelta(minutes=5) <= every5 <= NOW + timedelta(minutes=5, seconds=6)


def test_bad_cron_expressions_are_reported_with_the_watch() -> None:
    problems = validate_crons([("Widget", "0 9 * *"), ("Gadget", "*/10 * * * *")], "UTC")
    assert len(problems) == 1 and problems[0].startswith("Widget: not a cron expression")
    with pytest.raises(ScheduleError):
        next_cron_due("61 * * * *", "UTC", NOW, 1)


def test_a_batch_skips_watches_in_flight_and_domains_another_crawl_holds() -> None:
    due = [
        DueWatch(1, "https://a.example/1", NOW - timedelta(seconds=5)),
        DueWatch(2, "https://b.example/1", NOW - timedelta(seconds=4)),
        DueWatch(3, "https://a.example/2", NOW - timedelta(seconds=3)),
        DueWatch(4, "https://c.example:8080/1", None),
    ]
    ids, domains = pick_batch(due, in_flight={1}, busy_domains={"b.example"}, limit=10)
    assert ids == [4, 3] and domains == {"c.example", "a.example"}
    ids, _ = pick_batch(due, in_flight=set(), busy_domains=set(), limit=2)
    assert ids == [4, 1]


def test_lag_percentiles() -> None:
    assert lag_percentiles([]) == {"p50": 0.0, "p95": 0.0, "max": 0.0}
    lags = [float(i) for i in range(101)]
    assert lag_percentiles(lags) == {"p50": 50.0, "p95": 95.0, "max": 100.0}


def test_the_weekly_report_is_due_once_per_scheduled_time() -> None:
    wl = watchlist("  - {name: mail, url: 'json://localhost/'}", "  - {name: drops, when: price_drop}")
    expr, tz = report_schedule(wl)
    assert expr.endswith("* * mon")
    monday_8 = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    assert report_due(wl, None, monday_8) is False  # a first start only notes the time
    assert report_due(wl, monday_8 - timedelta(days=1), monday_8 + timedelta(minutes=1)) is True
    assert report_due(wl, monday_8 + timedelta(minutes=1), monday_8 + timedelta(days=6)) is False


def test_log_lines_are_json_one_per_event_and_per_delivery() -> None:
    out = io.StringIO()
    handler = install(stream=out)
    try:
        event(logging.getLogger("rivalwatch.service"), "crawl", run_id=3, ok=10, domains=["a.example"])
        logging.getLogger("rivalwatch.alerts").info(
            "alert delivery id=%s channel=%s status=%s attempts=%s key=%s%s",
            5,
            "ops",
            "pending",
            2,
            "rw-r3-c9-abc",
            " error='SMTP said no: 550 mailbox full'",
        )
    finally:
        uninstall(handler)
    crawl, delivery = (json.loads(line) for line in out.getvalue().splitlines())
    assert crawl["event"] == "crawl" and crawl["run_id"] == 3 and crawl["domains"] == ["a.example"]
    assert delivery == delivery | {
        "event": "delivery",
        "id": 5,
        "channel": "ops",
        "status": "pending",
        "attempts": 2,
        "key": "rw-r3-c9-abc",
        "error": "SMTP said no: 550 mailbox full",
    }


def test_a_run_cut_off_by_a_kill_gets_its_alerts_queued_on_the_next_start(store) -> None:  # noqa: ANN001
    _engine, factory = store
    wl = watchlist(
        "  - {name: mail, url: 'json://localhost/', mode: immediate}",
        "  - {name: drops, when: price_drop, threshold_pct: 5}",
    )
    with factory.begin() as s:
        run_id = seed_run(s, [(seed_watch(s), price_change("100", "80"))])
        s.get(CrawlRun, run_id).status, s.get(CrawlRun, run_id).trigger = "running", "serve"
    with factory.begin() as s:
        recovered = store_ops.recover_interrupted_runs(s, wl, T0)
    assert [(r.run_id, r.observations, r.alerts_queued) for r in recovered] == [(run_id, 1, 1)]
    with factory.begin() as s:
        assert store_ops.recover_interrupted_runs(s, wl, T0) == []  # closed: nothing twice
        assert s.get(CrawlRun, run_id).status == "interrupted"
        assert len(s.scalars(select(AlertDelivery)).all()) == 1


def test_schedules_are_reconciled_with_cron_and_shortened_intervals(store) -> None:  # noqa: ANN001
    _engine, factory = store
    with factory.begin() as s:
        cron = seed_watch(s)
        short = seed_watch(s, url="https://shop-a.example/p/2")
        cron.cron, cron.last_checked_at, cron.next_due_at = "0 * * * *", NOW, NOW + timedelta(hours=6)
        short.interval_s, short.last_checked_at, short.next_due_at = 600, NOW, NOW + timedelta(days=1)
    with factory.begin() as s:
        assert store_ops.reconcile_schedules(s, "UTC", NOW) == 2
    with factory() as s:
        c, w = s.scalars(select(Watch).order_by(Watch.id)).all()
        assert NOW + timedelta(hours=1) <= c.next_due_at <= NOW + timedelta(hours=1, seconds=60)
        assert NOW + timedelta(seconds=570) <= w.next_due_at <= NOW + timedelta(seconds=630)
