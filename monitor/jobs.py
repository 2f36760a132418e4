"""From watches in the store to fetch jobs and the crawl's Scrapy settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import Competitor, Watch
from monitor.config import Watchlist
from spiders.crawl_settings import crawl_settings as spider_crawl_settings
from spiders.fetch import FetchJob


def due_watches(session: Session, now: datetime, force: bool = False, kind: str | None = None) -> list[Watch]:
    query = select(Watch).where(Watch.active.is_(True))
    if kind is not None:
        query = query.where(Watch.kind == kind)
    if not force:
        query = query.where(or_(Watch.next_due_at.is_(None), Watch.next_due_at <= now))
    return list(session.scalars(query.order_by(Watch.next_due_at.is_not(None), Watch.next_due_at, Watch.id)))


def job_for(watch: Watch, robots: str) -> FetchJob:
    opts = watch.options or {}
    return FetchJob(
        watch_id=watch.id,
        url=watch.url,
        kind=watch.kind,
        render=opts.get("render") or "http",
        wait_for=opts.get("wait_for"),
        screenshot=bool(opts.get("screenshot")),
        obey_robots=robots != "ignore",
        etag=watch.etag,
        last_modified=watch.last_modified,
        actions=tuple(opts.get("actions") or ()),
    )


def jobs_for(session: Session, watches: list[Watch]) -> list[FetchJob]:
    robots = {c.id: c.robots for c in session.scalars(select(Competitor))}
    return [job_for(w, robots.get(w.competitor_id, "obey")) for w in watches]


def crawl_settings(watchlist: Watchlist, need_browser: bool) -> dict:
    return spider_crawl_settings(watchlist.settings.crawl_limits(), need_browser)


def jobs_for_watchlist(path: str, spider) -> list[FetchJob]:  # noqa: ANN001
    """`scrapy crawl products -a config=FILE`: sync the watchlist, crawl every product watch, store as usual."""
    from models.db import open_store
    from monitor.config import load_watchlist
    from monitor.runner import prepare_sink

    watchlist = load_watchlist(path)
    _engine, factory = open_store(watchlist.settings.database_url)
    jobs, sink = prepare_sink(watchlist, factory, force=True, trigger="scrapy")
    spider.sink = sink
    return jobs
