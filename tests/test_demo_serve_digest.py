"""`demo --serve` for 10 simulated days with a 1-hour digest channel: the mails equal the windows, not
the crawl batches, and a restart in the middle of a window loses nothing and sends nothing twice.

The service runs for real (market over HTTP on 127.0.0.1, SQLite, SMTP into a folder) on a demo clock
that jumps 25 minutes at each simulated day: two or three days' crawl batches fall in one hour-long
window, which closes a day or two later.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import timedelta

from service_helpers import wait_for
from sqlalchemy import select

from alerts.channels import DEDUP_HEADER
from alerts.outbox import run_changes
from models import AlertDelivery, CrawlRun
from models.db import open_store
from monitor.demo.mailbox import LocalMailbox
from monitor.demo.serve import DemoClock, serve_demo
from monitor.rules import match_change
from monitor.service import Service, ServiceOptions
from monitor.watchlist import load_watchlist
from spiders.engine import quiet_scrapy_logs

DAYS = 10


def test_demo_serve_sends_one_mail_per_window_and_channel(tmp_path) -> None:  # noqa: ANN001
    quiet_scrapy_logs(logging.CRITICAL)
    workdir = tmp_path / "serve"
    clock = DemoClock(jump=timedelta(minutes=25))
    options = ServiceOptions(tick=0.2, dispatch_every=0.5, spread_rate=1000)
    done = threading.Event()
    service_box: list[Service] = []

    def run() -> None:
        service_box.append(
            serve_demo(seed=3, n_products=10, workdir=workdir, day_seconds=3.0, days=DAYS, digest_every="1h",
                       clock=clock, options=options, signals=False)  # fmt: skip
        )
        done.set()

    thread = threading.Thread(target=run, name="demo-serve", daemon=True)
    thread.start()
    wait_for(done.is_set, 180, f"{DAYS} simulated days of demo --serve")
    thread.join(10)
    config = workdir / "watchlist.yaml"
    watchlist = load_watchlist(config)
    _engine, factory = open_store(watchlist.settings.database_url)
    mails = [m[DEDUP_HEADER] for m in LocalMailbox(workdir / "mailbox").messages()]

    with factory() as s:
        rows = list(s.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))
        runs = list(s.scalars(select(CrawlRun).where(CrawlRun.trigger == "serve")))
        routed = Counter()
        for run_ in runs:
            for facts in run_changes(s, run_.id):
                if match_change(facts, watchlist.rules, watchlist.channels):
                    routed[run_.id] += 1
    batches_with_alerts = len(routed)
    sent = [r for r in rows if r.status == "sent"]
    windows = Counter((r.channel, r.window_end) for r in rows)
    # every delivery is a digest window of the mail channel, one row per window
    assert rows and all(r.window_end is not None and r.channel == "ops-mail" for r in rows)
    assert all(r.window_end - r.window_start == timedelta(hours=1) for r in rows)
    assert max(windows.values()) == 1
    # the mails are the windows that closed: one each, never one per crawl batch
    assert sorted(mails) == sorted(r.dedup_key for r in sent)
    assert len(mails) == len({r.window_end for r in sent}) >= 3
    assert batches_with_alerts > len(mails), (batches_with_alerts, len(mails))
    # every routed change is in exactly one window
    ids = [cid for r in rows for cid in r.change_ids]
    assert len(ids) == len(set(ids)) == sum(routed.values())
    print(f"\n{len(runs)} crawl batches ({batches_with_alerts} with alerts) -> {len(mails)} mails "
          f"for {len(windows)} windows ({len(rows) - len(sent)} still open)")  # fmt: skip

    # A restart while a window is open: the next start sends it once it has closed, and only once.
    open_rows = [r for r in rows if r.status == "pending"]
    assert open_rows, "the last day's window is still collecting when the demo stops"
    clock.jump = timedelta(hours=1)
    clock.next_day()  # an hour later: the open window has closed
    with LocalMailbox(workdir / "mailbox", port=_mail_port(watchlist)) as box:
        service = Service(config, options, clock=clock)
        service.start()
        try:
            wait_for(lambda: _all_sent(factory), 30, "the open window to go out after the restart")
        finally:
            service.stop()
        again = [m[DEDUP_HEADER] for m in box.messages()]
    assert sorted(again) == sorted(mails + [r.dedup_key for r in open_rows])  # nothing lost, nothing twice


def _mail_port(watchlist) -> int:  # noqa: ANN001
    """The SMTP port the watchlist's mail channel was written with (the mailbox comes back on it)."""
    from urllib.parse import urlsplit

    return int(urlsplit(watchlist.channels[0].url).port or 25)


def _all_sent(factory) -> bool:  # noqa: ANN001
    with factory() as s:
        return all(r.status == "sent" for r in s.scalars(select(AlertDelivery)))
