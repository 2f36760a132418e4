"""Every exception while reading one watch's page becomes that watch's failed observation, with its
reason and its next run; a hostile JSON-LD block (nested 200,000 deep) never hides a readable price.
Real pages on 127.0.0.1, real crawls."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from local_http import local_watchlist, origin, pages_handler, serving
from sqlalchemy import select

from models import ProductState, Watch
from models.crawl import Observation
from models.db import open_store
from monitor.crawl.runner import run_cycle
from monitor.watchlist import load_watchlist_text
from spiders.engine import Collect, CrawlEngine, CrawlSpec, quiet_scrapy_logs
from spiders.fetch import FetchedPage, FetchJob
from spiders.product_spider import ProductSpider

DEEP = "[" * 200_000 + "]" * 200_000
PRODUCT = '{"@type":"Product","name":"Kettle","offers":{"price":"131.99","priceCurrency":"EUR"}}'
PAGES = {
    # a hostile block beside the real one
    "/both": f'<html><head><script type="application/ld+json">{DEEP}</script>'
    f'<script type="application/ld+json">{PRODUCT}</script></head><body><h1>Kettle</h1></body></html>',
    # a hostile block and a price only on the page
    "/visible": f'<html><head><script type="application/ld+json">{DEEP}</script></head><body>'
    '<h1>Kettle</h1><div class="product"><span class="price">89.50 €</span>'
    "<button>Add to cart</button></div></body></html>",
    "/list": f'<html><head><script type="application/ld+json">{DEEP}</script></head><body><ul>'
    + "".join(
        f'<li class="product"><a href="/p/{i}">Kettle {i}</a><span class="price">{10 + i}.00 €</span></li>'
        for i in range(6)
    )
    + "</ul></body></html>",
}


Pages = pages_handler(PAGES)


def test_a_hostile_json_ld_block_does_not_hide_a_readable_price(tmp_path) -> None:  # noqa: ANN001
    quiet_scrapy_logs(logging.CRITICAL)
    with serving(Pages) as server:
        base = origin(server)
        wl = local_watchlist(base, products=["/both", "/visible"], listings=["/list"])
        _engine, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
        summary = run_cycle(wl, factory, send_alerts=False)
    assert (summary.stats.ok, summary.stats.failed) == (3, 0), [o.reason for o in summary.stats.outcomes]
    with factory() as s:
        prices = {
            url.rsplit("/", 1)[1]: price
            for url, price in s.execute(
                select(Watch.url, ProductState.price).join(ProductState, ProductState.watch_id == Watch.id)
            )
        }
    assert prices == {"both": Decimal("131.99"), "visible": Decimal("89.50")}


class _ReadsTooDeep(ProductSpider):
    """The product spider whose reading of one page raises (as a screenshot of a page too tall does)."""

    name = "reads_too_deep"

    async def parse(self, response: Any) -> AsyncIterator[FetchedPage]:
        if response.url.endswith("/both"):
            raise RecursionError("maximum recursion depth exceeded")
        async for item in super().parse(response):
            yield item


def test_an_exception_in_a_callback_becomes_the_request_s_failure() -> None:
    quiet_scrapy_logs(logging.CRITICAL)
    sink = Collect()
    with serving(Pages) as server:
        base = origin(server)
        jobs = [
            FetchJob(1, f"{base}/both", obey_robots=False),
            FetchJob(2, f"{base}/visible", obey_robots=False),
        ]
        CrawlEngine().crawl_many(
            [
                CrawlSpec(
                    _ReadsTooDeep, {"RIVALWATCH_ALLOW_PRIVATE_ADDRESSES": True}, {"jobs": jobs, "sink": sink}
                )
            ]
        )
    by_watch = {i.job.watch_id: i for i in sink.pages}
    assert sorted(by_watch) == [1, 2]
    assert by_watch[1].error == (
        "could not read the page (data nested too deep): RecursionError: maximum recursion depth exceeded"
    )
    assert by_watch[2].error is None and by_watch[2].status == 200


def test_a_page_our_reading_chokes_on_is_a_failed_observation_with_a_next_run(tmp_path) -> None:  # noqa: ANN001
    """The sink's side: the kind's reading raises (a reader without a guard, stood in for here) and
    the watch still gets its failed observation and a due time in the future."""
    from monitor.crawl.runner import prepare_sink

    wl = load_watchlist_text('products:\n  - {url: "http://alpha.test/p/1"}\n')
    _engine, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
    jobs, sink = prepare_sink(wl, factory, force=True)
    assert sink is not None

    def choke(*_args: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded while decoding a JSON array")

    sink.observer = dataclasses.replace(sink.observer, observe=choke)
    sink.accept(FetchedPage(job=jobs[0], url=jobs[0].url, status=200, body=b"<html></html>"))
    sink.flush()
    now = datetime.now(UTC)
    with factory() as s:
        obs = s.scalars(select(Observation)).one()
        watch = s.scalars(select(Watch)).one()
    assert obs.status == "failed" and obs.error_reason.startswith(
        "could not read the page (data nested too deep)"
    )
    assert watch.next_due_at is not None and watch.next_due_at > now
