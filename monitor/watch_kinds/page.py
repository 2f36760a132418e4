"""Page-content watches (like changedetection.io): any URL, filtered to text, diffed line by line."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from models import Watch
from monitor.jobs import crawl_settings, jobs_for
from monitor.page_observe import filter_key
from monitor.page_sink import PageSink, load_page_memories
from monitor.watch_kinds.base import CycleContext, KindCrawl, WatchSpec


def page_options(p) -> dict:  # noqa: ANN001
    """What a page watch stores in `watches.options` (JSON)."""
    return {
        "css": p.css,
        "xpath": p.xpath,
        "regex": p.regex,
        "remove": list(p.remove),
        "ignore": list(p.ignore),
        "trigger": list(p.trigger),
        "render": p.render,
        "wait_for": p.wait_for,
        "screenshot": p.screenshot,
        "actions": [a.as_option() for a in p.actions],
        # shaping options (issue 13), read back by monitor.page_sink.page_filter_of
        "json": p.json_path,
        "jq": p.jq,
        "skip": p.skip,
        "maxitems": p.maxitems,
        "sort": p.sort,
        "re_sub": [[r.pattern, r.repl] for r in p.re_sub],
    }


class PageKind:
    name = "page"

    def specs(self, watchlist) -> list[WatchSpec]:  # noqa: ANN001
        out = []
        for p in getattr(watchlist, "pages", []):
            interval = p.interval if p.interval is not None or p.cron else watchlist.settings.default_interval
            out.append(
                WatchSpec(
                    self.name,
                    p.url,
                    p.label,
                    watchlist.competitor_for(p),
                    page_options(p),
                    interval,
                    p.cron,
                    list(p.tags),
                )
            )
        return out

    def prepare(self, ctx: CycleContext, session: Session, watches: list[Watch]) -> KindCrawl:
        from spiders.page_spider import PageSpider

        settings = ctx.watchlist.settings
        memories = load_page_memories(session, [w.id for w in watches])
        jobs = []
        for job in jobs_for(session, watches):
            memory = memories[job.watch_id]
            if memory.last_text is None or memory.last_filter_key != filter_key(memory.page_filter):
                # No usable baseline: a 304 would leave us with nothing to compare, so ask for the page.
                job = replace(job, etag=None, last_modified=None)
            jobs.append(job)
        sink = PageSink(
            ctx.session_factory,
            ctx.run_id,
            memories,
            {w.id: w.interval_s or settings.default_interval for w in watches},
            {w.id: w.competitor_id for w in watches},
            clock=ctx.clock,
            on_outcome=ctx.on_outcome,
        )
        need_browser = any(j.render == "browser" for j in jobs)
        return KindCrawl(
            self.name,
            PageSpider,
            {"jobs": jobs, "sink": sink},
            sink,
            crawl_settings(ctx.watchlist, need_browser),
            len(jobs),
        )
