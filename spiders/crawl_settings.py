"""The Scrapy settings of one crawl, from the limits a user set in the watchlist.

`spiders.settings` holds what every crawl shares; this turns the watchlist's per-crawl limits (user
agent, timeouts, caps, politeness) into settings over those, plus the browser switch when a crawl
has watches rendered in Chromium.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CrawlLimits:
    """What a crawl must respect, as the watchlist's `settings:` say (monitor.config.Settings)."""

    user_agent: str
    download_timeout: float = 30
    max_page_mb: float = 10
    concurrent_requests: int = 32
    concurrency_per_domain: int = 4
    retries: int = 2
    autothrottle: bool = True
    allow_private_addresses: bool = False
    allow_private_hosts: tuple[str, ...] = ()


def browser_settings(limits: CrawlLimits | None = None) -> dict[str, Any]:
    """Settings that switch the crawl's downloads to scrapy-playwright (HTTP requests still go plain);
    named by dotted path, so nothing of the browser is imported until a browser watch runs.

    Chromium's own requests (redirects, frames, scripts, fetch()) go through the address policy's
    proxy (spiders.browser_proxy), which also caps what one connection brings back at max_page_mb;
    download_timeout bounds each navigation. Its background requests are switched off, and whatever
    is left of them goes to a proxy that refuses everything (spiders.chromium_switches)."""
    from spiders.browser_proxy import proxy_url
    from spiders.chromium_switches import LAUNCH_OPTIONS, with_call_home_off

    limits = limits or CrawlLimits(user_agent="")
    proxy = proxy_url(
        limits.allow_private_addresses,
        limits.allow_private_hosts,
        max_bytes=int(limits.max_page_mb * 1024 * 1024),
        idle_timeout=limits.download_timeout,
    )
    return {
        "DOWNLOAD_HANDLERS": {
            "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
            "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        },
        "PLAYWRIGHT_ABORT_REQUEST": "spiders.browser.should_abort",
        "PLAYWRIGHT_PROCESS_REQUEST_HEADERS": "spiders.browser.browser_headers",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            **LAUNCH_OPTIONS,
            "args": with_call_home_off(list(LAUNCH_OPTIONS["args"])),
            # Every crawl context has its own policy proxy; this one is what the browser itself gets.
            "proxy": {"server": proxy_url(refuse_all=True)},
        },
        # Service workers would fetch beside the page's routing; the proxy sees them anyway.
        "PLAYWRIGHT_CONTEXTS": {"default": {"proxy": {"server": proxy}, "service_workers": "block"}},
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": limits.download_timeout * 1000,
    }


def crawl_settings(limits: CrawlLimits, need_browser: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "USER_AGENT": limits.user_agent,
        "DOWNLOAD_TIMEOUT": limits.download_timeout,
        "DOWNLOAD_MAXSIZE": int(limits.max_page_mb * 1024 * 1024),
        "CONCURRENT_REQUESTS": limits.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": limits.concurrency_per_domain,
        "RETRY_TIMES": limits.retries,
        "AUTOTHROTTLE_ENABLED": limits.autothrottle,
        "RIVALWATCH_ALLOW_PRIVATE_ADDRESSES": limits.allow_private_addresses,
        "RIVALWATCH_ALLOW_PRIVATE_HOSTS": list(limits.allow_private_hosts),
    }
    if need_browser:
        settings.update(browser_settings(limits))
    return settings


def quiet_scrapy_logs(level: int = logging.ERROR) -> None:
    """Scrapy's and Twisted's loggers at `level`; here, not in spiders.engine, so that a command can
    quiet them before it knows whether it crawls (and imports Scrapy) at all."""
    for name in ("scrapy", "scrapy_playwright", "twisted", "py.warnings", "asyncio", "protego"):
        logging.getLogger(name).setLevel(level)
