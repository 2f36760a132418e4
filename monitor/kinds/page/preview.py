"""`rivalwatch preview`: what a page watch's filters make of the page now, before it runs for real.

The page is fetched (by the CLI) through the same crawl path as a real check (address guard,
robots.txt, browser rendering when asked) but nothing is stored. Pure: the result lists the text the watch would store, the
lines its ignore rules leave out of comparisons, the trigger texts present, and, when the watch has
a stored text, the diff a check would report now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.kinds.page.changes import comparable_lines, diff_text, triggers_found
from monitor.kinds.page.observe import PageMemory, filter_key, observe_page, text_hash
from spiders.extract.page import render_text
from spiders.extract.page_filter import PageFilter
from spiders.fetch import FetchedPage


@dataclass
class PreviewResult:
    url: str
    status: int | None = None
    error: str | None = None
    text: str = ""
    ignored_lines: list[str] = field(default_factory=list)
    triggers: dict[str, str] = field(default_factory=dict)
    added_lines: list[str] = field(default_factory=list)
    removed_lines: list[str] = field(default_factory=list)
    compared_with_stored: bool = False


def preview_body(page: FetchedPage, page_filter: PageFilter, stored_text: str | None = None) -> PreviewResult:
    """What the filters produce from a fetched page, and whether a real check would fail (pure)."""
    result = PreviewResult(url=page.url, status=page.status, error=page.error)
    if page.error:
        return result
    memory = PageMemory(
        watch_id=0,
        label=page.url,
        interval_s=0,
        page_filter=page_filter,
        last_text=stored_text,
        last_filter_key=filter_key(page_filter),
    )
    if stored_text is not None:
        memory.last_text_hash = text_hash(stored_text)
    outcome = observe_page(page, memory, datetime.now(UTC))
    result.error = outcome.reason if outcome.status == "failed" else None
    body = page.body or b""
    try:
        result.text = render_text(body, page.url, page.content_type, page_filter) if body.strip() else ""
    except Exception:  # noqa: BLE001 - the reason is already in result.error
        return result
    lines = result.text.splitlines()
    _kept, index = comparable_lines(lines, page_filter.ignore)
    kept = set(index)
    result.ignored_lines = [line for i, line in enumerate(lines) if i not in kept and line.strip()]
    result.triggers = triggers_found(result.text, page_filter.trigger)
    if stored_text is not None and result.text.strip():
        diff = diff_text(stored_text, result.text, page_filter.ignore)
        result.added_lines, result.removed_lines = diff.added_lines, diff.removed_lines
        result.compared_with_stored = True
    return result
