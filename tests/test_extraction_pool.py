"""The extraction worker: a lean second interpreter, started on first use, whose death the crawl survives."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from monitor.crawl.pool import ExtractionPool, _worker_env
from spiders.extract.product import extract_product

ROOT = Path(__file__).resolve().parents[1]


def product_page(i: int) -> bytes:
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": f"Kettle {i}",
        "sku": f"K-{i}",
        "offers": {"@type": "Offer", "price": f"{10 + i}.50", "priceCurrency": "EUR"},
    }
    return (
        f"<!doctype html><html><head><script type='application/ld+json'>{json.dumps(data)}</script></head>"
        f"<body><h1>Kettle {i}</h1><span class='price'>{10 + i},50 €</span></body></html>"
    ).encode()


def batch(n: int) -> list:
    return [(product_page(i), f"http://shop.test/p/{i}", None, "text/html") for i in range(n)]


def test_the_worker_gives_the_records_the_extractor_gives_inline() -> None:
    pool = ExtractionPool(1)
    try:
        items = batch(5) + [(b"<html>", "http://shop.test/x", {"price": "[[[not a selector"}, "text/html")]
        results = pool.submit(items).result(timeout=60)
    finally:
        pool.shutdown()
    for (body, url, selectors, content_type), (record, error) in zip(items[:5], results[:5], strict=True):
        assert error is None
        assert record == extract_product(body, url, selectors=selectors, content_type=content_type)
    record, error = results[5]
    assert record is None and error is not None and "Selector" in error  # one bad page, not a failed batch


def test_the_worker_starts_with_the_first_batch_and_exits_on_shutdown() -> None:
    pool = ExtractionPool(1)
    assert pool._procs == []  # a crawl of unchanged pages never starts one
    pool.submit(batch(1)).result(timeout=60)
    (proc,) = pool._procs
    assert proc.poll() is None
    pool.shutdown()
    assert proc.poll() == 0


def test_a_dead_worker_fails_its_batch_and_the_next_with_broken_pool() -> None:
    pool = ExtractionPool(1)
    try:
        pool.submit(batch(1)).result(timeout=60)
        pool._procs[0].kill()
        pool._procs[0].wait()
        with pytest.raises(BrokenProcessPool):
            pool.submit(batch(2)).result(timeout=60)
        with pytest.raises(BrokenProcessPool):
            pool.submit(batch(1)).result(timeout=60)
    finally:
        pool.shutdown()


def test_the_worker_imports_the_extractor_and_nothing_of_the_crawler() -> None:
    probe = (
        "import sys, runpy, io\n"
        "sys.stdin = io.TextIOWrapper(io.BytesIO())\n"
        "runpy.run_module('monitor.crawl.extract_worker', run_name='__main__')\n"
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=_worker_env(), cwd=ROOT, check=True
    )
    loaded = set(out.stdout.split())
    assert "lxml" in loaded and "spiders" in loaded
    assert not loaded & {"scrapy", "twisted", "sqlalchemy", "models", "pydantic", "numpy", "click", "asyncio"}


def test_a_crawl_extracts_its_first_pages_itself_then_hands_the_rest_to_the_worker() -> None:
    import asyncio

    from monitor.crawl.pool import ExtractionBatcher

    pool = ExtractionPool(1)
    batcher = ExtractionBatcher(pool, inline_first=2, min_bytes=0)
    items = batch(5)

    async def crawl() -> list[object]:
        first = [await batcher.extract(*item) for item in items[:2]]
        assert pool._procs == []  # two pages changed: no worker
        rest = await asyncio.gather(*(batcher.extract(*item) for item in items[2:]))
        return first + list(rest)

    try:
        records = asyncio.run(crawl())
        assert len(pool._procs) == 1
    finally:
        pool.shutdown()
    assert records == [extract_product(b, u, selectors=s, content_type=c) for b, u, s, c in items]


def test_small_pages_are_extracted_in_the_crawler_and_never_start_a_worker() -> None:
    import asyncio

    from monitor.crawl.pool import ExtractionBatcher

    pool = ExtractionPool(1)
    items = batch(3)
    big = (product_page(9) + b"<!--" + b" " * 4096 + b"-->", "http://shop.test/p/9", None, "text/html")
    batcher = ExtractionBatcher(pool, inline_first=0, min_bytes=len(big[0]))

    async def crawl() -> list[object]:
        small = [await batcher.extract(*item) for item in items]
        assert pool._procs == []  # pages below min_bytes: no worker
        return [*small, await batcher.extract(*big)]

    try:
        records = asyncio.run(crawl())
        assert len(pool._procs) == 1  # a page as big as min_bytes goes to the worker
    finally:
        pool.shutdown()
    assert records == [extract_product(b, u, selectors=s, content_type=c) for b, u, s, c in [*items, big]]
