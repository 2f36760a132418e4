"""A competitor's site and watched pages this period: pages added and removed, titles and
descriptions changed, content changes with short diffs. Built from the change rows, so it works
with whatever site and page tables the store keeps. Pure."""

from __future__ import annotations

from monitor.kinds import kinds_counted_as
from monitor.report.model import ContentChange, EventLine, SiteSection
from monitor.report.prices import MAX_EVENTS, Window, _count
from monitor.report.queries import ChangeRow, ReportData

PAGE_ADDED = kinds_counted_as("pages_added")
PAGE_REMOVED = kinds_counted_as("pages_removed")
TITLE = kinds_counted_as("titles_changed")
DESCRIPTION = kinds_counted_as("descriptions_changed")
CONTENT = kinds_counted_as("content_changed")
SITE_KINDS = PAGE_ADDED | PAGE_REMOVED | TITLE | DESCRIPTION | CONTENT
DIFF_LINES = 6  # lines of a content diff shown in the report
LINE_CHARS = 160


def _clip(line: object) -> str:
    text = " ".join(str(line).split())
    return text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…"


def site_section(data: ReportData, changes: list[ChangeRow], window: Window) -> SiteSection | None:
    p = data.period
    mine = [c for c in changes if c.kind in SITE_KINDS]
    if not mine:
        return None
    events, content = [], []
    for c in mine:
        if c.at < p.start:
            continue
        w = data.watches.get(c.watch_id)
        url = c.details.get("url") or (w.url if w else None)
        subject = str(c.details.get("title") or (w.label if w else None) or url or "")
        if c.kind == "content_changed":
            added = [_clip(x) for x in (c.details.get("added_lines") or [])[:DIFF_LINES]]
            removed = [_clip(x) for x in (c.details.get("removed_lines") or [])[:DIFF_LINES]]
            content.append(
                ContentChange(
                    subject,
                    url,
                    c.at,
                    added,
                    removed,
                    int(c.details.get("added_count", len(added))),
                    int(c.details.get("removed_count", len(removed))),
                )
            )
        else:
            events.append(EventLine(c.kind, subject, url, c.at, c.summary, c.old, c.new))
    return SiteSection(
        pages_added=_count(mine, PAGE_ADDED, window),
        pages_removed=_count(mine, PAGE_REMOVED, window),
        titles_changed=_count(mine, TITLE, window),
        descriptions_changed=_count(mine, DESCRIPTION, window),
        content_changed=_count(mine, CONTENT, window),
        events=events[:MAX_EVENTS],
        content=content[:MAX_EVENTS],
    )
