"""The observation sink: the crawl's one path into the store.

Each fetched page is turned into an outcome (monitor.observe, pure) and written in batches: an
observation, its body once per distinct content, the product state and its changes go in the same
transaction, and the watch's schedule and validators are updated with them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import Body, Change, ProductState, Watch
from models.crawl import Observation
from monitor.anomaly_feed import PriceAnomalyFeed
from monitor.changes.product import ProductSnapshot
from monitor.observe import Outcome, WatchMemory, conclude, observe, precheck, remember
from spiders.fetch import FetchedPage

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SinkStats:
    ok: int = 0
    failed: int = 0
    unchanged: int = 0
    changes: int = 0
    outcomes: list[Outcome] = field(default_factory=list)


def _snapshot_of(state: ProductState | None) -> ProductSnapshot | None:
    if state is None:
        return None
    return ProductSnapshot(
        state.price, state.currency, state.availability, state.name, state.sku, state.brand
    )


def next_check_at(fetched_at: datetime, interval: float, retry: bool, failures: int) -> datetime:
    """When a watch is due again. Every kind's sink uses this one rule.

    A failing watch is retried sooner than its interval, backing off: 5 min, 10, 20 ... up to the
    interval. A ±5% jitter spreads watches so they do not bunch up over time.
    """
    if retry:
        interval = min(interval, 300 * 2 ** min(max(failures, 1) - 1, 8))
    return fetched_at + timedelta(seconds=interval * (1 + random.uniform(-0.05, 0.05)))


def load_memories(session: Session, watch_ids: Iterable[int], gone_after: int) -> dict[int, WatchMemory]:
    """One query per table for all watches of the crawl, not one per page."""
    ids = list(watch_ids)
    memories: dict[int, WatchMemory] = {}
    if not ids:
        return memories
    watches = session.scalars(select(Watch).where(Watch.id.in_(ids))).all()
    latest = {
        s.watch_id: s
        for s in session.scalars(
            select(ProductState)
            .where(ProductState.watch_id.in_(ids))
            .order_by(ProductState.watch_id, ProductState.id)
        )
    }
    priced = {
        s.watch_id: s
        for s in session.scalars(
            select(ProductState)
            .where(ProductState.watch_id.in_(ids), ProductState.price.is_not(None))
            .order_by(ProductState.watch_id, ProductState.id)
        )
    }
    for w in watches:
        memories[w.id] = WatchMemory(
            watch_id=w.id,
            label=w.label or w.url,
            selectors=dict(w.options.get("selectors") or {}),
            last=_snapshot_of(latest.get(w.id)),
            last_priced=_snapshot_of(priced.get(w.id)),
            body_hash=w.last_body_hash,
            consecutive_gone=w.consecutive_gone,
            consecutive_failures=w.consecutive_failures,
            gone_reported=w.consecutive_gone >= gone_after,
        )
    return memories


class ObservationSink:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        run_id: int | None,
        memories: dict[int, WatchMemory],
        intervals: dict[int, float],
        competitor_of: dict[int, int | None],
        extract: Callable[..., object],
        gone_after: int = 3,
        clock: Clock = utc_now,
        batch_size: int = 200,
        keep_outcomes: bool = True,
        on_outcome: Callable[[Outcome], None] | None = None,
        pool: Executor | None = None,
        anomaly: PriceAnomalyFeed | None = None,
    ) -> None:
        self.pool = pool
        self._batcher = None
        self.anomaly = anomaly
        self.on_outcome = on_outcome
        self.session_factory = session_factory
        self.run_id = run_id
        self.memories = memories
        self.intervals = intervals
        self.competitor_of = competitor_of
        self.extract = extract
        self.gone_after = gone_after
        self.clock = clock
        self.batch_size = batch_size
        self.keep_outcomes = keep_outcomes
        self.pending: list[Outcome] = []
        self.stats = SinkStats()
        self.write_seconds = 0.0

    def accept(self, page: FetchedPage) -> Outcome:
        memory = self.memories[page.job.watch_id]
        return self._finish(memory, observe(page, memory, self.clock(), self.gone_after, self.extract))

    async def accept_async(self, page: FetchedPage) -> Outcome:
        """Like accept, with the extraction awaited from the process pool when there is one."""
        if self.pool is None:
            return self.accept(page)
        from concurrent.futures.process import BrokenProcessPool

        memory = self.memories[page.job.watch_id]
        pending = precheck(page, memory, self.clock(), self.gone_after)
        if pending.status != "extract":
            return self._finish(memory, pending)
        from monitor.extract_pool import ExtractionBatcher, reset_pool

        if self._batcher is None:
            self._batcher = ExtractionBatcher(self.pool)
        try:
            record = await self._batcher.extract(
                pending.body, page.url, memory.selectors or None, page.content_type
            )
            outcome = conclude(pending, memory, record, None)
        except BrokenProcessPool:
            # A worker died (out of memory on a monster page?): extract inline from now on.
            reset_pool()
            self.pool = None
            return self.accept(page)
        except Exception as exc:  # noqa: BLE001  (an extractor bug must not stop the crawl)
            outcome = conclude(pending, memory, None, exc)
        return self._finish(memory, outcome)

    def _finish(self, memory: WatchMemory, outcome: Outcome) -> Outcome:
        if self.anomaly is not None and outcome.status == "ok":
            current = outcome.snapshot if outcome.snapshot is not None else memory.last
            price = current.price if current is not None else None
            score = self.anomaly.observe(
                outcome.watch_id, outcome.fetched_at, float(price) if price is not None else None
            )
            outcome.changes = self.anomaly.annotate(outcome.changes, score)
        remember(memory, outcome)
        self.pending.append(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return outcome

    def _next_due(self, outcome: Outcome, failures: int) -> datetime:
        retry = outcome.status == "failed" and not outcome.gone_hit
        return next_check_at(
            outcome.fetched_at, self.intervals.get(outcome.watch_id, 6 * 3600), retry, failures
        )

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        started = time.perf_counter()
        with self.session_factory.begin() as session:
            self._write(session, batch)
        self.write_seconds += time.perf_counter() - started

    def _write(self, session: Session, batch: list[Outcome]) -> None:
        # Core executemany inserts: a crawl writes thousands of rows a minute, and the ORM's unit of work
        # costs more CPU than fetching the pages. Observations come back with their ids in batch order.
        bodies: dict[str, tuple[bytes, str | None]] = {}
        for o in batch:
            if o.body is not None and o.body_hash:
                bodies.setdefault(o.body_hash, (o.body, o.content_type))
            if o.screenshot:
                bodies.setdefault(Body.hash_of(o.screenshot), (o.screenshot, "image/png"))
        known = (
            set(session.scalars(select(Body.hash).where(Body.hash.in_(list(bodies))))) if bodies else set()
        )
        new_bodies = [
            {
                "hash": h,
                "size": len(raw),
                "content_type": ctype,
                "data": Body.compress(raw),
                "created_at": batch[0].fetched_at,
            }
            for h, (raw, ctype) in bodies.items()
            if h not in known
        ]
        if new_bodies:
            session.execute(insert(Body), new_bodies)
        stored = known | {b["hash"] for b in new_bodies}
        rows = [
            {
                "watch_id": o.watch_id,
                "run_id": self.run_id,
                "fetched_at": o.fetched_at,
                "status": o.status,
                "http_status": o.http_status,
                "elapsed_ms": o.elapsed_ms,
                "error_reason": o.reason,
                "content_hash": o.body_hash if o.body_hash in stored else None,
                "unchanged": o.unchanged,
                "final_url": o.url,
                "screenshot_hash": Body.hash_of(o.screenshot) if o.screenshot else None,
            }
            for o in batch
        ]
        ids = session.scalars(
            insert(Observation).returning(Observation.id, sort_by_parameter_order=True), rows
        ).all()
        states, changes, ok_updates, failed_updates = [], [], [], []
        for o, obs_id in zip(batch, ids, strict=True):
            if o.snapshot is not None:
                snap = o.snapshot
                states.append(
                    {
                        "watch_id": o.watch_id,
                        "observation_id": obs_id,
                        "observed_at": o.fetched_at,
                        "price": snap.price,
                        "currency": snap.currency,
                        "availability": snap.availability,
                        "name": snap.name,
                        "sku": snap.sku,
                        "brand": snap.brand,
                        "sources": snap.sources,
                    }
                )
            for c in o.changes:
                changes.append(
                    {
                        "watch_id": o.watch_id,
                        "observation_id": obs_id,
                        "competitor_id": self.competitor_of.get(o.watch_id),
                        "run_id": self.run_id,
                        "detected_at": o.fetched_at,
                        "kind": c.kind,
                        "summary": c.summary,
                        "field": c.field,
                        "old": c.old,
                        "new": c.new,
                        "magnitude": c.magnitude,
                        "details": c.details,
                        "anomaly_score": c.details.get("anomaly_score"),
                        "anomaly_explanation": c.details.get("anomaly_explanation"),
                    }
                )
            memory = self.memories[o.watch_id]
            update_row = {
                "b_id": o.watch_id,
                "last_checked_at": o.fetched_at,
                "consecutive_failures": memory.consecutive_failures,
                "consecutive_gone": memory.consecutive_gone,
                "next_due_at": self._next_due(o, memory.consecutive_failures),
            }
            if o.status == "ok":
                update_row.update(
                    last_good_at=o.fetched_at,
                    last_error=None,
                    last_body_hash=memory.body_hash,
                    etag=o.etag,
                    last_modified=o.last_modified,
                )
                ok_updates.append(update_row)
            else:
                update_row["last_error"] = o.reason
                failed_updates.append(update_row)
            self.stats.ok += o.status == "ok"
            self.stats.failed += o.status == "failed"
            self.stats.unchanged += o.unchanged
            self.stats.changes += len(o.changes)
            if self.keep_outcomes:
                o.body = None  # the store has it; keep memory flat over a long crawl
                o.screenshot = None
                self.stats.outcomes.append(o)
        if states:
            session.execute(insert(ProductState), states)
        if changes:
            session.execute(insert(Change), changes)
        if self.anomaly is not None:
            self.anomaly.write(session, batch[-1].fetched_at)
        table = Watch.__table__
        for group in (ok_updates, failed_updates):
            if group:
                values = {k: bindparam(k) for k in group[0] if k != "b_id"}
                session.execute(update(table).where(table.c.id == bindparam("b_id")).values(values), group)
