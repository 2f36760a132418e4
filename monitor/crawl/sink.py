"""The one sink every spider hands its items to: the kind's pure functions, then the one store writer.

For each item (a fetched page, a listing's pages, a site crawl, a keyword's result pages): the
kind's `Observer` says what it means against the watch's memory (running the kind's extractor
inline or in the extraction pool when it asks for one), the anomaly feed scores its changes, the
memory advances so a second check of the same watch in one crawl compares right, and the outcome
joins the batch the writer stores in one transaction. A batch that the store refuses stays pending
and is written with the next one (or by the final `flush`), never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from monitor.crawl.pool import ExtractionBatcher, ExtractionPool, extract_task, reset_pool
from monitor.crawl.writer import Counters, Pending, StoreWriter, WatchState
from monitor.kinds.base import Extraction, Observer, SeriesFeed
from monitor.kinds.outcome import Memory, Outcome, begin_outcome

log = logging.getLogger("rivalwatch.sink")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SinkStats:
    """What a crawl of one kind did (its counts also go to the crawler's stats)."""

    ok: int = 0
    failed: int = 0
    unchanged: int = 0
    changes: int = 0
    outcomes: list[Outcome[Any]] = field(default_factory=list)

    def add(self, other: SinkStats) -> None:
        self.ok += other.ok
        self.failed += other.failed
        self.unchanged += other.unchanged
        self.changes += other.changes
        self.outcomes.extend(other.outcomes)


class KindSink:
    def __init__(
        self,
        observer: Observer[Any, Any],
        memories: dict[int, Memory],
        writer: StoreWriter,
        *,
        clock: Callable[[], datetime] = utc_now,
        on_outcome: Callable[[Outcome[Any]], None] | None = None,
        pool: ExtractionPool | None = None,
        series: SeriesFeed | None = None,
        keep_outcomes: bool = True,
    ) -> None:
        self.observer = observer
        self.memories = memories
        self.writer = writer
        self.clock = clock
        self.on_outcome = on_outcome
        self.pool = pool
        self.series = series
        self.keep_outcomes = keep_outcomes
        self.item_type = observer.item_type
        self.pending: list[Pending] = []
        self.stats = SinkStats()
        self._batcher: ExtractionBatcher | None = None

    def bind_stats(self, counters: Counters) -> None:
        """Count into the crawler's stats (the item pipeline calls this when the spider opens)."""
        self.writer.counters = counters

    # ---- accepting items ------------------------------------------------------------------------
    def accept(self, item: Any) -> Outcome[Any]:
        memory = self.memories[self.observer.watch_id(item)]
        try:
            step = self.observer.observe(item, memory, self.clock())
            if isinstance(step, Extraction):
                step = self._extract_inline(step, memory)
        except Exception as exc:  # noqa: BLE001  (a page that breaks our reading is that watch's failure)
            step = self._unreadable(item, memory, exc)
        return self._finish(memory, step)

    async def accept_async(self, item: Any) -> Outcome[Any]:
        """Like `accept`, with the extraction awaited from the pool when there is one."""
        memory = self.memories[self.observer.watch_id(item)]
        try:
            step = self.observer.observe(item, memory, self.clock())
            if isinstance(step, Extraction):
                step = await self._extract(step, memory)
        except Exception as exc:  # noqa: BLE001
            step = self._unreadable(item, memory, exc)
        return self._finish(memory, step)

    def _unreadable(self, item: Any, memory: Memory, exc: Exception) -> Outcome[Any]:
        """A failed observation with the reason, so the watch still gets its next run."""
        log.warning("reading watch %s failed: %r", memory.watch_id, exc, exc_info=True)
        url = getattr(item, "url", None) or getattr(getattr(item, "job", None), "url", None) or ""
        text = str(exc).splitlines()[0][:200] if str(exc) else ""
        hint = " (data nested too deep)" if isinstance(exc, RecursionError) else ""
        reason = f"could not read the page{hint}: {type(exc).__name__}{': ' + text if text else ''}"
        return begin_outcome(memory, self.clock(), str(url), reason=reason)

    def _conclude(
        self, extraction: Extraction, memory: Memory, record: object | None, error: BaseException | None
    ) -> Outcome[Any]:
        if self.observer.conclude is None:
            raise TypeError(
                f"{self.observer.item_type.__name__}: the kind asked for an extraction it cannot conclude"
            )
        return self.observer.conclude(extraction, memory, record, error)

    def _extract_inline(self, extraction: Extraction, memory: Memory) -> Outcome[Any]:
        try:
            record = extract_task(
                extraction.body, extraction.url, extraction.selectors, extraction.content_type
            )
        except Exception as exc:  # noqa: BLE001  (an extractor bug must not stop the crawl)
            return self._conclude(extraction, memory, None, exc)
        return self._conclude(extraction, memory, record, None)

    async def _extract(self, extraction: Extraction, memory: Memory) -> Outcome[Any]:
        if self.pool is None:
            return self._extract_inline(extraction, memory)
        if self._batcher is None:
            self._batcher = ExtractionBatcher(self.pool)
        try:
            record = await self._batcher.extract(
                extraction.body, extraction.url, extraction.selectors, extraction.content_type
            )
        except BrokenProcessPool:
            # A worker died (out of memory on a monster page?): extract inline from now on.
            reset_pool()
            self.pool, self._batcher = None, None
            return self._extract_inline(extraction, memory)
        except Exception as exc:  # noqa: BLE001  (reported on the page's observation)
            return self._conclude(extraction, memory, None, exc)
        return self._conclude(extraction, memory, record, None)

    def _finish(self, memory: Memory, outcome: Outcome[Any]) -> Outcome[Any]:
        if self.series is not None:
            self.series.score(outcome)
        self.observer.remember(memory, outcome)
        self.pending.append((outcome, WatchState.of(memory)))
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        if len(self.pending) >= self.observer.batch_size:
            self.flush()
        return outcome

    # ---- writing --------------------------------------------------------------------------------
    def flush(self) -> None:
        if not self.pending:
            return
        batch = list(self.pending)
        try:
            self.writer.write(batch, self.series)
        except Exception as exc:
            # No traceback for the user: the caller says what it means (`rivalwatch run` exits 3).
            cause = str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else ""
            log.error(
                "store write failed (%s: %s); %d checks stay pending", type(exc).__name__, cause, len(batch)
            )
            raise
        del self.pending[: len(batch)]
        for outcome, _ in batch:
            self._count(outcome)  # counted once stored: a summary never counts what the store lost
            if self.keep_outcomes:
                # The store has them: keep memory flat over a long crawl.
                outcome.bodies, outcome.screenshot, outcome.rows = {}, None, []

    def _count(self, outcome: Outcome[Any]) -> None:
        self.stats.ok += outcome.ok
        self.stats.failed += not outcome.ok
        self.stats.unchanged += outcome.unchanged
        self.stats.changes += len(outcome.changes)
        if self.keep_outcomes:
            self.stats.outcomes.append(outcome)
