"""Site watches: a competitor's whole site (robots.txt, sitemaps, a bounded link crawl) as one watch."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Competitor, Watch
from monitor.jobs import crawl_settings
from monitor.site_sink import SiteSink, load_site_memories
from monitor.watch_kinds.base import CycleContext, KindCrawl, WatchSpec
from spiders.site_crawl import SiteJob


def site_options(s) -> dict:  # noqa: ANN001
    """What a site watch stores in `watches.options` (JSON)."""
    return {
        "max_pages": s.max_pages,
        "max_depth": s.max_depth,
        "use_sitemap": s.use_sitemap,
        "include": list(s.include),
        "exclude": list(s.exclude),
        "render": s.render,
        "wait_for": s.wait_for,
    }


def site_job(watch: Watch, robots: str) -> SiteJob:
    opts = watch.options or {}
    return SiteJob(
        watch_id=watch.id,
        url=watch.url,
        max_pages=int(opts.get("max_pages") or 500),
        max_depth=int(opts.get("max_depth", 3)),
        use_sitemap=bool(opts.get("use_sitemap", True)),
        include=tuple(opts.get("include") or ()),
        exclude=tuple(opts.get("exclude") or ()),
        render=opts.get("render") or "http",
        wait_for=opts.get("wait_for"),
        obey_robots=robots != "ignore",
    )


class SiteKind:
    name = "site"

    def specs(self, watchlist) -> list[WatchSpec]:  # noqa: ANN001
        out = []
        for s in getattr(watchlist, "sites", []):
            interval = s.interval if s.interval is not None or s.cron else watchlist.settings.default_interval
            out.append(
                WatchSpec(
                    self.name,
                    s.url,
                    s.label,
                    watchlist.competitor_for(s),
                    site_options(s),
                    interval,
                    s.cron,
                    list(s.tags),
                )
            )
        return out

    def prepare(self, ctx: CycleContext, session: Session, watches: list[Watch]) -> KindCrawl:
        from spiders.site_spider import SiteSpider

        settings = ctx.watchlist.settings
        robots = {c.id: c.robots for c in session.scalars(select(Competitor))}
        jobs = [site_job(w, robots.get(w.competitor_id, "obey")) for w in watches]
        sink = SiteSink(
            ctx.session_factory,
            ctx.run_id,
            load_site_memories(session, [w.id for w in watches]),
            {w.id: w.interval_s or settings.default_interval for w in watches},
            {w.id: w.competitor_id for w in watches},
            clock=ctx.clock,
            on_outcome=ctx.on_outcome,
        )
        crawl = crawl_settings(ctx.watchlist, any(j.render == "browser" for j in jobs))
        # robots.txt is read and applied by the spider itself (one fetch per site per crawl).
        crawl["ROBOTSTXT_OBEY"] = False
        return KindCrawl(self.name, SiteSpider, {"jobs": jobs, "sink": sink}, sink, crawl, len(jobs))
