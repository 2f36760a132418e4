"""Page-content watches (like changedetection.io): any URL, filtered to text, diffed line by line."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from models import Watch
from models.page_text import latest_texts
from monitor.kinds.base import (
    CycleContext,
    KindCrawl,
    SpecContext,
    WatchSpec,
    memory_fields,
    read_options,
    specs_of,
)
from monitor.kinds.jobs import fetch_job
from monitor.kinds.page.changes import CHANGE_KINDS
from monitor.kinds.page.config import PageOptions, PageWatch
from monitor.kinds.page.observe import OBSERVER, PageMemory, filter_key
from spiders.crawl_settings import crawl_settings


class PageKind:
    name = "page"
    section = "pages"
    change_kinds = CHANGE_KINDS

    def specs(self, entries: Sequence[PageWatch], ctx: SpecContext) -> list[WatchSpec]:
        return specs_of(self.name, entries, ctx)

    def prepare(self, ctx: CycleContext, session: Session, watches: list[Watch]) -> KindCrawl:
        robots = ctx.robots(session)
        texts = latest_texts(session, [w.id for w in watches])
        jobs, memories = [], {}
        for w in watches:
            options = read_options(PageOptions, w.options)
            last = texts.get(w.id)
            memory = PageMemory(
                **memory_fields(w, ctx.settings.default_interval),
                page_filter=options.page_filter(),
                last_text=last[1] if last else None,
                last_text_hash=last[0].text_hash if last else None,
                last_filter_key=last[0].filter_key if last else None,
            )
            # Without a usable baseline a 304 would leave nothing to compare with: ask for the page.
            conditional = memory.last_text is not None and memory.last_filter_key == filter_key(memory.page_filter)
            jobs.append(fetch_job(w, options, robots.get(w.competitor_id or 0, True), conditional))
            memories[w.id] = memory
        return KindCrawl(
            self.name,
            "spiders.page_spider.PageSpider",
            jobs,
            OBSERVER,
            dict(memories),
            crawl_settings(ctx.settings.crawl_limits(), any(j.render == "browser" for j in jobs)),
        )


PAGE = PageKind()
