"""What the crawl benchmarks run in their child processes: a forced rivalwatch cycle, and the
settings of the bare Scrapy spider it is measured against."""

from __future__ import annotations

import time
from typing import Any


def bare_settings(concurrency: int, **extra: Any) -> dict[str, Any]:
    """Scrapy settings of a bare spider: quiet, no robots.txt, cookies or retries, `concurrency`
    requests at once (on one host too), and `extra` on top."""
    return {
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "COOKIES_ENABLED": False,
        "RETRY_ENABLED": False,
        **extra,
    }


def timed_cycle(config: str) -> tuple[Any, float]:
    """One forced crawl cycle of the watchlist at `config`, alerts off and Scrapy quiet: the
    cycle's summary and the seconds it took (the store opened beforehand)."""
    import logging

    from models.db import open_store
    from monitor.crawl.runner import run_cycle
    from monitor.watchlist import load_watchlist
    from spiders.engine import quiet_scrapy_logs

    quiet_scrapy_logs(logging.CRITICAL)
    watchlist = load_watchlist(config)
    _engine, factory = open_store(watchlist.settings.database_url)
    t0 = time.perf_counter()
    summary = run_cycle(watchlist, factory, force=True, send_alerts=False)
    return summary, time.perf_counter() - t0
