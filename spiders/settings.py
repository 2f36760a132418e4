"""Scrapy settings for rivalwatch's spiders (`scrapy list`, `scrapy crawl products -a config=FILE`).

Watchlist settings (user agent, timeouts, caps) override these per crawl; see spiders.crawl_settings.
"""

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
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
COOKIES_ENABLED = False
# Per-request work we do not need: byte counts of every request for Scrapy's stats, and Referer headers
# (a watch is fetched on its own; sending a Referer would only leak where we came from).
DOWNLOADER_STATS = False
REFERER_ENABLED = False
HTTPCACHE_ENABLED = False
# Conditional requests are ours (ETag / Last-Modified per watch), so 304s must reach the spider.
HTTPERROR_ALLOW_ALL = True
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

DOWNLOADER_MIDDLEWARES = {
    "spiders.middlewares.AddressGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.retry_after.RetryAfterMiddleware": 550,
}
SPIDER_MIDDLEWARES = {
    "spiders.callback_failures.CallbackFailureMiddleware": 10,
}
ITEM_PIPELINES = {
    "spiders.pipelines.StorePipeline": 300,
}

PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": "/usr/bin/chromium",
    "headless": True,
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ],
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
