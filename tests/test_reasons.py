"""Reasons a person can act on: prices as written (210.49, not 210.490000), and a server's
`Retry-After` honoured on products and listings (a 429 asking for an hour is not asked again at once,
and the watch's next run is an hour away)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

from local_http import PageHandler, local_watchlist, origin, serving
from sqlalchemy import select

from models import Watch
from models.crawl import Observation
from models.db import open_store
from monitor.crawl.runner import prepare_sink, run_cycle
from monitor.watchlist import load_watchlist_text
from spiders.engine import quiet_scrapy_logs
from spiders.fetch import FetchedPage

HITS: Counter = Counter()


class Busy(PageHandler):
    def do_GET(self) -> None:  # noqa: N802
        HITS[self.path] += 1
        self.send_response(429)
        self.send_header("Retry-After", "3600")
        self.send_header("Content-Length", "4")
        self.end_headers()
        self.wfile.write(b"slow")


def test_a_429_asking_for_an_hour_is_not_asked_again_before_it(tmp_path) -> None:  # noqa: ANN001
    quiet_scrapy_logs(logging.CRITICAL)
    HITS.clear()
    with serving(Busy) as server:
        base = origin(server)
        wl = local_watchlist(base, products=["/p/1"], listings=["/list"], retries=2)
        _engine, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
        summary = run_cycle(wl, factory, send_alerts=False)
    assert summary.stats.failed == 2
    assert (HITS["/p/1"], HITS["/list"]) == (1, 1)  # no retry at once (retries: 2 would ask 3 times)
    with factory() as s:
        for w in s.scalars(select(Watch)):
            assert w.last_checked_at is not None and w.next_due_at is not None
            wait = w.next_due_at - w.last_checked_at
            assert timedelta(minutes=56) < wait < timedelta(minutes=64), (w.url, wait)


PRICED = (
    '<html><head><script type="application/ld+json">{"@type":"Product","name":"One","offers":{"price":"210.49",'
    '"priceCurrency":"EUR"}}</script></head><body><h1>One</h1></body></html>'
)


def test_a_reason_prints_the_last_price_as_written(tmp_path) -> None:  # noqa: ANN001
    wl = load_watchlist_text('products:\n  - {url: "http://alpha.test/p/1"}\n')
    _engine, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
    t0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
    for day, body in enumerate((PRICED, "<html><body><h1>One</h1><p>Hello</p></body></html>")):
        jobs, sink = prepare_sink(wl, factory, force=True, clock=lambda d=day: t0 + timedelta(days=d))
        assert sink is not None
        sink.accept(FetchedPage(job=jobs[0], url=jobs[0].url, status=200, body=body.encode()))
        sink.flush()
    with factory() as s:
        reason = s.scalars(select(Observation.error_reason).where(Observation.status == "failed")).one()
    assert reason == "no price found (was 210.49 before); page layout changed?"


def test_garbage_utf16_and_truncated_pages_get_their_own_reasons(tmp_path) -> None:  # noqa: ANN001
    wl = load_watchlist_text(
        "products:\n" + "".join(f'  - {{url: "http://alpha.test/p/{i}"}}\n' for i in range(3))
    )
    _engine, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
    t0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
    broken = {
        "0": bytes(range(1, 9)) * 500,
        "1": "<html><body><h1>One</h1><p>Nothing here</p></body></html>".encode("utf-16"),
        "2": b"<html><head><title>One</title></head><body><h1>One</h1><div class='pro",
    }
    for day in range(2):
        jobs, sink = prepare_sink(wl, factory, force=True, clock=lambda d=day: t0 + timedelta(days=d))
        assert sink is not None
        for job in jobs:
            body = PRICED.encode() if day == 0 else broken[job.url.rsplit("/", 1)[1]]
            sink.accept(
                FetchedPage(
                    job=job, url=job.url, status=200, headers={"content-type": "text/html"}, body=body
                )
            )
        sink.flush()
    with factory() as s:
        reasons = dict(
            s.execute(
                select(Watch.url, Observation.error_reason)
                .join(Observation, Observation.watch_id == Watch.id)
                .where(Observation.status == "failed")
            ).all()
        )
    assert reasons["http://alpha.test/p/0"].startswith("the page is garbage bytes")
    assert reasons["http://alpha.test/p/1"].startswith("the page is UTF-16 text")
    assert reasons["http://alpha.test/p/2"].startswith("the page is cut off before its end")
