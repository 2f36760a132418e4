"""Scrapy settings for rivalwatch's spiders (`scrapy list`, `scrapy crawl products -a config=FILE`).

Watchlist settings (user agent, timeouts, caps) override these per crawl; see spiders.crawl_settings.
"""

from scrapy.settings import default_settings as scrapy_defaults

from spiders.chromium_switches import LAUNCH_OPTIONS

BOT_NAME = "rivalwatch"
SPIDER_MODULES = [
    "spiders.product_spider",
    "spiders.listing_spider",
    "spiders.site_spider",
    "spiders.page_spider",
    "spiders.serp_spider",
]
NEWSPIDER_MODULE = "spiders"
# `scrapy crawl products -a config=FILE`: what turns a watchlist into jobs and a sink (the monitoring
# side, named here so that spiders/ never imports it).
RIVALWATCH_CONFIG_JOBS = "monitor.crawl.standalone.jobs_for_watchlist"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "WARNING"

CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy's downloader, but a site's concurrency holds (spiders.downloader: 2.19 overshoots it).
DOWNLOADER = "spiders.downloader.SlotCappedDownloader"
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
# Each response yields exactly one item; Scrapy starts CONCURRENT_ITEMS asyncio tasks per response
# to process a callback's output, so the default of 100 costs more CPU than fetching the page.
CONCURRENT_ITEMS = 1
RETRY_ENABLED = True
RETRY_TIMES = 2
AUTOTHROTTLE_ENABLED = True
EXTENSIONS = {
    "scrapy.extensions.throttle.AutoThrottle": None,
    "spiders.throttle.ConditionalAwareThrottle": 0,
}
# The first requests to a site are spaced by 0.1 s and the delay halves with every healthy, fast answer
# (spiders.throttle): a healthy site is crawled at CONCURRENT_REQUESTS_PER_DOMAIN after a dozen pages.
AUTOTHROTTLE_START_DELAY = 0.1
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
AUTOTHROTTLE_SLOW_LATENCY = 1.0  # seconds: slower answers space requests by latency / target concurrency
AUTOTHROTTLE_BACKOFF_DELAY = 1.0  # seconds: the least delay after a 429 or 503, doubled on each
COOKIES_ENABLED = False
# Per-request work we do not need: byte counts of every request for Scrapy's stats, and Referer headers
# (a watch is fetched on its own; sending a Referer would only leak where we came from).
DOWNLOADER_STATS = False
REFERER_ENABLED = False
HTTPCACHE_ENABLED = False
# Conditional requests are ours (ETag / Last-Modified per watch), so 304s must reach the spider.
HTTPERROR_ALLOW_ALL = True
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

# The address policy's resolver: Twisted connects only to the public addresses it answers.
TWISTED_DNS_RESOLVER = "spiders.middlewares.PolicyResolver"
DOWNLOADER_MIDDLEWARES = {
    "spiders.middlewares.AddressGuardMiddleware": 50,
    # Off unless a crawl worker sets RIVALWATCH_SHARED_POLITENESS_URL; last before the download itself.
    "spiders.shared_politeness.SharedPolitenessMiddleware": 990,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.retry_after.RetryAfterMiddleware": 550,
}
SPIDER_MIDDLEWARES = {
    "spiders.callback_failures.CallbackFailureMiddleware": 10,
}
# Scrapy imports every component of its base lists to build them, even one set to None or switched
# off by its own setting: the remote control extension loads aiohttp, the cookies middleware
# tldextract and requests, the feed exporter ftplib. The components we never use are left out of the
# base lists themselves, so a crawl neither imports them (memory, start-up) nor runs them.
unused_components = {
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.telnet.TelnetConsole",  # TELNETCONSOLE_ENABLED = False
    "scrapy.extensions.memusage.MemoryUsage",
    "scrapy.extensions.memdebug.MemoryDebugger",
    "scrapy.extensions.feedexport.FeedExporter",
    "scrapy.extensions.spiderstate.SpiderState",
    "scrapy.extensions.logstats.LogStats",  # LOG_LEVEL = WARNING: its lines are never shown
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",  # COOKIES_ENABLED = False
    "scrapy.downloadermiddlewares.stats.DownloaderStats",  # DOWNLOADER_STATS = False
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",  # HTTPCACHE_ENABLED = False
}
EXTENSIONS_BASE = {k: v for k, v in scrapy_defaults.EXTENSIONS_BASE.items() if k not in unused_components}
DOWNLOADER_MIDDLEWARES_BASE = {
    k: v for k, v in scrapy_defaults.DOWNLOADER_MIDDLEWARES_BASE.items() if k not in unused_components
}
# Watches are http(s) pages: no S3 or FTP handler to load.
DOWNLOAD_HANDLERS = {"s3": None, "ftp": None}
ITEM_PIPELINES = {
    "spiders.pipelines.StorePipeline": 300,
}

PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = LAUNCH_OPTIONS  # a browser crawl adds the call-home switches (spiders.crawl_settings)
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
