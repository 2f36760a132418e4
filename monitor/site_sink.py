"""The site sink: one observation per crawl of a site watch, with its snapshot and changes, together.

Per finished site crawl, in one transaction: the observation (failed with its reason, or ok), for a
good crawl the snapshot row and one row of SEO facts per page reached, the changes, and the watch's
schedule. The previous good snapshot is what the next crawl is compared with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from models import Change, SitePage, SiteSnapshotRow, Watch
from models.crawl import Observation
from monitor.changes.site import SiteSnapshot
from monitor.sink import SinkStats, next_check_at, utc_now
from monitor.site_observe import SiteMemory, SiteOutcome, conclude_site, remember_site
from spiders.extract.site import PageFacts, section_of
from spiders.site_crawl import SiteCrawled


def snapshot_from_row(row: SiteSnapshotRow) -> SiteSnapshot:
    pages = {p.url: PageFacts(**p.facts_dict()) for p in row.pages}
    return SiteSnapshot(pages=pages, sitemap_urls=set(row.known_urls or []))


def latest_snapshot(session: Session, watch_id: int) -> SiteSnapshotRow | None:
    return session.scalars(
        select(SiteSnapshotRow)
        .where(SiteSnapshotRow.watch_id == watch_id)
        .order_by(SiteSnapshotRow.id.desc())
        .options(selectinload(SiteSnapshotRow.pages))
        .limit(1)
    ).first()


def load_site_memories(session: Session, watch_ids: Iterable[int]) -> dict[int, SiteMemory]:
    memories = {}
    for w in session.scalars(select(Watch).where(Watch.id.in_(list(watch_ids)))):
        row = latest_snapshot(session, w.id)
        memories[w.id] = SiteMemory(
            watch_id=w.id,
            label=w.label or w.url,
            last=snapshot_from_row(row) if row else None,
            last_truncated=bool(row and row.truncated),
            consecutive_failures=w.consecutive_failures,
        )
    return memories


class SiteSink:
    """Accepts the site spider's one `SiteCrawled` item per site (through spiders.pipelines)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        run_id: int | None,
        memories: dict[int, SiteMemory],
        intervals: dict[int, float],
        competitor_of: dict[int, int | None],
        clock: Callable[[], datetime] = utc_now,
        on_outcome: Callable[[SiteOutcome], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.run_id = run_id
        self.memories = memories
        self.intervals = intervals
        self.competitor_of = competitor_of
        self.clock = clock
        self.on_outcome = on_outcome
        self.stats = SinkStats()

    def accept(self, item: SiteCrawled) -> SiteOutcome:
        memory = self.memories[item.job.watch_id]
        outcome = conclude_site(item.crawl, memory, self.clock())
        remember_site(memory, outcome)
        # A site crawl is one observation of many pages: written at once, not batched with others.
        with self.session_factory.begin() as session:
            self._write(session, outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        return outcome

    async def accept_async(self, item: SiteCrawled) -> SiteOutcome:
        return self.accept(item)

    def flush(self) -> None:
        """Nothing is buffered (each site is written when its crawl ends)."""

    def _next_due(self, outcome: SiteOutcome, failures: int) -> datetime:
        interval = self.intervals.get(outcome.watch_id, 24 * 3600)
        return next_check_at(outcome.fetched_at, interval, outcome.status == "failed", failures)

    def _write(self, session: Session, o: SiteOutcome) -> None:
        crawl = o.crawl
        obs = Observation(
            watch_id=o.watch_id,
            run_id=self.run_id,
            fetched_at=o.fetched_at,
            status=o.status,
            http_status=o.http_status,
            elapsed_ms=o.elapsed_ms,
            error_reason=o.reason,
            final_url=o.url,
        )
        session.add(obs)
        session.flush()
        if o.status == "ok" and o.snapshot is not None and crawl is not None:
            row = SiteSnapshotRow(
                watch_id=o.watch_id,
                observation_id=obs.id,
                observed_at=o.fetched_at,
                pages_fetched=len(crawl.pages),
                pages_ok=len(o.snapshot.good_pages),
                truncated=crawl.truncated,
                sections=o.snapshot.section_counts(),
                known_urls=sorted(o.snapshot.sitemap_urls),
                sitemap_urls=len(crawl.sitemap_urls),
                robots_error=crawl.robots_error,
                sitemap_errors=list(crawl.sitemap_errors)[:50],
            )
            session.add(row)
            session.flush()
            session.add_all(
                SitePage(
                    snapshot_id=row.id,
                    url=p.url,
                    status=p.status if not p.error else 0,
                    error=p.error,
                    depth=p.depth,
                    in_sitemap=p.in_sitemap or p.url in crawl.sitemap_urls,
                    section=section_of(p.url)[:300],
                    **_facts_columns(p.facts),
                )
                for p in crawl.pages
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
        values = {
            "id": o.watch_id,
            "last_checked_at": o.fetched_at,
            "consecutive_failures": memory.consecutive_failures,
            "next_due_at": self._next_due(o, memory.consecutive_failures),
        }
        if o.status == "ok":
            values.update(last_good_at=o.fetched_at, last_error=None)
        else:
            values["last_error"] = o.reason
        session.execute(update(Watch), [values])
        self.stats.ok += o.status == "ok"
        self.stats.failed += o.status == "failed"
        self.stats.changes += len(o.changes)
        o.crawl = None  # stored; a big site's pages need not stay in memory
        self.stats.outcomes.append(o)


def _facts_columns(facts: PageFacts | None) -> dict:
    if facts is None:
        return {}
    return {
        "title": facts.title,
        "meta_description": facts.meta_description,
        "meta_keywords": facts.meta_keywords,
        "h1": facts.h1,
        "h1_count": facts.h1_count,
        "canonical": facts.canonical,
        "hreflang": dict(facts.hreflang),
        "robots": (facts.robots or None) and facts.robots[:300],
        "noindex": facts.noindex,
        "word_count": facts.word_count,
        "internal_links": facts.internal_links,
        "outbound_links": facts.outbound_links,
        "structured_data_types": list(facts.structured_data_types),
    }
