"""From everything read for a listing watch to one observation outcome: failed, or items + changes. Pure.

"Errors are observations, never changes", for listings: any page that failed (transport error, 4xx
or 5xx, a captcha or login wall, an empty body, a page without readable cards) fails the whole
observation, since a listing with a missing page looks exactly like a listing that lost items. A
listing that says "no results" where it had items before is failed too (a search that broke, or a
category that was emptied: either way, not a reason to report every item removed). Only good
observations are compared with the last good one, through `detect_listing_changes`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from monitor.changes.listing import ListingDiffOptions, detect_listing_changes
from monitor.changes.record import DetectedChange
from spiders.extract.listing import ListingItem, ListingPage, merge_listing_pages
from spiders.fetch import FetchedPage
from spiders.listing_fetch import ListingFetch
from spiders.listing_follow import empty_page_reason, page_problem

KEEP_FAILED_BODY_BYTES = 1_000_000


@dataclass
class ListingMemory:
    """What the detector remembers of a listing watch between observations (loaded from the store)."""

    watch_id: int
    label: str
    last_items: list[ListingItem] | None = None  # None: never observed good
    consecutive_failures: int = 0
    options: ListingDiffOptions = field(default_factory=ListingDiffOptions)


@dataclass
class ListingOutcome:
    """One observation of a listing watch (the attributes the runner and the CLI read match `Outcome`)."""

    watch_id: int
    fetched_at: datetime
    status: str  # ok | failed
    url: str
    http_status: int | None = None
    elapsed_ms: float | None = None
    reason: str | None = None
    unchanged: bool = False
    changes: list[DetectedChange] = field(default_factory=list)
    items: list[ListingItem] | None = None
    pages_fetched: int = 0
    stop_reason: str | None = None
    page_hashes: list[str] = field(default_factory=list)
    # Bodies to store once by hash: {hash: (bytes, content type)}; `content_hash` is the one the
    # observation points at (page 1 when good, the page that failed otherwise).
    bodies: dict[str, tuple[bytes, str | None]] = field(default_factory=dict)
    content_hash: str | None = None
    screenshot: bytes | None = None
    gone_hit: bool = False


def _hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _where(n: int, total: int, text: str) -> str:
    return f"page {n}: {text}" if total > 1 or n > 1 else text


def observe_listing(fetch: ListingFetch, memory: ListingMemory, now: datetime) -> ListingOutcome:
    pages = fetch.pages
    first: FetchedPage | None = pages[0] if pages else None
    base = ListingOutcome(
        watch_id=memory.watch_id,
        fetched_at=now,
        status="failed",
        url=first.url if first else fetch.url,
        http_status=first.status if first else None,
        elapsed_ms=sum(p.elapsed_ms or 0 for p in pages) or None,
        pages_fetched=len(pages),
        stop_reason=fetch.stop,
        screenshot=first.screenshot if first else None,
    )
    notes = f" ({'; '.join(fetch.notes)})" if fetch.notes else ""
    if not pages:
        base.reason = "nothing was fetched"
        return base
    for n, page in enumerate(pages, 1):
        problem = page_problem(page)
        if problem is not None:
            return _failed(base, page, _where(n, len(pages), problem) + notes)
    last_parsed: ListingPage | None = fetch.parsed[-1] if fetch.parsed else None
    if last_parsed is not None and not last_parsed.items and last_parsed.reason != "no_results":
        page = pages[len(fetch.parsed) - 1]
        return _failed(
            base, page, _where(len(fetch.parsed), len(pages), empty_page_reason(page, last_parsed)) + notes
        )
    items = merge_listing_pages(fetch.parsed)
    if not items:
        had = len(memory.last_items or [])
        if had:
            return _failed(base, first, f"the listing shows no results (it had {had} items before){notes}")
        if not (fetch.parsed and fetch.parsed[0].reason == "no_results"):
            return _failed(base, first, "no product cards found on the page" + notes)
    for page in pages:
        h = _hash(page.body)
        base.page_hashes.append(h)
        base.bodies.setdefault(h, (page.body, page.content_type or None))
    base.content_hash = base.page_hashes[0]
    base.status, base.items = "ok", items
    if memory.last_items is not None:
        base.changes = detect_listing_changes(memory.last_items, items, memory.options)
        base.unchanged = _same(memory.last_items, items)
    return base


def _failed(base: ListingOutcome, page: FetchedPage, reason: str) -> ListingOutcome:
    base.reason = reason
    base.http_status = page.status
    body = page.body or b""
    if body and len(body) <= KEEP_FAILED_BODY_BYTES:
        # Keep what the site showed instead (a captcha, an error page) for the user to look at.
        h = _hash(body)
        base.bodies[h] = (body, page.content_type or None)
        base.content_hash = h
    return base


def _same(old: list[ListingItem], new: list[ListingItem]) -> bool:
    def shape(items: list[ListingItem]) -> list[tuple]:
        return [(i.key, i.price, i.currency, i.title, i.sponsored) for i in items]

    return shape(old) == shape(new)


def remember_listing(memory: ListingMemory, outcome: ListingOutcome) -> None:
    """Advance the memory after an outcome, so a second observation in one crawl compares right."""
    if outcome.status == "ok":
        memory.consecutive_failures = 0
        memory.last_items = list(outcome.items or [])
    else:
        memory.consecutive_failures += 1
