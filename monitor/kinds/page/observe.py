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
from typing import Any

from models import PageDiff, PageText
from monitor.changes.record import DetectedChange
from monitor.kinds.base import Observer
from monitor.kinds.outcome import Memory, Outcome, RowPlan, advance, body_digest, page_outcome, unreadable
from monitor.kinds.page.changes import detect_page_changes, diff_text
from spiders.extract.blocked import block_reason_from_title, block_reason_when_empty
from spiders.extract.page import render_text
from spiders.extract.page_filter import FilterError, PageFilter, UnreadablePage
from spiders.fetch import FetchedPage

HTML_TYPES = ("text/html", "application/xhtml")
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/ld+json", "application/rss")
# A login wall replaces the content: when less than this share of the old lines survive, it is one.
LOGIN_WALL_KEPT = 0.2
LOGIN_WALL_MAX_WORDS = 80
_WORDS = re.compile(r"\w+")


@dataclass
class PageMemory(Memory):
    """What the detector remembers about a page watch between checks (loaded from the store)."""

    page_filter: PageFilter = field(default_factory=PageFilter)
    last_text: str | None = None
    last_text_hash: str | None = None
    last_filter_key: str | None = None


@dataclass(frozen=True)
class PageRead:
    """The watch's text of one good check (`text` None: the same as last time)."""

    text_hash: str
    filter_key: str
    text: str | None = None
    lines: int = 0
    diff: str = ""  # the unified diff against the last text, when the content changed


PageOutcome = Outcome[PageRead]


def text_rows(
    read: PageRead, at: datetime, previous_hash: str | None = None, change: DetectedChange | None = None
) -> list[RowPlan]:
    """The text row of a good check and, with a content change (the outcome's first change), its diff."""
    text = RowPlan(
        PageText, {"observed_at": at, "text_hash": read.text_hash, "lines": read.lines, "filter_key": read.filter_key}
    )
    if change is None:
        return [text]
    stored_diff = RowPlan(
        PageDiff,
        {
            "observed_at": at,
            "old_text_hash": previous_hash,
            "new_text_hash": read.text_hash,
            "added_lines": list(change.details.get("added_lines", [])),
            "removed_lines": list(change.details.get("removed_lines", [])),
            "unified": read.diff,
        },
        change_refs=(("change_id", 0),),
    )
    return [text, stored_diff]


def filter_key(page_filter: PageFilter) -> str:
    """A fingerprint of what shapes the stored text (selection, removal, shaping): ignore rules and
    triggers only shape the comparison, so editing them needs no new baseline. A filter without
    shaping options keeps the fingerprint it had before those options existed."""
    f = page_filter
    data: list[object] = [f.css, f.xpath, f.regex, list(f.remove)]
    shaping = [f.json, f.jq, f.skip, f.maxitems, f.sort, [list(pair) for pair in f.re_sub]]
    if any(shaping):
        data.append(shaping)
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
    base = page_outcome(page, memory, now)
    ctype = page.content_type or None
    if page.error:
        return base
    status = page.status or 0
    key = filter_key(memory.page_filter)
    same_filter = memory.last_text is not None and memory.last_filter_key == key and memory.last_text_hash
    if status == 304 and same_filter:
        return replace(
            base,
            status="ok",
            unchanged=True,
            value=PageRead(memory.last_text_hash or "", key, lines=_lines(memory.last_text)),
            rows=text_rows(
                PageRead(memory.last_text_hash or "", key, lines=_lines(memory.last_text)), now, None, None
            ),
            body_hash=memory.body_hash,
            content_hash=memory.body_hash,
            etag=page.job.etag,
            last_modified=page.job.last_modified,
        )
    body = page.body or b""
    if status in (404, 410):
        return replace(base, reason=f"HTTP {status}: page not found")
    failed = unreadable(base, status, body, ctype, HTML_TYPES + TEXT_TYPES, "a text")
    if failed is not None:
        return failed
    digest = body_digest(body)
    validators = {"etag": page.headers.get("etag"), "last_modified": page.headers.get("last-modified")}
    if digest == memory.body_hash and same_filter:
        read = PageRead(memory.last_text_hash or "", key, lines=_lines(memory.last_text))
        return replace(
            base,
            status="ok",
            unchanged=True,
            value=read,
            rows=text_rows(read, now),
            body_hash=digest,
            content_hash=digest,
            **validators,
        )
    kept = replace(base)
    kept.keep_body(body, ctype)
    blocked = block_reason_from_title(body)
    if blocked:
        return replace(kept, reason=blocked)
    try:
        text = render_text(body, page.url, page.content_type, memory.page_filter)
    except UnreadablePage as exc:
        return replace(kept, reason=str(exc))
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
    read = PageRead(text_hash(text), key, text, _lines(text))
    ok = replace(kept, status="ok", value=read, body_hash=digest, **validators)
    ok.bodies[read.text_hash] = (text.encode(), "text/plain; charset=utf-8")
    if old is None:  # first text, or the filters changed: a new baseline, not a change
        ok.rows = text_rows(read, now)
        return ok
    ok.changes = detect_page_changes(old, text, memory.page_filter)
    content = ok.changes[0] if ok.changes and ok.changes[0].kind == "content_changed" else None
    if content is not None:
        ok.value = read = replace(read, diff=unified_diff(old, text))
    ok.rows = text_rows(read, now, memory.last_text_hash, content)
    return ok


def _lines(text: str | None) -> int:
    return text.count("\n") + 1 if text else 0


def remember_page(memory: PageMemory, outcome: Outcome[Any]) -> None:
    """Advance the memory once an outcome is stored (the next check compares with this one)."""
    advance(memory, outcome)
    read = outcome.value
    if outcome.ok and isinstance(read, PageRead) and read.text is not None:
        memory.last_text, memory.last_text_hash = read.text, read.text_hash
        memory.last_filter_key = read.filter_key


OBSERVER: Observer[FetchedPage, PageMemory] = Observer(FetchedPage, observe_page, remember_page)
