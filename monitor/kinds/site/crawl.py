"""The site kind's crawl side: due watches -> site jobs and memories (the last snapshot); its observer."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import SiteSnapshotRow, Watch
from models.site import latest_snapshots
from monitor.config.crawl_records import crawl_record
from monitor.kinds.base import CrawlPlan, CycleContext, memory_fields
from monitor.kinds.jobs import request_fields
from monitor.kinds.site.changes import SiteSnapshot
from monitor.kinds.site.config import SiteOptions
from monitor.kinds.site.observe import OBSERVER, SiteMemory
from spiders.extract.site import PageFacts
from spiders.site_crawl import SiteJob


def snapshot_from_row(row: SiteSnapshotRow) -> SiteSnapshot:
    pages = {p.url: PageFacts(**p.facts_dict()) for p in row.pages}
    return SiteSnapshot(pages=pages, sitemap_urls=set(row.known_urls or []), truncated=row.truncated)


def site_job(watch: Watch, options: SiteOptions, obey_robots: bool) -> SiteJob:
    return crawl_record(
        SiteJob,
        options,
        include=tuple(options.include),
        exclude=tuple(options.exclude),
        **request_fields(watch, options, obey_robots),
    )


def plan(ctx: CycleContext, session: Session, watches: list[Watch]) -> CrawlPlan:
    last = latest_snapshots(session, [w.id for w in watches])
    jobs = [site_job(w, options, obey) for w, options, obey in ctx.due(session, watches, SiteOptions)]
    memories = {
        w.id: SiteMemory(
            **memory_fields(w, ctx.settings.default_interval),
            last=snapshot_from_row(last[w.id]) if w.id in last else None,
            last_truncated=bool(w.id in last and last[w.id].truncated),
        )
        for w in watches
    }
    # robots.txt is read and applied by the spider itself (one fetch per site per crawl).
    return CrawlPlan(jobs, dict(memories), settings={"ROBOTSTXT_OBEY": False})


__all__ = ["OBSERVER", "plan", "site_job", "snapshot_from_row"]
