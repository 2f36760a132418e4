"""Fields every kind's watches share, and the validators that turn a bad URL, CSS selector, XPath or
regular expression into a config error at the line that has it.

- `WatchFields`: what makes a watch a watch (url, competitor, label, schedule, tags);
- `RenderOptions`: how its page is fetched (plain HTTP, or Chromium with a wait); `BrowserOptions`
  add page actions and a screenshot. Browser-only options on an HTTP watch would silently do
  nothing, so they are refused.

Selectors are compiled by `monitor.config.selectors`, with the libraries the crawl uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol, TypeVar

from pydantic import Field, field_validator, model_validator

from monitor.config.durations import Duration
from monitor.config.page_actions import PageAction
from monitor.config.selectors import check_css, check_http_url
from monitor.config.settings import Strict


def as_list(value: object) -> object:
    """Let users write a single value as a string: `ignore: /\\d+ visitors/`, `tags: tier1`."""
    return [value] if isinstance(value, str) else value


class WatchFields(Strict):
    """What makes a watch a watch, whatever its kind."""

    url: str
    competitor: str | None = None
    label: str | None = None
    interval: Duration | None = None
    cron: str | None = None
    tags: list[str] = Field(default_factory=list)

    _check_url = field_validator("url")(classmethod(lambda cls, v: check_http_url(v)))
    _tags_list = field_validator("tags", mode="before")(classmethod(lambda cls, v: as_list(v)))

    @model_validator(mode="after")
    def _one_schedule(self) -> WatchFields:
        if self.interval is not None and self.cron is not None:
            raise ValueError("give either interval or cron, not both")
        return self


class RenderOptions(Strict):
    """How a watch's page is fetched: plain HTTP, or Chromium (`render: browser`)."""

    render: Literal["http", "browser"] = "http"
    wait_for: str | None = Field(default=None, description="CSS selector the browser waits for")

    @field_validator("wait_for")
    @classmethod
    def _wait_for_css(cls, value: str | None) -> str | None:
        return check_css(value) if value is not None else None

    def browser_only(self) -> dict[str, object]:
        """The options that do something only in a browser (a kind adds its own, e.g. scroll)."""
        return {"wait_for": self.wait_for}

    @model_validator(mode="after")
    def _needs_browser(self) -> RenderOptions:
        used = [name for name, value in self.browser_only().items() if value]
        if self.render != "browser" and used:
            raise ValueError(f"{', '.join(used)} {'needs' if len(used) == 1 else 'need'} render: browser")
        return self


class BrowserOptions(RenderOptions):
    """A page read in a browser can also be acted on and photographed."""

    screenshot: bool = False
    actions: list[PageAction] = Field(default_factory=list, description="browser steps before reading")

    def browser_only(self) -> dict[str, object]:
        return {**super().browser_only(), "screenshot": self.screenshot, "actions": self.actions}


class HasUrl(Protocol):
    @property
    def url(self) -> str: ...


W = TypeVar("W", bound=HasUrl)


def unique_urls(kind: str) -> Callable[[list[W]], list[W]]:
    """An after-validator for a list of watches: one watch per URL (the URL is the watch's identity)."""

    def check(watches: list[W]) -> list[W]:
        seen: set[str] = set()
        for w in watches:
            if w.url in seen:
                raise ValueError(f"{kind} URL watched twice: {w.url}")
            seen.add(w.url)
        return watches

    return check
