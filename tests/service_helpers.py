"""What the service tests share: a demo-market watchlist on disk, store queries, and the alert ledger."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import yaml
from sqlalchemy import func, select

from models import AlertDelivery, CrawlRun, Watch
from models.crawl import Observation


def write_watchlist(path: Path, market, mail_url: str, db: Path, **settings) -> dict:  # noqa: ANN001
    """The demo watchlist; mail in digest mode, one digest per crawl (`every: run`; Apprise spaces mails
    of one channel 5.5 s apart)."""
    from monitor.demo.session import demo_watchlist

    data = demo_watchlist(market, mail_url)
    for channel in data["channels"]:
        channel.pop("at", None)
        channel["every"] = "run"
    data["settings"].update(
        database_url=f"sqlite:///{db}",
        retries=0,
        download_timeout=5,
        extract_workers=0,
        autothrottle=False,
        **settings,
    )
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return data


def wait_for(condition: Callable[[], bool], timeout: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def observations_per_watch(factory) -> Counter:  # noqa: ANN001
    with factory() as s:
        active = set(s.scalars(select(Watch.id).where(Watch.active.is_(True))))
        rows = s.execute(select(Observation.watch_id, func.count()).group_by(Observation.watch_id)).all()
    counts = Counter({w: 0 for w in active})
    counts.update({w: n for w, n in rows if w in active})
    return counts


def outbox_settled(factory) -> bool:  # noqa: ANN001
    with factory() as s:
        return not s.scalar(
            select(func.count())
            .select_from(AlertDelivery)
            .where(AlertDelivery.status.in_(("pending", "sending")))
        )


def run_statuses(factory) -> Counter:  # noqa: ANN001
    with factory() as s:
        return Counter(s.scalars(select(CrawlRun.status)))


def expected_alerts(factory, watchlist) -> set[tuple[int, str]]:  # noqa: ANN001
    """(change id, channel) for every stored change a rule sends somewhere: what must be delivered."""
    from alerts.outbox import run_changes
    from monitor.rules import match_change

    with factory() as s:
        run_ids = list(s.scalars(select(CrawlRun.id)))
        return {
            (facts.change_id, m.channel.name)
            for run_id in run_ids
            for facts in run_changes(s, run_id)
            for m in match_change(facts, watchlist.rules, watchlist.channels)
        }


def delivered(factory) -> dict[str, tuple[str, list[int], str]]:  # noqa: ANN001
    """dedup key -> (status, change ids, channel) of every delivery in the outbox."""
    with factory() as s:
        return {
            d.dedup_key: (d.status, list(d.change_ids), d.channel) for d in s.scalars(select(AlertDelivery))
        }


def every_alert_sent_once(factory, watchlist) -> dict[str, tuple[str, list[int], str]]:  # noqa: ANN001
    """Assert that every change a rule routes was queued exactly once (none lost, none doubled) and
    sent; the deliveries, for what the mailbox must have received."""
    expected = expected_alerts(factory, watchlist)
    assert expected, "the market's day 1 should move some prices past the rules' thresholds"
    deliveries = delivered(factory)
    assert all(status == "sent" for status, *_ in deliveries.values()), deliveries
    covered = sorted((cid, channel) for _status, ids, channel in deliveries.values() for cid in ids)
    assert covered == sorted(expected)
    return deliveries


def interrupted_day_settled(  # noqa: ANN001
    factory, watchlist, checks: int, cut: str
) -> dict[str, tuple[str, list[int], str]]:
    """Assert the store after a day a process was cut in the middle of: every watch checked exactly
    `checks` times (no due time missed or doubled), no run left running and at least one closed as
    `cut` ("stopped", "interrupted"), every routed alert sent once; the deliveries, as
    `every_alert_sent_once` gives them."""
    assert set(observations_per_watch(factory).values()) == {checks}, "a watch missed or doubled a due time"
    statuses = run_statuses(factory)
    assert statuses["running"] == 0 and statuses[cut] >= 1, statuses
    return every_alert_sent_once(factory, watchlist)


def mail_keys(mailbox) -> list[str]:  # noqa: ANN001
    from alerts.channels import DEDUP_HEADER

    return [str(m[DEDUP_HEADER]) for m in mailbox.messages()]
