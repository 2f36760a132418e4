"""Page-content watches as users write them (like changedetection.io): any URL, filtered to text.

pages:
  - url: https://rival.example/pricing
    css: main .plans                       # keep only this part (or xpath:, or both)
    remove: [".cookie-banner", "nav"]      # drop these elements first
    regex: /\\d+ (EUR|USD)/                # keep only the text these matches cover
    ignore: ["/Updated \\d+ min ago/", "visitors online"]   # text or /regex/: not a change
    trigger: ["Enterprise plan"]           # alert when this text appears
    maxitems: 5                            # also skip, sort, json, jq, re.sub (README)
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from monitor.config.crawl_records import crawl_record
from monitor.config.selectors import check_css, check_rule, check_xpath
from monitor.config.settings import Strict
from monitor.config.watch_fields import BrowserOptions, WatchFields, as_list
from spiders.extract.page_filter import FilterError, PageFilter, check_filter


def _runs(page_filter: PageFilter) -> None:
    """ValueError when the filter could not run on any response. Each option is checked on its own
    too (a filter of just that option), so every bad one is reported at its own key, in one pass."""
    try:
        check_filter(page_filter)
    except FilterError as exc:
        raise ValueError(str(exc)) from None


class ReSub(Strict):
    """One `re.sub` step: a regex (bare or /re/flags) and its replacement (groups as \\1)."""

    pattern: str
    repl: str = ""

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        _runs(PageFilter(re_sub=[(value, "")]))
        return value


class PageOptions(BrowserOptions):
    """What a page watch stores in `watches.options`, and reads back through this model."""

    # `json` and `re.sub` are what users write; the stored options use the field names.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    css: str | None = None
    xpath: str | None = None
    regex: str | None = None
    remove: list[str] = Field(default_factory=list, description="CSS selectors of elements to drop")
    ignore: list[str] = Field(default_factory=list, description="text or /regex/ that is never a change")
    trigger: list[str] = Field(default_factory=list, description="text or /regex/ to alert on")
    # Shaping options (see spiders.extract.page): JSONPath / jq on JSON responses, skip / maxitems
    # over the selected items, sorted lines, regex substitutions.
    json_path: str | None = Field(default=None, alias="json", description="JSONPath on JSON responses")
    jq: str | None = Field(default=None, description="jq program on JSON responses")
    skip: int = Field(default=0, ge=0, description="selected items (or lines) to drop first")
    maxitems: int | None = Field(default=None, ge=1, description="selected items (or lines) to keep")
    sort: Literal["asc", "desc"] | None = Field(default=None, description="sort the lines")
    re_sub: list[ReSub] = Field(default_factory=list, alias="re.sub", description="regex replacements")

    _lists = field_validator("remove", "ignore", "trigger", mode="before")(
        classmethod(lambda cls, v: as_list(v))
    )

    @field_validator("css", "xpath")
    @classmethod
    def _selector(cls, value: str | None, info: ValidationInfo) -> str | None:
        check = check_css if info.field_name == "css" else check_xpath
        return check(value) if value is not None else None

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # A bare pattern is a regex here (the filter's only job is matching); /re/flags works too.
        return check_rule(value if value.startswith("/") else f"/{value}/") and value

    @field_validator("remove")
    @classmethod
    def _remove(cls, selectors: list[str]) -> list[str]:
        return [check_css(s) for s in selectors]

    @field_validator("ignore", "trigger")
    @classmethod
    def _rules(cls, rules: list[str]) -> list[str]:
        return [check_rule(r) for r in rules]

    @field_validator("json_path", "jq")
    @classmethod
    def _shaping(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            _runs(PageFilter(json=value) if info.field_name == "json_path" else PageFilter(jq=value))
        return value

    @field_validator("sort", mode="before")
    @classmethod
    def _sort(cls, value: object) -> object:
        return "asc" if value is True else (None if value is False else value)

    @field_validator("re_sub", mode="before")
    @classmethod
    def _re_sub_list(cls, value: object) -> object:
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _filter_runs(self) -> PageOptions:
        _runs(self.page_filter())
        return self

    def page_filter(self) -> PageFilter:
        return crawl_record(
            PageFilter, self, json=self.json_path, re_sub=[(r.pattern, r.repl) for r in self.re_sub]
        )


class PageWatch(WatchFields, PageOptions):
    """Any page of a competitor, filtered to the text that matters and diffed line by line."""

    def options(self) -> PageOptions:
        return PageOptions.model_validate(self.model_dump(include=set(PageOptions.model_fields)))


# One watch per URL (the URL is its identity): checked with the whole watchlist (monitor.watchlist.check).
PageWatches = list[PageWatch]
