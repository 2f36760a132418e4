"""Product watches: one page per watch, price and stock (the foundation's kind)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import Watch
from monitor.anomaly_feed import PriceAnomalyFeed
from monitor.jobs import crawl_settings, jobs_for
from monitor.sink import ObservationSink, load_memories
from monitor.watch_kinds.base import CycleContext, KindCrawl, WatchSpec


class ProductKind:
    name = "product"

    def specs(self, watchlist) -> list[WatchSpec]:  # noqa: ANN001
        out = []
        for p in watchlist.products:
            options = {
                "selectors": dict(p.selectors),
                "our_price": str(p.our_price) if p.our_price is not None else None,
                "map_price": str(p.map_price) if p.map_price is not None else None,
                "render": p.render,
                "wait_for": p.wait_for,
                "screenshot": p.screenshot,
            }
            if p.actions:
                options["actions"] = [a.as_option() for a in p.actions]
            interval = p.interval if p.interval is not None or p.cron else watchlist.settings.default_interval
            out.append(
                WatchSpec(
                    "product",
                    p.url,
                    p.label,
                    watchlist.competitor_for(p),
                    options,
                    interval,
                    p.cron,
                    list(p.tags),
                )
            )
        return out

    def prepare(self, ctx: CycleContext, session: Session, watches: list[Watch]) -> KindCrawl:
        from monitor.extract_pool import MIN_PAGES_FOR_POOL, shared_pool
        from spiders.product_spider import ProductSpider

        settings = ctx.watchlist.settings
        jobs = jobs_for(session, watches)
        memories = load_memories(session, [w.id for w in watches], settings.gone_after)
        workers = settings.extract_workers
        pool = shared_pool(workers) if workers and len(jobs) >= MIN_PAGES_FOR_POOL else None
        sink = ObservationSink(
            ctx.session_factory,
            ctx.run_id,
            memories,
            {w.id: w.interval_s or settings.default_interval for w in watches},
            {w.id: w.competitor_id for w in watches},
            _extract_inline,
            gone_after=settings.gone_after,
            clock=ctx.clock,
            pool=pool,
            on_outcome=ctx.on_outcome,
            anomaly=PriceAnomalyFeed.load(session, [w.id for w in watches]),
        )
        need_browser = any(j.render == "browser" for j in jobs)
        return KindCrawl(
            self.name,
            ProductSpider,
            {"jobs": jobs, "sink": sink},
            sink,
            crawl_settings(ctx.watchlist, need_browser),
            len(jobs),
        )


def _extract_inline(body: bytes, url: str, selectors=None, content_type=None) -> object:  # noqa: ANN001
    # Imported on first use: with an extraction pool the crawler process never needs the extractor.
    from monitor.extract_pool import extract_task

    return extract_task(body, url, selectors, content_type)
