"""From everything read for a listing watch to one observation outcome: failed, or items + changes. Pure.

"Errors are observations, never changes", for listings: any page that failed (transport error, 4xx
or 5xx, a captcha or login wall, an empty body, a page without readable cards) fails the whole
observation, since a listing with a missing page looks exactly like a listing that lost items. A
listing that says "no results" where it had items before is failed too (a search that broke, or a
category that was emptied: either way, not a reason to report every item removed). Only good
observations are compared with the last good one, through `detect_listing_changes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from models.listing import ListingSnapshot, ListingSnapshotItem
from monitor.kinds.base import Observer
from monitor.kinds.listing.changes import ListingDiffOptions, detect_listing_changes
from monitor.kinds.outcome import (
    Memory,
    Outcome,
    RowPlan,
    advance,
    begin_outcome,
    body_digest,
    retry_after_of,
)
from spiders.extract.listing import ListingItem, ListingPage, merge_listing_pages
from spiders.fetch import FetchedPage
from spiders.listing_fetch import ListingFetch
from spiders.listing_follow import empty_page_reason, page_problem


@dataclass
class ListingMemory(Memory):
    """What the detector remembers of a listing watch between observations (loaded from the store)."""

    last_items: list[ListingItem] | None = None  # None: never observed good
    options: ListingDiffOptions = field(default_factory=ListingDiffOptions)


@dataclass(frozen=True)
class ListingRead:
    """What a good crawl of a listing read: its cards, in order across pages."""

    items: list[ListingItem]
    pages_fetched: int
    stop_reason: str | None
    page_hashes: list[str]


ListingOutcome = Outcome[ListingRead]


def _where(n: int, total: int, text: str) -> str:
    return f"page {n}: {text}" if total > 1 or n > 1 else text


def snapshot_row(read: ListingRead, at: datetime) -> RowPlan:
    cards = tuple(
        {
            "position": i.position,
            "url": i.url,
            "key": i.key,
            "title": i.title,
            "price": i.price,
            "currency": i.currency,
            "sponsored": i.sponsored,
        }
        for i in read.items
    )
    return RowPlan(
        ListingSnapshot,
        {
            "observed_at": at,
            "item_count": len(read.items),
            "pages_fetched": read.pages_fetched,
            "stop_reason": read.stop_reason,
            "page_hashes": list(read.page_hashes),
        },
        children=((ListingSnapshotItem, "snapshot_id", cards),),
    )


def observe_listing(fetch: ListingFetch, memory: ListingMemory, now: datetime) -> ListingOutcome:
    pages = fetch.pages
    first: FetchedPage | None = pages[0] if pages else None
    base: ListingOutcome = begin_outcome(
        memory,
        now,
        first.url if first else fetch.url,
        http_status=first.status if first else None,
        elapsed_ms=sum(p.elapsed_ms or 0 for p in pages) or None,
        screenshot=first.screenshot if first else None,
    )
    notes = f" ({'; '.join(fetch.notes)})" if fetch.notes else ""
    if first is None:
        return replace(base, reason="nothing was fetched")
    if fetch.not_modified:
        return _not_modified(base, fetch, memory)
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
    hashes = []
    for page in pages:
        digest = body_digest(page.body)
        hashes.append(digest)
        base.bodies.setdefault(digest, (page.body, page.content_type or None))
    read = ListingRead(items, len(pages), fetch.stop, hashes)
    ok = replace(
        base,
        status="ok",
        value=read,
        content_hash=hashes[0],
        body_hash=hashes[0],
        rows=[snapshot_row(read, now)],
        etag=first.headers.get("etag"),
        last_modified=first.headers.get("last-modified"),
    )
    if memory.last_items is not None:
        ok.changes = detect_listing_changes(memory.last_items, items, memory.options)
        ok.unchanged = _same(memory.last_items, items)
    return ok


def _not_modified(base: ListingOutcome, fetch: ListingFetch, memory: ListingMemory) -> ListingOutcome:
    """A 304 to our validators: the listing is the one read last time (recorded again as such)."""
    if memory.last_items is None or memory.body_hash is None:
        return replace(base, reason="HTTP 304 but no listing was stored to compare with")
    read = ListingRead(list(memory.last_items), 1, "not_modified", [memory.body_hash])
    return replace(
        base,
        status="ok",
        unchanged=True,
        value=read,
        content_hash=memory.body_hash,
        body_hash=memory.body_hash,
        rows=[snapshot_row(read, base.fetched_at)],
        etag=fetch.job.etag,
        last_modified=fetch.job.last_modified,
    )


def _failed(base: ListingOutcome, page: FetchedPage, reason: str) -> ListingOutcome:
    failed = replace(base, reason=reason, http_status=page.status, retry_after_s=retry_after_of(page))
    # Keep what the site showed instead (a captcha, an error page) for the user to look at.
    failed.keep_body(page.body, page.content_type or None)
    return failed


def _same(old: list[ListingItem], new: list[ListingItem]) -> bool:
    def shape(items: list[ListingItem]) -> list[tuple[Any, ...]]:
        return [(i.key, i.price, i.currency, i.title, i.sponsored) for i in items]

    return shape(old) == shape(new)


def remember_listing(memory: ListingMemory, outcome: Outcome[Any]) -> None:
    """Advance the memory after an outcome, so a second observation in one crawl compares right."""
    advance(memory, outcome)
    if outcome.ok and isinstance(outcome.value, ListingRead):
        memory.last_items = list(outcome.value.items)


# One listing crawl is one observation of many cards: written as it ends.
OBSERVER: Observer[ListingFetch, ListingMemory] = Observer(
    ListingFetch, observe_listing, remember_listing, batch_size=1
)
