"""What every kind's pure functions return for one check, and what every kind remembers between checks.

A kind turns what the crawler handed over (a page, a listing's pages, a site crawl, a keyword's
result pages) into one `Outcome`: failed with its reason, or good with the kind's value, its
changes against the last good state, and the rows the kind keeps (as plain `RowPlan` data). The one
store writer (`monitor.crawl.writer`) writes every outcome the same way: the bodies once per
content, the observation, the changes, the kind's rows, and the watch's next run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from models.base import Base
from monitor.changes.record import DetectedChange
from spiders.extract.retry_after import LATER, retry_after_seconds
from spiders.fetch import FetchedPage

V = TypeVar("V")
KEEP_FAILED_BODY_BYTES = 1_000_000  # what a site showed instead (a captcha, an error page), for the user


@dataclass
class Memory:
    """What every kind remembers of a watch between checks (the kinds add their last good state)."""

    watch_id: int
    label: str
    interval_s: float
    retry_first_s: float = 300.0  # a failing watch is tried again after this, doubling per failure
    consecutive_failures: int = 0
    consecutive_gone: int = 0
    body_hash: str | None = None  # the last good body: the same bytes again need no extraction


@dataclass(frozen=True)
class RowPlan:
    """One row of a kind's own table, as data; the writer adds `observation_id` when the table has one.

    `children` are rows of other tables that point at this one through `fk` (a listing snapshot's
    cards, a rank check's results); `change_refs` maps a column to the index of one of the
    outcome's changes, whose stored id it takes (a page diff's `change_id`).
    """

    model: type[Base]
    values: dict[str, Any]
    children: tuple[tuple[type[Base], str, tuple[dict[str, Any], ...]], ...] = ()
    change_refs: tuple[tuple[str, int], ...] = ()


@dataclass
class Outcome(Generic[V]):
    """One check of one watch. `status` is ok or failed; a failed outcome never has changes."""

    watch_id: int
    fetched_at: datetime
    status: str
    url: str
    http_status: int | None = None
    elapsed_ms: float | None = None
    reason: str | None = None
    unchanged: bool = False  # the same content as last time (304, or the same bytes)
    value: V | None = None  # what the kind read: a product snapshot, listing cards, a text, ranks
    changes: list[DetectedChange] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    # Bytes to store once by hash ({hash: (bytes, content type)}); `content_hash` is the one the
    # observation points at (the page read, or what the site showed instead).
    bodies: dict[str, tuple[bytes, str | None]] = field(default_factory=dict)
    content_hash: str | None = None
    screenshot: bytes | None = None
    body_hash: str | None = None  # the good body's hash, for the same-bytes shortcut next time
    etag: str | None = None  # validators of the good body, for conditional requests next time
    last_modified: str | None = None
    gone_hit: bool = False  # a 404/410: counted, not retried sooner
    retry_after_s: float | None = None  # the server asked us to come back later

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def keep_body(
        self,
        body: bytes | None,
        content_type: str | None,
        limit: int = KEEP_FAILED_BODY_BYTES,
        digest: str | None = None,
    ) -> None:
        """Store `body` with the observation (within `limit`) and point the observation at it;
        `digest`: the body's `body_digest`, when the caller has it already."""
        if body and len(body) <= limit:
            digest = digest or body_digest(body)
            self.bodies[digest] = (body, content_type)
            self.content_hash = digest


def begin_outcome(memory: Memory, now: datetime, url: str, **fields: Any) -> Outcome[Any]:
    """A check's outcome as it begins: failed, until the kind gives the reason or makes it good (so an
    outcome nobody finished is never taken for a good check)."""
    return Outcome(memory.watch_id, now, "failed", url, **fields)


def page_outcome(page: FetchedPage, memory: Memory, now: datetime) -> Outcome[Any]:
    """A failed outcome for one fetched page, to be completed (with a reason, or made good)."""
    return begin_outcome(
        memory,
        now,
        page.url,
        http_status=page.status,
        elapsed_ms=page.elapsed_ms,
        screenshot=page.screenshot,
        reason=page.error,
        retry_after_s=retry_after_of(page),
    )


def unreadable(
    base: Outcome[Any], status: int, body: bytes, content_type: str | None, reads: tuple[str, ...], what: str
) -> Outcome[Any] | None:
    """The failed outcome of a response a kind cannot read, or None: an HTTP error or an unexpected
    304 (its body kept, to see what the site said), no body, or a content type not in `reads`."""
    if status >= 400 or status == 304:
        failed = replace(base, reason=f"HTTP {status}")
        failed.keep_body(body, content_type)
        return failed
    if not body.strip():
        return replace(base, reason="empty page (200 with no content)")
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind and not kind.startswith(reads):
        return replace(base, reason=f"not {what} page ({kind})")
    return None


def retry_after_of(page: FetchedPage) -> float | None:
    """The seconds a 429 or 503 asked us to wait (`Retry-After`), for the watch's next run."""
    if page.status not in LATER:
        return None
    return retry_after_seconds(page.headers.get("retry-after") or page.headers.get("Retry-After"))


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def advance(memory: Memory, outcome: Outcome[Any]) -> None:
    """The counters every kind keeps, after an outcome (the kind then advances its own state)."""
    if outcome.ok:
        memory.consecutive_failures = 0
        memory.consecutive_gone = 0
        if outcome.body_hash:
            memory.body_hash = outcome.body_hash
        return
    memory.consecutive_failures += 1
    memory.consecutive_gone = memory.consecutive_gone + 1 if outcome.gone_hit else 0
