"""From a fetched page to a page-content observation: classify, filter to text, compare. Pure.

Errors are observations, never changes: a transport error, an HTTP error, an empty body, a challenge
page, a filter that matches nothing, or a login wall where the content used to be is a failed
outcome with its reason, and the last good text stays the one the next check is compared with.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from monitor.changes.page import detect_page_changes, diff_text
from monitor.changes.record import DetectedChange
from spiders.extract.blocked import block_reason_from_title, block_reason_when_empty
from spiders.extract.page import FilterError, PageFilter, render_text
from spiders.fetch import FetchedPage

HTML_TYPES = ("text/html", "application/xhtml")
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/ld+json", "application/rss")
# A login wall replaces the content: when less than this share of the old lines survive, it is one.
LOGIN_WALL_KEPT = 0.2
LOGIN_WALL_MAX_WORDS = 80
_WORDS = re.compile(r"\w+")


@dataclass
class PageMemory:
    """What the detector remembers about a page watch between checks (loaded from the store)."""

    watch_id: int
    label: str
    page_filter: PageFilter
    last_text: str | None = None
    last_text_hash: str | None = None
    last_filter_key: str | None = None
    body_hash: str | None = None
    consecutive_failures: int = 0


@dataclass
class PageOutcome:
    watch_id: int
    fetched_at: datetime
    status: str  # ok | failed
    url: str
    http_status: int | None = None
    elapsed_ms: float | None = None
    reason: str | None = None
    body: bytes | None = None
    body_hash: str | None = None
    content_type: str | None = None
    unchanged: bool = False
    text: str | None = None  # the filtered text (None when failed or unchanged)
    text_hash: str | None = None
    filter_key: str | None = None
    previous_text: str | None = None
    previous_text_hash: str | None = None
    changes: list[DetectedChange] = field(default_factory=list)
    unified_diff: str = ""
    etag: str | None = None
    last_modified: str | None = None
    screenshot: bytes | None = None


def filter_key(page_filter: PageFilter) -> str:
    """A fingerprint of what shapes the stored text (css, xpath, regex, remove): ignore rules and
    triggers only shape the comparison, so editing them needs no new baseline."""
    data = [page_filter.css, page_filter.xpath, page_filter.regex, list(page_filter.remove)]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:32]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def unified_diff(old: str, new: str) -> str:
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", lineterm="", n=2)
    return "\n".join(lines)


def _login_wall(body: bytes, old: str | None, new: str, page_filter: PageFilter) -> str | None:
    """A page asking for a password where the watched content was: the content did not change, we
    were shown a different page."""
    reason = block_reason_when_empty(body)
    if reason is None:
        return None
    if old is None:
        return reason if len(_WORDS.findall(new)) <= LOGIN_WALL_MAX_WORDS else None
    before = [line for line in old.splitlines() if line.strip()]
    if not before:
        return None
    diff = diff_text(old, new, page_filter.ignore)
    kept = 1 - min(len(diff.removed_lines), len(before)) / len(before)
    return reason if kept < LOGIN_WALL_KEPT else None


def observe_page(page: FetchedPage, memory: PageMemory, now: datetime) -> PageOutcome:
    """One check of a page-content watch: a failure with its reason, or the text and its changes."""
    base = PageOutcome(
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
    key = filter_key(memory.page_filter)
    if status == 304 and memory.last_text is not None and memory.last_filter_key == key:
        same = {"text_hash": memory.last_text_hash, "filter_key": key}
        return replace(base, status="ok", unchanged=True, body_hash=memory.body_hash, **same)
    body = page.body or b""
    body_hash = hashlib.sha256(body).hexdigest()
    if status in (404, 410):
        return replace(base, reason=f"HTTP {status}: page not found")
    if status >= 400 or status == 304:
        return replace(
            base, reason=f"HTTP {status}", body=body or None, body_hash=body_hash if body else None
        )
    if not body.strip():
        return replace(base, reason="empty page (200 with no content)")
    ctype = (page.content_type or "").split(";")[0].strip().lower()
    if ctype and not ctype.startswith(HTML_TYPES + TEXT_TYPES):
        return replace(base, reason=f"not a text page ({ctype})")
    validators = {"etag": page.headers.get("etag"), "last_modified": page.headers.get("last-modified")}
    if body_hash == memory.body_hash and memory.last_text is not None and memory.last_filter_key == key:
        same = {"text_hash": memory.last_text_hash, "filter_key": key}
        return replace(base, status="ok", unchanged=True, body_hash=body_hash, **same, **validators)
    kept = replace(base, body=body, body_hash=body_hash)
    blocked = block_reason_from_title(body)
    if blocked:
        return replace(kept, reason=blocked)
    try:
        text = render_text(body, page.url, page.content_type, memory.page_filter)
    except FilterError as exc:
        return replace(kept, reason=f"filter error: {exc}")
    except Exception as exc:  # noqa: BLE001 - a parser bug on one page must not stop the crawl
        return replace(kept, reason=f"could not read the page: {type(exc).__name__}: {exc}")
    if not text.strip():
        f = memory.page_filter
        what = ", ".join(
            f"{k} {v!r}" for k, v in (("css", f.css), ("xpath", f.xpath), ("regex", f.regex)) if v
        )
        reason = block_reason_when_empty(body) or (
            f"the filter matched nothing on the page ({what})" if what else "the page has no text"
        )
        return replace(kept, reason=reason)
    old = memory.last_text if memory.last_filter_key == key else None
    wall = _login_wall(body, old, text, memory.page_filter)
    if wall:
        return replace(kept, reason=wall)
    ok = replace(kept, status="ok", text=text, text_hash=text_hash(text), filter_key=key, **validators)
    if old is None:
        return ok  # first text, or the filters changed: a new baseline, not a change
    ok.previous_text, ok.previous_text_hash = old, memory.last_text_hash
    ok.changes = detect_page_changes(old, text, memory.page_filter)
    if any(c.kind == "content_changed" for c in ok.changes):
        ok.unified_diff = unified_diff(old, text)
    return ok


def remember_page(memory: PageMemory, outcome: PageOutcome) -> None:
    """Advance the memory once an outcome is stored (the next check compares with this one)."""
    if outcome.status != "ok":
        memory.consecutive_failures += 1
        return
    memory.consecutive_failures = 0
    if outcome.body_hash:
        memory.body_hash = outcome.body_hash
    if outcome.text is not None:
        memory.last_text, memory.last_text_hash = outcome.text, outcome.text_hash
        memory.last_filter_key = outcome.filter_key
