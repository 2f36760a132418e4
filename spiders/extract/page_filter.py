"""What part of a page a content watch looks at, and the rules it compares with: the filter as the
watchlist gives it, checked before any page is fetched (`check_filter`), and ignore or trigger
rules (`compile_rule`). Apart from the rendering (spiders.extract.page), which brings inscriptis:
checking a watchlist, which every command does, never needs that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spiders.extract import page_select as sel

_RULE_REGEX = re.compile(r"^/(.+)/([imsx]*)$", re.DOTALL)
SORT_ORDERS = ("asc", "desc")


class FilterError(ValueError):
    """A filter the user wrote that cannot be applied (bad CSS, XPath, JSONPath, jq or regex, or a
    selector for another kind of response)."""


class UnreadablePage(FilterError):
    """The page itself cannot be read whole (not the filter's fault): its reason says why."""


@dataclass(frozen=True)
class PageFilter:
    """What part of a page a content watch looks at, how it is shaped, and what differences it ignores."""

    css: str | None = None
    xpath: str | None = None
    regex: str | None = None
    remove: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    trigger: list[str] = field(default_factory=list)
    json: str | None = None  # JSONPath on JSON responses
    jq: str | None = None  # a jq program on JSON responses
    skip: int = 0
    maxitems: int | None = None
    sort: str | None = None  # "asc" or "desc"
    re_sub: list[tuple[str, str]] = field(default_factory=list)

    @property
    def selects(self) -> bool:
        return bool(self.css or self.xpath or self.json or self.jq)


def compile_rule(rule: str) -> re.Pattern[str]:
    """A rule string as a compiled pattern: `/re/flags` as a regex, other text literally (any case)."""
    match = _RULE_REGEX.match(rule.strip())
    try:
        if match:
            flags = 0
            for ch in match.group(2):
                flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}[ch]
            return re.compile(match.group(1), flags)
        return re.compile(re.escape(rule.strip()), re.IGNORECASE)
    except re.error as exc:
        raise FilterError(f"bad regular expression {rule!r}: {exc}") from exc


def as_regex(pattern: str) -> re.Pattern[str]:
    """A pattern that is a regex even when written bare (the regex and re.sub options)."""
    return compile_rule(pattern if _RULE_REGEX.match(pattern.strip()) else f"/{pattern}/")


def check_filter(page_filter: PageFilter) -> None:
    """Raise FilterError when a filter cannot run on any response (bad syntax, impossible options)."""
    if page_filter.skip < 0:
        raise FilterError("skip must be 0 or more")
    if page_filter.maxitems is not None and page_filter.maxitems < 1:
        raise FilterError("maxitems must be 1 or more")
    if page_filter.sort is not None and page_filter.sort not in SORT_ORDERS:
        raise FilterError(f"sort must be one of {', '.join(SORT_ORDERS)}")
    try:
        if page_filter.json:
            sel.compile_jsonpath(page_filter.json)
        if page_filter.jq:
            sel.compile_jq(page_filter.jq)
    except sel.SelectError as exc:
        raise FilterError(str(exc)) from exc
    if page_filter.regex:
        as_regex(page_filter.regex)
    for pattern, _ in page_filter.re_sub:
        as_regex(pattern)
