"""The listing sink: stores one observation per listing watch per crawl, with its cards and changes.

Each `ListingFetch` the spider hands over becomes an outcome (monitor.listing_observe, pure), and is
written in one transaction: the page bodies once per distinct content, the observation, the snapshot
with its ordered cards (good observations only), its changes, and the watch's schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models import Body, Change, Watch
from models.crawl import Observation
from models.listing import ListingSnapshot, ListingSnapshotItem
from monitor.changes.listing import ListingDiffOptions
from monitor.listing_observe import ListingMemory, ListingOutcome, observe_listing, remember_listing
from monitor.sink import SinkStats, next_check_at, utc_now
from spiders.extract.listing import ListingItem
from spiders.listing_fetch import ListingFetch


def _plain(price: Decimal | None) -> Decimal | None:
    """A stored price as the page showed it: 115.990000 (the column's scale) reads 115.99 again."""
    return None if price is None else Decimal(format(price.normalize(), "f"))


def diff_options(options: dict) -> ListingDiffOptions:
    return ListingDiffOptions(
        include_sponsored=bool(options.get("include_sponsored")),
        min_move=int(options.get("min_move") or 3),
    )


def load_listing_memories(session: Session, watch_ids: Iterable[int]) -> dict[int, ListingMemory]:
    """Each watch's last good cards: one query for the latest snapshots, one for their items."""
    ids = list(watch_ids)
    if not ids:
        return {}
    watches = session.scalars(select(Watch).where(Watch.id.in_(ids))).all()
    latest: dict[int, int] = {}
    for watch_id, snap_id in session.execute(
        select(ListingSnapshot.watch_id, ListingSnapshot.id)
        .where(ListingSnapshot.watch_id.in_(ids))
        .order_by(ListingSnapshot.watch_id, ListingSnapshot.id)
    ):
        latest[watch_id] = snap_id
    items: dict[int, list[ListingItem]] = {snap: [] for snap in latest.values()}
    if latest:
        rows = session.scalars(
            select(ListingSnapshotItem)
            .where(ListingSnapshotItem.snapshot_id.in_(list(latest.values())))
            .order_by(ListingSnapshotItem.snapshot_id, ListingSnapshotItem.position)
        )
        for row in rows:
            items[row.snapshot_id].append(
                ListingItem(
                    position=row.position,
                    url=row.url,
                    title=row.title,
                    price=_plain(row.price),
                    currency=row.currency,
                    sponsored=row.sponsored,
                    key=row.key,
                )
            )
    return {
        w.id: ListingMemory(
            watch_id=w.id,
            label=w.label or w.url,
            last_items=items[latest[w.id]] if w.id in latest else None,
            consecutive_failures=w.consecutive_failures,
            options=diff_options(w.options or {}),
        )
        for w in watches
    }


class ListingSink:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        run_id: int | None,
        memories: dict[int, ListingMemory],
        intervals: dict[int, float],
        competitor_of: dict[int, int | None],
        clock: Callable[[], datetime] = utc_now,
        on_outcome: Callable[[ListingOutcome], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.run_id = run_id
        self.memories = memories
        self.intervals = intervals
        self.competitor_of = competitor_of
        self.clock = clock
        self.on_outcome = on_outcome
        self.stats = SinkStats()

    def accept(self, fetch: ListingFetch) -> ListingOutcome:
        memory = self.memories[fetch.job.watch_id]
        outcome = observe_listing(fetch, memory, self.clock())
        with self.session_factory.begin() as session:
            self._write(session, outcome)
        remember_listing(memory, outcome)
        self._count(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        return outcome

    async def accept_async(self, fetch: ListingFetch) -> ListingOutcome:
        return self.accept(fetch)

    def flush(self) -> None:
        """Every outcome is written as it arrives (a few dozen listings per crawl): nothing pending."""

    def _count(self, o: ListingOutcome) -> None:
        self.stats.ok += o.status == "ok"
        self.stats.failed += o.status == "failed"
        self.stats.unchanged += o.unchanged
        self.stats.changes += len(o.changes)
        o.bodies, o.screenshot = {}, None  # stored; keep memory flat
        self.stats.outcomes.append(o)

    def _next_due(self, o: ListingOutcome, failures: int) -> datetime:
        interval = self.intervals.get(o.watch_id, 6 * 3600)
        return next_check_at(o.fetched_at, interval, o.status == "failed", failures)

    def _write(self, session: Session, o: ListingOutcome) -> None:
        blobs = dict(o.bodies)
        shot_hash = Body.hash_of(o.screenshot) if o.screenshot else None
        if o.screenshot:
            blobs[shot_hash] = (o.screenshot, "image/png")
        known = set(session.scalars(select(Body.hash).where(Body.hash.in_(list(blobs))))) if blobs else set()
        for h, (raw, ctype) in blobs.items():
            if h not in known:
                session.add(Body(hash=h, size=len(raw), content_type=ctype, data=Body.compress(raw)))
        obs = Observation(
            watch_id=o.watch_id,
            run_id=self.run_id,
            fetched_at=o.fetched_at,
            status=o.status,
            http_status=o.http_status,
            elapsed_ms=o.elapsed_ms,
            error_reason=o.reason,
            content_hash=o.content_hash,
            unchanged=o.unchanged,
            final_url=o.url,
            screenshot_hash=shot_hash,
        )
        session.add(obs)
        session.flush()
        if o.status == "ok":
            snapshot = ListingSnapshot(
                watch_id=o.watch_id,
                observation_id=obs.id,
                observed_at=o.fetched_at,
                item_count=len(o.items or []),
                pages_fetched=o.pages_fetched,
                stop_reason=o.stop_reason,
                page_hashes=list(o.page_hashes),
            )
            session.add(snapshot)
            session.flush()
            session.add_all(
                ListingSnapshotItem(
                    snapshot_id=snapshot.id,
                    position=i.position,
                    url=i.url,
                    key=i.key,
                    title=i.title,
                    price=i.price,
                    currency=i.currency,
                    sponsored=i.sponsored,
                )
                for i in o.items or []
            )
        for c in o.changes:
            session.add(
                Change.from_detected(
                    c,
                    watch_id=o.watch_id,
                    observation_id=obs.id,
                    competitor_id=self.competitor_of.get(o.watch_id),
                    run_id=self.run_id,
                    detected_at=o.fetched_at,
                )
            )
        memory = self.memories[o.watch_id]
        failures = 0 if o.status == "ok" else memory.consecutive_failures + 1
        values: dict = {
            "id": o.watch_id,
            "last_checked_at": o.fetched_at,
            "consecutive_failures": failures,
            "next_due_at": self._next_due(o, failures),
        }
        if o.status == "ok":
            values.update(last_good_at=o.fetched_at, last_error=None, last_body_hash=o.content_hash)
        else:
            values["last_error"] = o.reason
        session.execute(update(Watch), [values])
