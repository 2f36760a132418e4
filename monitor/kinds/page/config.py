"""Page-content watches as users write them (like changedetection.io): any URL, filtered to text.

pages:
  - url: https://rival.example/pricing
    css: main .plans                       # keep only this part (or xpath:, or both)
    remove: [".cookie-banner", "nav"]      # drop these elements first
    regex: /\\d+ (EUR|USD)/                # keep only the text these matches cover
    ignore: ["/Updated \\d+ min ago/", "visitors online"]   # text or /regex/: not a change
    trigger: ["Enterprise plan"]           # alert when this text appears
"""

from __future__ import annotations

from pydantic import Field, field_validator

from monitor.config.selectors import check_css, check_rule, check_xpath
from monitor.config.watch_fields import BrowserOptions, WatchFields, as_list
from spiders.extract.page import PageFilter


class PageOptions(BrowserOptions):
    """What a page watch stores in `watches.options`, and reads back through this model."""

    css: str | None = None
    xpath: str | None = None
    regex: str | None = None
    remove: list[str] = Field(default_factory=list, description="CSS selectors of elements to drop")
    ignore: list[str] = Field(default_factory=list, description="text or /regex/ that is never a change")
    trigger: list[str] = Field(default_factory=list, description="text or /regex/ to alert on")

    _lists = field_validator("remove", "ignore", "trigger", mode="before")(
        classmethod(lambda cls, v: as_list(v))
    )

    @field_validator("css")
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        return check_css(value) if value is not None else None

    @field_validator("xpath")
    @classmethod
    def _xpath(cls, value: str | None) -> str | None:
        return check_xpath(value) if value is not None else None

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

    def page_filter(self) -> PageFilter:
        return PageFilter(
            css=self.css,
            xpath=self.xpath,
            regex=self.regex,
            remove=list(self.remove),
            ignore=list(self.ignore),
            trigger=list(self.trigger),
        )


class PageWatch(WatchFields, PageOptions):
    """Any page of a competitor, filtered to the text that matters and diffed line by line."""

    def options(self) -> PageOptions:
        return PageOptions.model_validate(self.model_dump(include=set(PageOptions.model_fields)))


# One watch per URL (the URL is its identity): checked with the whole watchlist (monitor.watchlist.check).
PageWatches = list[PageWatch]
