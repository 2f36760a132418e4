"""The page-content sink: stores each check of a page watch and the changes it found, together.

Per fetched page, in one transaction: the observation (raw body once per distinct content), the
filtered text (in `bodies`, once per distinct text) with its `page_texts` row, the changes, the
stored line diff (`page_diffs`) of a content change, and the watch's schedule and validators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models import Body, Change, PageDiff, PageText, Watch
from models.crawl import Observation
from monitor.page_observe import PageMemory, PageOutcome, observe_page, remember_page
from monitor.sink import SinkStats, next_check_at, utc_now
from spiders.extract.page import PageFilter
from spiders.fetch import FetchedPage

KEEP_BODY_BYTES = 1_000_000


def page_filter_of(options: dict) -> PageFilter:
    """The filter a watch's stored options describe (see monitor.watch_kinds.page)."""
    return PageFilter(
        css=options.get("css"),
        xpath=options.get("xpath"),
        regex=options.get("regex"),
        remove=list(options.get("remove") or []),
        ignore=list(options.get("ignore") or []),
        trigger=list(options.get("trigger") or []),
        json=options.get("json"),
        jq=options.get("jq"),
        skip=int(options.get("skip") or 0),
        maxitems=options.get("maxitems"),
        sort=options.get("sort"),
        re_sub=[(str(p), str(r)) for p, r in options.get("re_sub") or []],
    )


def load_page_memories(session: Session, watch_ids: Iterable[int]) -> dict[int, PageMemory]:
    """Each watch's last good text, with one query per table for the whole crawl."""
    ids = list(watch_ids)
    if not ids:
        return {}
    latest: dict[int, PageText] = {
        t.watch_id: t
        for t in session.scalars(
            select(PageText).where(PageText.watch_id.in_(ids)).order_by(PageText.watch_id, PageText.id)
        )
    }
    hashes = {t.text_hash for t in latest.values()}
    texts = {b.hash: b.raw().decode() for b in session.scalars(select(Body).where(Body.hash.in_(hashes)))}
    memories = {}
    for w in session.scalars(select(Watch).where(Watch.id.in_(ids))):
        last = latest.get(w.id)
        memories[w.id] = PageMemory(
            watch_id=w.id,
            label=w.label or w.url,
            page_filter=page_filter_of(w.options or {}),
            last_text=texts.get(last.text_hash) if last else None,
            last_text_hash=last.text_hash if last else None,
            last_filter_key=last.filter_key if last else None,
            body_hash=w.last_body_hash,
            consecutive_failures=w.consecutive_failures,
        )
    return memories


class PageSink:
    """Accepts the page spider's FetchedPages (through spiders.pipelines) and writes them in batches."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        run_id: int | None,
        memories: dict[int, PageMemory],
        intervals: dict[int, float],
        competitor_of: dict[int, int | None],
        clock: Callable[[], datetime] = utc_now,
        batch_size: int = 100,
        on_outcome: Callable[[PageOutcome], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.run_id = run_id
        self.memories = memories
        self.intervals = intervals
        self.competitor_of = competitor_of
        self.clock = clock
        self.batch_size = batch_size
        self.on_outcome = on_outcome
        self.pending: list[PageOutcome] = []
        self.stats = SinkStats()

    def accept(self, page: FetchedPage) -> PageOutcome:
        memory = self.memories[page.job.watch_id]
        outcome = observe_page(page, memory, self.clock())
        remember_page(memory, outcome)
        self.pending.append(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return outcome

    async def accept_async(self, page: FetchedPage) -> PageOutcome:
        return self.accept(page)

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        with self.session_factory.begin() as session:
            self._write(session, batch)

    def _next_due(self, outcome: PageOutcome, failures: int) -> datetime:
        interval = self.intervals.get(outcome.watch_id, 6 * 3600)
        return next_check_at(outcome.fetched_at, interval, outcome.status == "failed", failures)

    def _store_bodies(
        self, session: Session, blobs: dict[str, tuple[bytes, str | None]], wanted: set[str]
    ) -> set[str]:
        """Store the new blobs; returns which of them and of `wanted` (stored before) exist."""
        ask = set(blobs) | wanted
        known = set(session.scalars(select(Body.hash).where(Body.hash.in_(ask)))) if ask else set()
        for h, (raw, ctype) in blobs.items():
            if h not in known:
                session.add(Body(hash=h, size=len(raw), content_type=ctype, data=Body.compress(raw)))
                known.add(h)
        return known

    def _write(self, session: Session, batch: list[PageOutcome]) -> None:
        blobs: dict[str, tuple[bytes, str | None]] = {}
        for o in batch:
            if o.body is not None and o.body_hash and len(o.body) <= KEEP_BODY_BYTES:
                blobs[o.body_hash] = (o.body, o.content_type)
            if o.text is not None and o.text_hash:
                blobs[o.text_hash] = (o.text.encode(), "text/plain; charset=utf-8")
            if o.screenshot:
                blobs[Body.hash_of(o.screenshot)] = (o.screenshot, "image/png")
        earlier = {o.text_hash for o in batch if o.unchanged and o.text_hash}
        known = self._store_bodies(session, blobs, earlier)
        session.flush()
        observations = [
            Observation(
                watch_id=o.watch_id,
                run_id=self.run_id,
                fetched_at=o.fetched_at,
                status=o.status,
                http_status=o.http_status,
                elapsed_ms=o.elapsed_ms,
                error_reason=o.reason,
                content_hash=o.body_hash if o.body_hash in known else None,
                unchanged=o.unchanged,
                final_url=o.url,
                screenshot_hash=Body.hash_of(o.screenshot) if o.screenshot else None,
            )
            for o in batch
        ]
        session.add_all(observations)
        session.flush()
        updates = []
        for o, obs in zip(batch, observations, strict=True):
            if o.status == "ok" and o.text_hash and o.text_hash in known:
                lines = (o.text or "").count("\n") + 1 if o.text else 0
                session.add(
                    PageText(
                        watch_id=o.watch_id,
                        observation_id=obs.id,
                        observed_at=o.fetched_at,
                        text_hash=o.text_hash,
                        lines=lines,
                        filter_key=o.filter_key or "",
                    )
                )
            for c in o.changes:
                row = Change.from_detected(
                    c,
                    watch_id=o.watch_id,
                    observation_id=obs.id,
                    competitor_id=self.competitor_of.get(o.watch_id),
                    run_id=self.run_id,
                    detected_at=o.fetched_at,
                )
                session.add(row)
                if c.kind == "content_changed" and o.text_hash:
                    session.flush()
                    session.add(
                        PageDiff(
                            watch_id=o.watch_id,
                            observation_id=obs.id,
                            change_id=row.id,
                            observed_at=o.fetched_at,
                            old_text_hash=o.previous_text_hash,
                            new_text_hash=o.text_hash,
                            added_lines=list(c.details.get("added_lines", [])),
                            removed_lines=list(c.details.get("removed_lines", [])),
                            unified=o.unified_diff,
                        )
                    )
            memory = self.memories[o.watch_id]
            values = {
                "id": o.watch_id,
                "last_checked_at": o.fetched_at,
                "consecutive_failures": memory.consecutive_failures,
                "next_due_at": self._next_due(o, memory.consecutive_failures),
            }
            if o.status == "ok":
                values.update(last_good_at=o.fetched_at, last_error=None, last_body_hash=memory.body_hash)
                if o.etag or o.last_modified:
                    values.update(etag=o.etag, last_modified=o.last_modified)
            else:
                values["last_error"] = o.reason
            updates.append(values)
            self.stats.ok += o.status == "ok"
            self.stats.failed += o.status == "failed"
            self.stats.unchanged += o.unchanged
            self.stats.changes += len(o.changes)
            o.body = o.screenshot = None  # stored; keep memory flat over a long crawl
            o.text = o.previous_text = None
            self.stats.outcomes.append(o)
        by_id: dict[int, dict] = {}
        for row in updates:
            by_id.setdefault(row["id"], {}).update(row)
        session.execute(update(Watch), list(by_id.values()))
