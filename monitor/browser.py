"""Browser rendering through scrapy-playwright: request meta for a watch that says `render: browser`."""

from __future__ import annotations

import shutil
from pathlib import Path

from spiders.fetch import FetchJob

CHROMIUM = Path("/usr/bin/chromium")
BLOCKED_RESOURCES = frozenset({"image", "font", "media"})


def chromium_available() -> bool:
    return CHROMIUM.exists() or shutil.which("chromium") is not None


async def _block_heavy(route, request) -> None:  # noqa: ANN001
    # Images, fonts and media cost most of a page's bytes and none of its prices.
    if request.resource_type in BLOCKED_RESOURCES:
        await route.abort()
    else:
        await route.continue_()


def playwright_meta(job: FetchJob) -> dict:
    from scrapy_playwright.page import PageMethod

    methods = []
    if job.wait_for:
        methods.append(PageMethod("wait_for_selector", job.wait_for, timeout=15_000))
    else:
        methods.append(PageMethod("wait_for_load_state", "networkidle"))
    return {
        "playwright": True,
        "playwright_include_page": True,
        "playwright_page_methods": methods,
        "playwright_page_init_callback": _init_page,
    }


async def _init_page(page, request) -> None:  # noqa: ANN001
    await page.route("**/*", _block_heavy)


def browser_settings() -> dict:
    """Settings that switch the crawl's downloads to scrapy-playwright (HTTP requests still go plain)."""
    return {
        "DOWNLOAD_HANDLERS": {
            "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
            "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        },
    }
