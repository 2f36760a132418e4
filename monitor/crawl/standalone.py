"""`scrapy crawl products -a config=FILE`: a watchlist's product watches as the spider's jobs and sink.

Named in `spiders.settings` (RIVALWATCH_CONFIG_JOBS) so that the crawl side never imports this side.
"""

from __future__ import annotations

from typing import Any

from models.db import open_store
from monitor.crawl.runner import prepare_sink
from monitor.watchlist import load_watchlist


def jobs_for_watchlist(path: str, spider: Any) -> list[Any]:
    """Sync the watchlist, open a run over every product watch, give the spider its sink; the jobs."""
    watchlist = load_watchlist(path)
    _engine, factory = open_store(watchlist.settings.database_url)
    jobs, sink = prepare_sink(watchlist, factory, force=True, trigger="scrapy")
    spider.sink = sink
    return jobs
