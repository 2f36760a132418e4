"""Browser rendering through scrapy-playwright: request meta and settings for `render: browser` watches.

A browser request loads the page in Debian's Chromium (images, fonts and media are never fetched),
then runs the watch's page plan, in order: wait for the `wait_for` selector (else for the network
to go quiet), the configured page actions (click, fill and submit, wait, scroll), scrolling to the
bottom N times for infinite scroll, and clicking a "load more" button up to N times. The page's
HTML after all that is the response body the extractors read.

Steps are patient but never fatal: a `wait_for` that never appears or a button that is not there
is noted (the notes come back with the response) and the page is judged by what it shows, so a
500 or a login wall in a browser is reported as such and not as "timed out".
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spiders.fetch import FetchJob

CHROMIUM = Path("/usr/bin/chromium")
BLOCKED_RESOURCES = frozenset({"image", "font", "media"})
WAIT_FOR_MS = 15_000
IDLE_MS = 5_000
# How long a scroll or click may take to bring new content before we call the list complete.
STALL_MS = 1_500
CLICK_MS = 5_000
_DOM_SIZE = "document.getElementsByTagName('*').length"
_GREW = "n => document.getElementsByTagName('*').length > n"


def chromium_available() -> bool:
    return CHROMIUM.exists() or shutil.which("chromium") is not None


def should_abort(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media cost most of a page's bytes and none of its prices."""
    return request.resource_type in BLOCKED_RESOURCES


CONDITIONAL_HEADERS = frozenset({"if-none-match", "if-modified-since"})


async def browser_headers(
    *, browser_type_name: str, playwright_request: Any, scrapy_request_data: dict
) -> dict:
    """PLAYWRIGHT_PROCESS_REQUEST_HEADERS: Scrapy's headers, without conditional validators.

    A browser has no cached copy to fall back on, so a 304 aborts the navigation; and the HTML
    shell of a JavaScript page says nothing about the data it loads, so its validators prove nothing.
    """
    from scrapy_playwright.headers import use_scrapy_headers

    headers = await use_scrapy_headers(
        browser_type_name=browser_type_name,
        playwright_request=playwright_request,
        scrapy_request_data=scrapy_request_data,
    )
    return {k: v for k, v in headers.items() if k.lower() not in CONDITIONAL_HEADERS}


@dataclass(frozen=True)
class PagePlan:
    """What to do in the page after it loaded, before its HTML is read."""

    wait_for: str | None = None
    actions: tuple[dict[str, Any], ...] = ()
    scroll: int = 0
    load_more: str | None = None
    load_more_clicks: int = 0


async def run_plan(page: Any, plan: PagePlan) -> list[str]:
    """Carry out the plan in a Playwright page; returns notes on steps that did not happen."""
    notes: list[str] = []
    if plan.wait_for:
        await _wait_for(page, plan.wait_for, notes)
    else:
        await _quiet(page)
    for action in plan.actions:
        await _act(page, action, notes)
    if plan.scroll:
        await scroll_to_bottom(page, plan.scroll)
    if plan.load_more and plan.load_more_clicks:
        await click_load_more(page, plan.load_more, plan.load_more_clicks, notes)
    return notes


async def _quiet(page: Any) -> None:
    from playwright.async_api import Error as PlaywrightError

    try:
        await page.wait_for_load_state("networkidle", timeout=IDLE_MS)
    except PlaywrightError:
        pass  # a page that keeps polling never goes idle; read what it shows now


async def _wait_for(page: Any, selector: str, notes: list[str]) -> bool:
    from playwright.async_api import Error as PlaywrightError

    try:
        await page.wait_for_selector(selector, timeout=WAIT_FOR_MS)
        return True
    except PlaywrightError:
        notes.append(f"wait_for {selector!r} did not appear within {WAIT_FOR_MS // 1000}s")
        return False


async def _act(page: Any, action: dict[str, Any], notes: list[str]) -> None:
    from playwright.async_api import Error as PlaywrightError

    try:
        if "click" in action:
            target = page.locator(action["click"]).first
            if await target.count():
                await target.click(timeout=CLICK_MS)
                await _quiet(page)
            else:
                notes.append(f"click {action['click']!r}: nothing to click")
        elif "fill" in action:
            await page.fill(action["fill"], str(action.get("value", "")), timeout=CLICK_MS)
            if action.get("submit"):
                await page.press(action["fill"], "Enter")
                await _quiet(page)
        elif "wait_for" in action:
            await _wait_for(page, action["wait_for"], notes)
        elif "scroll" in action:
            await scroll_to_bottom(page, int(action["scroll"]))
        elif "wait" in action:
            await page.wait_for_timeout(float(action["wait"]) * 1000)
    except PlaywrightError as exc:
        notes.append(f"action {action}: {str(exc).splitlines()[0][:200]}")


async def scroll_to_bottom(page: Any, times: int) -> int:
    """Scroll to the bottom up to `times` times, each time waiting for new content; stops early when
    a scroll brings nothing (the end of an infinite list). Returns the scrolls that brought content."""

    grew = 0
    for _ in range(times):
        size = await page.evaluate(_DOM_SIZE)
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        if not await _grew(page, size, STALL_MS):
            break
        grew += 1
    return grew


async def _grew(page: Any, size: int, timeout_ms: int) -> bool:
    """Whether the DOM grows past `size` elements: quickly, or once the network went quiet (a slow
    site, or a busy crawler answering the browser's requests late, must not end the list early)."""
    from playwright.async_api import Error as PlaywrightError

    try:
        await page.wait_for_function(_GREW, arg=size, timeout=timeout_ms)
        return True
    except PlaywrightError:
        await _quiet(page)
        return await page.evaluate(_DOM_SIZE) > size


async def click_load_more(page: Any, selector: str, times: int, notes: list[str]) -> int:
    """Click the "load more" button up to `times` times while it is there; returns the clicks made."""
    from playwright.async_api import Error as PlaywrightError

    clicks = 0
    for _ in range(times):
        button = page.locator(selector).first
        try:
            if not await button.count() or not await button.is_visible():
                break
            size = await page.evaluate(_DOM_SIZE)
            await button.click(timeout=CLICK_MS)
            clicks += 1
            if not await _grew(page, size, STALL_MS):
                break
        except PlaywrightError as exc:
            notes.append(f"load_more {selector!r}: {str(exc).splitlines()[0][:200]}")
            break
    return clicks


def playwright_meta(job: FetchJob, plan: PagePlan | None = None) -> dict:
    """Request meta that sends `job` through Chromium and runs its page plan there."""
    from scrapy_playwright.page import PageMethod

    if plan is None:
        plan = PagePlan(wait_for=job.wait_for, actions=tuple(getattr(job, "actions", ()) or ()))
    return {
        "playwright": True,
        "playwright_include_page": True,
        "playwright_page_methods": [PageMethod(run_plan, plan)],
    }


def plan_notes(meta: dict) -> list[str]:
    """The notes `run_plan` left on a finished browser request (empty for HTTP requests)."""
    methods = meta.get("playwright_page_methods") or []
    return [note for m in methods for note in (getattr(m, "result", None) or []) if isinstance(note, str)]
