"""From a fetched product page to an outcome: classify, extract, detect changes. Pure.

This is where "errors are observations, never changes" is enforced for products: a transport error,
an HTTP error, a challenge page or a page where the price vanished is a failed outcome with a
reason, and only good outcomes are compared with the last good state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from models import ProductState
from monitor.kinds.base import Extraction, Observer
from monitor.kinds.outcome import Memory, Outcome, RowPlan, advance, body_digest, page_outcome, unreadable
from monitor.kinds.product.changes import (
    ProductSnapshot,
    detect_product_changes,
    gone_change,
    returned_change,
)
from spiders.extract.blocked import (
    block_reason_when_empty,
    home_redirect_reason,
    not_the_page_reason,
    unreadable_reason,
)
from spiders.extract.product_identifiers import read_identifiers
from spiders.fetch import FetchedPage

GONE_STATUSES = frozenset({404, 410})
HTML_TYPES = ("text/html", "application/xhtml", "text/plain")


@dataclass
class ProductMemory(Memory):
    """What the detector must remember about a product watch between observations."""

    selectors: dict[str, str] = field(default_factory=dict)
    last: ProductSnapshot | None = None
    last_priced: ProductSnapshot | None = None
    gone_after: int = 3
    gone_reported: bool = False


ProductOutcome = Outcome[ProductSnapshot]


def snapshot_of(record: object, body: bytes = b"") -> ProductSnapshot:
    """The comparable state of an extractor's record (spiders.extract.product.ProductRecord), with
    the identifiers the catalogue matches on: the record's own (the extractor read them from the
    JSON-LD it had parsed), else, for a record of another extractor, read from `body`."""
    sku, name, brand = (
        getattr(record, "sku", None),
        getattr(record, "name", None),
        getattr(record, "brand", None),
    )
    if hasattr(record, "identifiers"):
        ids = getattr(record, "identifiers", None)
    else:
        ids = read_identifiers(body, sku, name, brand=brand) if body else None
    return ProductSnapshot(
        price=getattr(record, "price", None),
        currency=getattr(record, "currency", None),
        availability=getattr(record, "availability", None),
        name=name,
        sku=sku,
        brand=ids.brand if ids else brand,
        sources=dict(getattr(record, "sources", {}) or {}),
        gtin=ids.gtin if ids else None,
        mpn=ids.mpn if ids else None,
        shipping=ids.shipping if ids else None,
        shipping_currency=ids.shipping_currency if ids else None,
    )


def state_row(snapshot: ProductSnapshot, at: datetime) -> RowPlan:
    return RowPlan(
        ProductState,
        {
            "observed_at": at,
            "price": snapshot.price,
            "currency": snapshot.currency,
            "availability": snapshot.availability,
            "name": snapshot.name,
            "sku": snapshot.sku,
            "brand": snapshot.brand,
            "sources": snapshot.sources,
            "gtin": snapshot.gtin,
            "mpn": snapshot.mpn,
            "shipping": snapshot.shipping,
            "shipping_currency": snapshot.shipping_currency,
        },
    )


def precheck(page: FetchedPage, memory: ProductMemory, now: datetime) -> ProductOutcome | Extraction:
    """Everything decided without extraction: a final outcome, or the extraction still to run."""
    base = page_outcome(page, memory, now)
    ctype = page.content_type or None
    if page.error:
        return base
    status = page.status or 0
    if status == 304 and memory.last is not None:
        # The server says nothing changed since our validators: the last good state still holds.
        same = replace(
            base,
            status="ok",
            unchanged=not memory.gone_reported,
            body_hash=memory.body_hash,
            content_hash=memory.body_hash,
            etag=page.job.etag,
            last_modified=page.job.last_modified,
            value=memory.last,
        )
        if memory.gone_reported:  # the page is back as it was before it went
            same.value, same.rows = memory.last, [state_row(memory.last, now)]
            same.changes = [returned_change(memory.label)]
        return same
    body = page.body or b""
    if status in GONE_STATUSES:
        hits = memory.consecutive_gone + 1
        outcome = replace(base, reason=f"HTTP {status}: page not found ({hits} in a row)", gone_hit=True)
        if hits >= memory.gone_after and not memory.gone_reported and memory.last is not None:
            outcome.changes = [gone_change(memory.label, status, hits)]
        return outcome
    failed = unreadable(base, status, body, ctype, HTML_TYPES, "an HTML")
    if failed is not None:
        return failed
    digest = body_digest(body)
    validators = {"etag": page.headers.get("etag"), "last_modified": page.headers.get("last-modified")}
    if digest == memory.body_hash and memory.last is not None:
        # Same bytes as the last good page: extraction would give the same record.
        same = replace(
            base,
            status="ok",
            unchanged=True,
            value=memory.last,
            body_hash=digest,
            content_hash=digest,
            **validators,
        )
        if memory.gone_reported:  # the page is back, byte for byte as it was before it went
            same.unchanged, same.value, same.rows = False, memory.last, [state_row(memory.last, now)]
            same.changes = [returned_change(memory.label)]
        return same
    blocked = home_redirect_reason(page.job.url, page.url) or not_the_page_reason(body)
    if blocked:
        failed = replace(base, reason=blocked)
        failed.keep_body(body, ctype)
        return failed
    pending = replace(base, body_hash=digest, **validators)
    return Extraction(pending, body, page.url, memory.selectors or None, page.content_type)


def conclude(
    extraction: Extraction, memory: ProductMemory, record: object | None, error: BaseException | None
) -> ProductOutcome:
    """Finish an outcome from the extractor's record (or its exception): failure, or state + changes."""
    pending: ProductOutcome = extraction.pending
    body, ctype = extraction.body, extraction.content_type or None
    digest = pending.body_hash  # the body's, from precheck: hashed once
    failed = replace(pending, status="failed", etag=None, last_modified=None, body_hash=None)
    failed.keep_body(body, ctype, digest=digest)
    if error is not None:
        detail = (
            str(error) if type(error).__name__ == "ExtractionFailed" else f"{type(error).__name__}: {error}"
        )
        return replace(failed, reason=f"extractor error: {detail}")
    snap = snapshot_of(record, body)
    if snap.price is None and snap.availability is None:
        specific = block_reason_when_empty(body) or unreadable_reason(body)
        reason = specific or getattr(record, "reason", None) or "no price or stock state found on the page"
        if memory.last_priced is not None and not specific:
            reason = (
                f"no price found (was {price_text(memory.last_priced.price)} before); page layout changed?"
            )
        return replace(failed, reason=reason)
    if snap.price is None and snap.availability == "InStock" and memory.last_priced is not None:
        return replace(
            failed, reason=f"no price found on an in-stock page (was {price_text(memory.last_priced.price)})"
        )
    suspect = suspect_reason(memory.last_priced, snap)
    if suspect:
        return replace(failed, reason=suspect)
    changes = detect_product_changes(memory.last, snap, memory.label, memory.last_priced)
    if memory.gone_reported:
        changes.insert(0, returned_change(memory.label))
    ok = replace(
        pending, status="ok", value=snap, changes=changes, rows=[state_row(snap, pending.fetched_at)]
    )
    ok.keep_body(body, ctype, limit=len(body), digest=digest)  # a good page is always kept
    return ok


def price_text(price: Decimal | None) -> str:
    """A price as people write it: 210.49, not the store's 210.490000 (more places only when it has them)."""
    if price is None:
        return "no price"
    exact = price.normalize()
    exponent = exact.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return f"{exact:f}"
    return f"{price.quantize(Decimal('0.01')):f}"


STRUCTURED = frozenset({"selector", "json-ld", "microdata", "rdfa", "opengraph", "meta", "shop-json"})


def _same_name(a: str, b: str) -> bool:
    words = lambda s: set(re.findall(r"\w+", s.lower()))  # noqa: E731
    x, y = words(a), words(b)
    return bool(x and y) and len(x & y) / min(len(x), len(y)) >= 0.5


def suspect_reason(last: ProductSnapshot | None, snap: ProductSnapshot) -> str | None:
    """A watch whose price came from the page's structured data (or its selector) that now only has
    a guess from the page's text, under another product's name, is most likely looking at another
    page (a grid of recommendations, a category): not a price change."""
    if last is None or snap.price is None:
        return None
    was, now = last.sources.get("price"), snap.sources.get("price")
    if was not in STRUCTURED or now in STRUCTURED:
        return None
    if last.name and snap.name and not _same_name(last.name, snap.name):
        return (
            f"suspect page: the price was in the page's data before, now only a guess from its text "
            f"under another name ({snap.name[:60]!r}, was {last.name[:60]!r})"
        )
    return None


def observe(page: FetchedPage, memory: ProductMemory, now: datetime, extract: Any) -> ProductOutcome:
    """precheck -> extract -> conclude, in this thread (the sink may run the extraction elsewhere)."""
    step = precheck(page, memory, now)
    if not isinstance(step, Extraction):
        return step
    try:
        record = extract(step.body, step.url, selectors=step.selectors, content_type=step.content_type)
    except Exception as exc:  # noqa: BLE001  (an extractor bug must not stop the crawl)
        return conclude(step, memory, None, exc)
    return conclude(step, memory, record, None)


def remember(memory: ProductMemory, outcome: ProductOutcome) -> None:
    """Advance the memory after an outcome, so the next page of the same crawl sees it."""
    advance(memory, outcome)
    if outcome.ok:
        memory.gone_reported = False
        if outcome.value is not None:
            memory.last = outcome.value
            if outcome.value.price is not None:
                memory.last_priced = outcome.value
    elif any(c.kind == "product_gone" for c in outcome.changes):
        memory.gone_reported = True


OBSERVER: Observer[FetchedPage, ProductMemory] = Observer(
    FetchedPage, precheck, remember, conclude=conclude, batch_size=200
)
