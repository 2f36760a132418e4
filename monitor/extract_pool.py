"""Product extraction on the machine's other cores, so the crawler's own core only fetches and stores.

Scrapy's reactor runs on one core; parsing pages is the costliest step after fetching them. A small
process pool (spawned, so it never inherits the reactor's threads) takes the extraction, and the
reactor awaits the result like any other I/O. Small crawls extract inline: a pool is not worth its
start-up below a few dozen pages.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

MIN_PAGES_FOR_POOL = 60

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_workers = 0


def default_workers() -> int:
    """One worker per core beyond the first (the reactor's); none on a single core."""
    return max(0, (os.cpu_count() or 1) - 1)


def _warm() -> None:
    import spiders.extract.product  # noqa: F401  (import the extractor once, before the first page)


def extract_task(body: bytes, url: str, selectors: dict[str, str] | None, content_type: str | None) -> object:
    from spiders.extract.product import extract_product

    return extract_product(body, url, selectors=selectors, content_type=content_type)


def shared_pool(workers: int) -> ProcessPoolExecutor | None:
    global _pool, _workers
    if workers <= 0:
        return None
    with _lock:
        if _pool is None or _workers != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            ctx = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_warm)
            _workers = workers
            atexit.register(shutdown)
        return _pool


def reset_pool() -> None:
    """Drop a broken pool (a worker died); the next crawl starts a fresh one."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None
