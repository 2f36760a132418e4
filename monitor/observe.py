"""From a fetched page to an observation outcome: classify, extract, detect changes. Pure.

This is where "errors are observations, never changes" is enforced: a transport error, an HTTP error,
a challenge page or a page where the price vanished is a failed outcome with a reason, and only good
outcomes are compared with the last good state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from monitor.changes.product import ProductSnapshot, detect_product_changes, gone_change, returned_change
from monitor.changes.record import DetectedChange
from spiders.extract.blocked import block_reason_from_title, block_reason_when_empty
from spiders.fetch import FetchedPage

GONE_STATUSES = frozenset({404, 410})
HTML_TYPES = ("text/html", "application/xhtml", "text/plain")
KEEP_FAILED_BODY_BYTES = 1_000_000


@dataclass
class WatchMemory:
    """What the detector must remember about a watch between observations (loaded from the store)."""

    watch_id: int
    label: str
    selectors: dict[str, str] = field(default_factory=dict)
    last: ProductSnapshot | None = None
    last_priced: ProductSnapshot | None = None
    body_hash: str | None = None
    consecutive_gone: int = 0
    consecutive_failures: int = 0
    gone_reported: bool = False


@dataclass
class Outcome:
    watch_id: int
    fetched_at: datetime
    status: str  # ok | failed ("extract" only between precheck and conclude)
    url: str
    http_status: int | None = None
    elapsed_ms: float | None = None
    reason: str | None = None
    body: bytes | None = None  # to store (new distinct content only matters to the writer)
    body_hash: str | None = None
    content_type: str | None = None
    unchanged: bool = False
    snapshot: ProductSnapshot | None = None
    changes: list[DetectedChange] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    screenshot: bytes | None = None
    gone_hit: bool = False


Extractor = Callable[..., object]


def _snapshot(record: object) -> ProductSnapshot:
    return ProductSnapshot(
        price=getattr(record, "price", None),
        currency=getattr(record, "currency", None),
        availability=getattr(record, "availability", None),
        name=getattr(record, "name", None),
        sku=getattr(record, "sku", None),
        brand=getattr(record, "brand", None),
        sources=dict(getattr(record, "sources", {}) or {}),
    )


def precheck(page: FetchedPage, memory: WatchMemory, now: datetime, gone_after: int) -> Outcome:
    """Everything decided without extraction. Returns a final outcome, or one with status 'extract'."""
    base = Outcome(
        watch_id=memory.watch_id,
        fetched_at=now,
        status="failed",
        url=page.url,
        http_status=page.status,
        elapsed_ms=page.elapsed_ms,
        content_type=page.content_type or None,
        screenshot=page.screenshot,
    )
    if page.error:
        return replace(base, reason=page.error)
    status = page.status or 0
    if status == 304:
        # The server says nothing changed since our validators: the last good state still holds.
        return replace(
            base,
            status="ok",
            unchanged=True,
            body_hash=memory.body_hash,
            reason=None,
            etag=page.job.etag,
            last_modified=page.job.last_modified,
        )
    body = page.body or b""
    body_hash = hashlib.sha256(body).hexdigest()
    kept_body = body if len(body) <= KEEP_FAILED_BODY_BYTES else None
    if status in GONE_STATUSES:
        hits = memory.consecutive_gone + 1
        outcome = replace(base, reason=f"HTTP {status}: page not found ({hits} in a row)", gone_hit=True)
        if hits >= gone_after and not memory.gone_reported and memory.last is not None:
            outcome.changes = [gone_change(memory.label, status, hits)]
        return outcome
    if status >= 400:
        return replace(base, reason=f"HTTP {status}", body=kept_body, body_hash=body_hash)
    if not body.strip():
        return replace(base, reason="empty page (200 with no content)")
    ctype = (page.content_type or "").split(";")[0].strip().lower()
    if ctype and not ctype.startswith(HTML_TYPES):
        return replace(base, reason=f"not an HTML page ({ctype})")
    etag = page.headers.get("etag")
    last_modified = page.headers.get("last-modified")
    if body_hash == memory.body_hash and memory.last is not None and not memory.gone_reported:
        # Same bytes as the last good page: extraction would give the same record.
        return replace(
            base, status="ok", unchanged=True, body_hash=body_hash, etag=etag, last_modified=last_modified
        )
    blocked = block_reason_from_title(body)
    if blocked:
        return replace(base, reason=blocked, body=kept_body, body_hash=body_hash)
    return replace(
        base, status="extract", body=body, body_hash=body_hash, etag=etag, last_modified=last_modified
    )


def conclude(
    pending: Outcome, memory: WatchMemory, record: object | None, error: BaseException | None
) -> Outcome:
    """Finish an outcome from the extractor's record (or its exception): failure, or state + changes."""
    body = pending.body or b""
    kept_body = body if len(body) <= KEEP_FAILED_BODY_BYTES else None
    failed = replace(pending, status="failed", body=kept_body, etag=None, last_modified=None)
    if error is not None:
        detail = str(error) if type(error).__name__ == "ExtractionFailed" else f"{type(error).__name__}: {error}"
        return replace(failed, reason=f"extractor error: {detail}")
    snap = _snapshot(record)
    if snap.price is None and snap.availability is None:
        reason = (
            block_reason_when_empty(body)
            or getattr(record, "reason", None)
            or "no price or stock state found on the page"
        )
        if memory.last_priced is not None and not reason.startswith("blocked"):
            reason = f"no price found (was {memory.last_priced.price} before); page layout changed?"
        return replace(failed, reason=reason)
    if snap.price is None and snap.availability == "InStock" and memory.last_priced is not None:
        return replace(failed, reason=f"no price found on an in-stock page (was {memory.last_priced.price})")
    changes = detect_product_changes(memory.last, snap, memory.label, memory.last_priced)
    if memory.gone_reported:
        changes.insert(0, returned_change(memory.label))
    return replace(pending, status="ok", snapshot=snap, changes=changes)


def observe(
    page: FetchedPage, memory: WatchMemory, now: datetime, gone_after: int, extract: Extractor
) -> Outcome:
    """precheck -> extract -> conclude, in this thread (the sink may run the extraction elsewhere)."""
    pending = precheck(page, memory, now, gone_after)
    if pending.status != "extract":
        return pending
    try:
        record = extract(
            pending.body, page.url, selectors=memory.selectors or None, content_type=page.content_type
        )
    except Exception as exc:  # noqa: BLE001  (an extractor bug must not stop the crawl)
        return conclude(pending, memory, None, exc)
    return conclude(pending, memory, record, None)


def remember(memory: WatchMemory, outcome: Outcome) -> None:
    """Advance the memory after an outcome is stored, so the next page of the same crawl sees it."""
    if outcome.status == "ok":
        memory.consecutive_failures = 0
        memory.consecutive_gone = 0
        memory.gone_reported = False
        if outcome.body_hash:
            memory.body_hash = outcome.body_hash
        if outcome.snapshot is not None:
            memory.last = outcome.snapshot
            if outcome.snapshot.price is not None:
                memory.last_priced = outcome.snapshot
        return
    memory.consecutive_failures += 1
    if outcome.gone_hit:
        memory.consecutive_gone += 1
        if any(c.kind == "product_gone" for c in outcome.changes):
            memory.gone_reported = True
    else:
        memory.consecutive_gone = 0
