"""The page kind's crawl side: due watches -> fetch jobs and memories; its observer."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import Watch
from models.page_text import latest_texts
from monitor.kinds.base import CrawlPlan, CycleContext, memory_fields
from monitor.kinds.jobs import fetch_job
from monitor.kinds.page.config import PageOptions
from monitor.kinds.page.observe import OBSERVER, PageMemory, filter_key


def plan(ctx: CycleContext, session: Session, watches: list[Watch]) -> CrawlPlan:
    texts = latest_texts(session, [w.id for w in watches])
    jobs, memories = [], {}
    for w, options, obey in ctx.due(session, watches, PageOptions):
        last = texts.get(w.id)
        memory = PageMemory(
            **memory_fields(w, ctx.settings.default_interval),
            page_filter=options.page_filter(),
            last_text=last[1] if last else None,
            last_text_hash=last[0].text_hash if last else None,
            last_filter_key=last[0].filter_key if last else None,
        )
        # Without a usable baseline a 304 would leave nothing to compare with: ask for the page.
        conditional = memory.last_text is not None and memory.last_filter_key == filter_key(
            memory.page_filter
        )
        jobs.append(fetch_job(w, options, obey, conditional))
        memories[w.id] = memory
    return CrawlPlan(jobs, dict(memories))


__all__ = ["OBSERVER", "plan"]
