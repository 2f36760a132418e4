"""Product extraction on the machine's other cores, so the crawler's own core only fetches and stores.

Scrapy's reactor runs on one core; parsing pages is the costliest step after fetching them. A small
process pool (spawned, so it never inherits the reactor's threads) takes the extraction, and the
reactor awaits the result like any other I/O. Small crawls extract inline: a pool is not worth its
start-up below a few dozen pages.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_workers = 0


def _warm(parent_pid: int | None = None) -> None:
    """A worker's start: die with the parent, then load the extractor before the first page."""
    if parent_pid is not None:
        threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    import spiders.extract.product  # noqa: F401


def _exit_when_orphaned(parent_pid: int, every_s: float = 0.5) -> None:
    # A parent killed outright (kill -9, the OOM killer) never shuts its pool down, and a worker
    # waiting on its task queue would wait forever, holding its memory. The parent's pid is watched
    # rather than PR_SET_PDEATHSIG set: that signal follows the *thread* that started the worker,
    # and a crawl thread may end while the process lives on.
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)
        time.sleep(every_s)


def extract_task(body: bytes, url: str, selectors: dict[str, str] | None, content_type: str | None) -> object:
    # Imported on first use, not with this module: with a pool, the crawler process never loads the
    # extractor (lxml trees, extruct, price tables), which keeps its memory and start-up small.
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
            _pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=ctx, initializer=_warm, initargs=(os.getpid(),)
            )
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


class ExtractionFailed(Exception):
    """The extractor raised in a worker; the message names the exception type."""


def extract_many(
    items: list[tuple[bytes, str, dict[str, str] | None, str | None]],
) -> list[tuple[object, str | None]]:
    """A batch of pages in one task: the per-task cost of a process pool is paid once per batch."""
    out: list[tuple[object, str | None]] = []
    for body, url, selectors, content_type in items:
        try:
            out.append((extract_task(body, url, selectors, content_type), None))
        except Exception as exc:  # noqa: BLE001  (reported per page; one bad page must not fail the batch)
            out.append((None, f"{type(exc).__name__}: {exc}"))
    return out


class ExtractionBatcher:
    """Collects pages from the reactor's coroutines and sends them to the pool in small batches.

    One task per page would make the crawler wait on a round trip through the pool's threads for every
    page; batches of up to `size` pages, sent at the latest `delay` seconds after the first one
    arrives, keep the worker busy and the crawler free.
    """

    def __init__(self, pool: ProcessPoolExecutor, size: int = 24, delay: float = 0.004) -> None:
        self.pool = pool
        self.size = size
        self.delay = delay
        self._items: list[tuple[bytes, str, dict[str, str] | None, str | None]] = []
        self._futures: list = []
        self._timer = None

    async def extract(
        self, body: bytes, url: str, selectors: dict[str, str] | None, content_type: str | None
    ):  # noqa: ANN201

        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._items.append((body, url, selectors, content_type))
        self._futures.append(future)
        if len(self._items) >= self.size:
            self._send()
        elif self._timer is None:
            self._timer = loop.call_later(self.delay, self._send)
        record, error = await future
        if error is not None:
            raise ExtractionFailed(error)
        return record

    def _send(self) -> None:

        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._items:
            return
        items, futures = self._items, self._futures
        self._items, self._futures = [], []
        done = asyncio.wrap_future(self.pool.submit(extract_many, items))

        def deliver(task) -> None:  # noqa: ANN001
            if task.cancelled() or task.exception() is not None:
                exc = task.exception() if not task.cancelled() else RuntimeError("extraction cancelled")
                for f in futures:
                    if not f.done():
                        f.set_exception(exc)
                return
            for f, result in zip(futures, task.result(), strict=True):
                if not f.done():
                    f.set_result(result)

        done.add_done_callback(deliver)
