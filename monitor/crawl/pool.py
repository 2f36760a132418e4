"""Product extraction on the machine's other core, so the crawler's own core only fetches and stores.

Scrapy's reactor runs on one core; parsing pages is the costliest step after fetching them. A lean
worker process (`monitor.crawl.extract_worker`: the extractor and the standard library, nothing of the
crawler) takes the extraction, and the reactor awaits the result like any other I/O. The crawl
extracts its first pages itself (`INLINE_FIRST`) and starts the worker after them, so a crawl where
few pages changed (304s, same bodies) never starts one; small crawls extract inline throughout (the
kinds decide, `CrawlPlan.use_pool`), and so do small pages (`POOL_MIN_BYTES`).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import queue
import subprocess
import sys
import threading
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from monitor.crawl.extract_worker import Item, extract_many, read_message, write_message

__all__ = [
    "ExtractionBatcher",
    "ExtractionFailed",
    "ExtractionPool",
    "extract_many",
    "extract_task",
    "reset_pool",
    "shared_pool",
    "shutdown",
]

_lock = threading.Lock()
_pool: ExtractionPool | None = None
_STOP = None  # queued to each worker's thread: close the worker


def extract_task(body: bytes, url: str, selectors: dict[str, str] | None, content_type: str | None) -> object:
    # Imported on first use, not with this module: with a worker, the crawler process never runs the
    # extractor's parsing itself.
    from spiders.extract.product import extract_product

    return extract_product(body, url, selectors=selectors, content_type=content_type)


def _worker_env() -> dict[str, str]:
    """The parent's environment, with the folder our packages come from first on the worker's path (a
    test or a checkout run without installing puts them on sys.path, not on PYTHONPATH)."""
    import spiders

    root = str(Path(spiders.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


class ExtractionPool:
    """`workers` lean extraction processes, each fed batches by a thread of ours; started on first use.

    `submit(items)` returns a `concurrent.futures.Future` of the batch's `(record, error)` pairs. A worker
    that dies fails its batch and every later one with `BrokenProcessPool` (the sink then extracts
    inline); `shutdown` closes the workers' input, and they exit.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._tasks: queue.Queue[tuple[list[Item], Future] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._procs: list[subprocess.Popen[bytes]] = []
        self._broken = False
        self._lock = threading.Lock()

    def submit(self, items: list[Item]) -> Future:
        future: Future = Future()
        with self._lock:
            if self._broken:
                future.set_exception(BrokenProcessPool("an extraction worker died"))
                return future
            if not self._threads:
                self._start()
        self._tasks.put((items, future))
        return future

    def _start(self) -> None:
        env = _worker_env()
        for i in range(self.workers):
            proc = subprocess.Popen(
                [sys.executable, "-m", "monitor.crawl.extract_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                close_fds=True,
            )
            thread = threading.Thread(target=self._feed, args=(proc,), name=f"extract-worker-{i}", daemon=True)
            self._procs.append(proc)
            self._threads.append(thread)
            thread.start()

    def _feed(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        while (task := self._tasks.get()) is not _STOP:
            assert task is not None
            items, future = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                write_message(proc.stdin, items)
                result = read_message(proc.stdout)
            except (OSError, ValueError):
                result = None
            if result is None:  # the worker is gone: this batch and every later one fail over
                self._fail(future)
                return
            future.set_result(result)
        proc.stdin.close()

    def _fail(self, future: Future) -> None:
        with self._lock:
            self._broken = True
        future.set_exception(BrokenProcessPool("an extraction worker died"))
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                return
            if task is not None and task[1].set_running_or_notify_cancel():
                task[1].set_exception(BrokenProcessPool("an extraction worker died"))

    def shutdown(self, wait: bool = True) -> None:
        for _ in self._threads:
            self._tasks.put(_STOP)
        if wait:
            for thread in self._threads:
                thread.join(timeout=10)
        for proc in self._procs:
            try:
                proc.wait(timeout=10 if wait else 0.1)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._threads, self._procs = [], []


def shared_pool(workers: int) -> ExtractionPool | None:
    global _pool
    if workers <= 0:
        return None
    with _lock:
        if _pool is None or _pool.workers != workers:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ExtractionPool(workers)
            atexit.register(shutdown)
        return _pool


def reset_pool() -> None:
    """Drop a broken pool (a worker died); the next crawl starts a fresh one."""
    _drop_pool(wait=False)


def shutdown() -> None:
    """Stop the shared pool (at exit), waiting for its workers to end."""
    _drop_pool(wait=True)


def _drop_pool(wait: bool) -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=wait)
        _pool = None


INLINE_FIRST = 250  # pages a crawl extracts itself before it hands the rest to the worker
# A page smaller than this is extracted where it was fetched. Handing a page over costs the crawler about
# half a millisecond whatever its size (pickling, the feeding thread, an asyncio future, the GIL), and
# the extractor takes about 0.35 ms on a 10 KB page and 6.6 ms on a 175 KB one: below a few tens of KB
# the worker saves the crawler nothing and costs the machine its start-up and ~25 MB. On the peer
# benchmark's 8 to 13 KB pages a whole-process first run was faster and 23 MB smaller without it.
POOL_MIN_BYTES = 32 * 1024


class ExtractionFailed(Exception):
    """The extractor raised in a worker; the message names the exception type."""


class ExtractionBatcher:
    """Collects pages from the reactor's coroutines and sends them to the pool in small batches.

    One message per page would make the crawler wait on a round trip to the worker for every page;
    batches of up to `size` pages, sent at the latest `delay` seconds after the first one arrives, keep
    the worker busy and the crawler free.
    """

    def __init__(
        self,
        pool: ExtractionPool,
        size: int = 24,
        delay: float = 0.004,
        inline_first: int = INLINE_FIRST,
        min_bytes: int = POOL_MIN_BYTES,
    ) -> None:
        self.pool = pool
        self.size = size
        self.delay = delay
        self.inline_left = inline_first
        self.min_bytes = min_bytes
        self._items: list[Item] = []
        self._futures: list[asyncio.Future] = []
        self._timer: asyncio.TimerHandle | None = None

    async def extract(self, body: bytes, url: str, selectors: dict[str, str] | None, content_type: str | None):  # noqa: ANN201
        if self.inline_left > 0:
            # The first pages of a crawl are extracted here: a crawl where few pages changed (a 304 or
            # the same body for the rest) never pays for a worker's start and memory.
            self.inline_left -= 1
            return extract_task(body, url, selectors, content_type)
        if len(body) < self.min_bytes:
            return extract_task(body, url, selectors, content_type)
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
        done = asyncio.wrap_future(self.pool.submit(items))

        def deliver(task: asyncio.Future) -> None:
            if task.cancelled() or task.exception() is not None:
                exc = task.exception() if not task.cancelled() else RuntimeError("extraction cancelled")
                for f in futures:
                    if not f.done():
                        f.set_exception(exc)  # type: ignore[arg-type]
                return
            for f, result in zip(futures, task.result(), strict=True):
                if not f.done():
                    f.set_result(result)

        done.add_done_callback(deliver)
