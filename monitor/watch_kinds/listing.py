"""Listing watches: a category, search or "new arrivals" page, read across its pages, one observation per crawl."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Competitor, Watch
from monitor.jobs import crawl_settings
from monitor.listing_sink import ListingSink, load_listing_memories
from monitor.watch_kinds.base import CycleContext, KindCrawl, WatchSpec
from spiders.listing_fetch import ListingJob


class ListingKind:
    name = "listing"

    def specs(self, watchlist) -> list[WatchSpec]:  # noqa: ANN001
        out = []
        for lw in watchlist.listings:
            interval = (
                lw.interval if lw.interval is not None or lw.cron else watchlist.settings.default_interval
            )
            out.append(
                WatchSpec(
                    self.name,
                    lw.url,
                    lw.label,
                    watchlist.competitor_for(lw),
                    lw.options(),
                    interval,
                    lw.cron,
                    list(lw.tags),
                )
            )
        return out

    def prepare(self, ctx: CycleContext, session: Session, watches: list[Watch]) -> KindCrawl:
        from spiders.listing_spider import ListingSpider

        settings = ctx.watchlist.settings
        robots = {c.id: c.robots for c in session.scalars(select(Competitor))}
        jobs = [
            ListingJob.from_options(
                w.id, w.url, w.options or {}, robots.get(w.competitor_id, "obey") != "ignore"
            )
            for w in watches
        ]
        sink = ListingSink(
            ctx.session_factory,
            ctx.run_id,
            load_listing_memories(session, [w.id for w in watches]),
            {w.id: w.interval_s or settings.default_interval for w in watches},
            {w.id: w.competitor_id for w in watches},
            clock=ctx.clock,
            on_outcome=ctx.on_outcome,
        )
        need_browser = any(j.render == "browser" for j in jobs)
        return KindCrawl(
            self.name,
            ListingSpider,
            {"jobs": jobs, "sink": sink},
            sink,
            crawl_settings(ctx.watchlist, need_browser),
            len(jobs),
        )
