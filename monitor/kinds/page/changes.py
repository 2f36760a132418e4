"""Page-content watches: the line diff between two renderings, with ignore rules and trigger text.

Ignore rules (`/regex/` or plain text, see `spiders.extract.page.compile_rule`): a plain-text rule
ignores every line that contains it; a regex rule blanks what it matches inside a line (a date, a
counter), and a line left empty is ignored. Lines are compared after that, so when only ignored
text changed there is no change. The lines reported are the original ones, so users see what
the page really says.

An empty new rendering after a non-empty one is not "everything removed": the fetch or the filter
failed, which the caller records as a failed observation (`empty_rendering` tells it).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from monitor.changes.kinds import ChangeKind
from monitor.changes.record import DetectedChange
from spiders.extract.page_filter import PageFilter, compile_rule

MAX_LINES_IN_DETAILS = 200

CHANGE_KINDS = (
    ChangeKind("content_changed", "page", "Content changed", "内容变化", ("content_changed",), "content_changed"),
    ChangeKind(
        "trigger_text_appeared", "page", "Trigger text appeared", "出现触发文本", ("trigger_text_appeared",),
        "content_changed",
    ),
)


@dataclass(frozen=True)
class TextDiff:
    """Lines added and removed between two renderings of a page (ignored lines left out)."""

    added_lines: list[str] = field(default_factory=list)
    removed_lines: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added_lines or self.removed_lines)


def comparable_lines(lines: list[str], ignore: Iterable[str]) -> tuple[list[str], list[int]]:
    """Lines as compared (ignored text blanked, ignored lines dropped) and their original indexes."""
    rules = [(rule.strip().startswith("/"), compile_rule(rule)) for rule in ignore if rule.strip()]
    kept, index = [], []
    for i, line in enumerate(lines):
        text = line
        dropped = False
        for is_regex, pattern in rules:
            if is_regex:
                text = pattern.sub("", text)
            elif pattern.search(text):
                dropped = True
                break
        text = " ".join(text.split())
        if dropped or not text:
            continue
        kept.append(text)
        index.append(i)
    return kept, index


def diff_text(old: str, new: str, ignore: Iterable[str] = ()) -> TextDiff:
    """Added and removed lines between `old` and `new`, ignoring what the ignore rules cover."""
    ignore = list(ignore)
    old_lines, new_lines = old.splitlines(), new.splitlines()
    a, a_index = comparable_lines(old_lines, ignore)
    b, b_index = comparable_lines(new_lines, ignore)
    added, removed = [], []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed += [old_lines[a_index[i]] for i in range(i1, i2)]
        if tag in ("replace", "insert"):
            added += [new_lines[b_index[j]] for j in range(j1, j2)]
    return TextDiff(added_lines=added, removed_lines=removed)


def empty_rendering(old: str, new: str) -> bool:
    """True when the new rendering is empty but the old was not: a failure, never a change."""
    return bool(old.strip()) and not new.strip()


def triggers_found(text: str, triggers: Iterable[str]) -> dict[str, str]:
    """For each trigger rule found in `text`, the first line where it appears."""
    found = {}
    for rule in triggers:
        if not rule.strip():
            continue
        pattern = compile_rule(rule)
        for line in text.splitlines():
            if pattern.search(line):
                found[rule] = line.strip()
                break
    return found


def detect_page_changes(old: str, new: str, page_filter: PageFilter | None = None) -> list[DetectedChange]:
    """Changes between two renderings of a content watch: `content_changed` with the line diff, and
    `trigger_text_appeared` for each trigger text present now and absent before."""
    page_filter = page_filter or PageFilter()
    if empty_rendering(old, new):
        return []
    changes: list[DetectedChange] = []
    diff = diff_text(old, new, page_filter.ignore)
    if diff.changed:
        changes.append(
            DetectedChange(
                kind="content_changed",
                summary=f"page content changed: {len(diff.added_lines)} lines added, "
                f"{len(diff.removed_lines)} removed",
                details={
                    "added_lines": diff.added_lines[:MAX_LINES_IN_DETAILS],
                    "removed_lines": diff.removed_lines[:MAX_LINES_IN_DETAILS],
                    "added_count": len(diff.added_lines),
                    "removed_count": len(diff.removed_lines),
                },
            )
        )
    before = triggers_found(old, page_filter.trigger)
    for rule, line in triggers_found(new, page_filter.trigger).items():
        if rule not in before:
            changes.append(
                DetectedChange(
                    kind="trigger_text_appeared",
                    summary=f"trigger text {rule!r} appeared: {line[:200]}",
                    field="trigger",
                    new=line,
                    details={"trigger": rule},
                )
            )
    return changes
