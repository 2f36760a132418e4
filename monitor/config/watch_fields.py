"""Fields every kind's watches share, and the validators that turn a bad URL, CSS selector, XPath or
regular expression into a config error at the line that has it.

- `WatchFields`: what makes a watch a watch (url, competitor, label, schedule, tags);
- `RenderOptions`: how its page is fetched (plain HTTP, or Chromium with a wait); `BrowserOptions`
  add page actions and a screenshot. Browser-only options on an HTTP watch would silently do
  nothing, so they are refused, each at its own key (`browser_only` is the field validator a kind
  adds for its own browser-only options, e.g. a listing's `scroll`).

Selectors are compiled by `monitor.config.selectors`, with the libraries the crawl uses; cron
expressions by `monitor.config.cron`, as the service schedules them. Whether two watches share a
URL is a question about the whole section: `monitor.watchlist.check` answers it.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import Field, ValidationInfo, field_validator

from monitor.config.cron import check_schedule_cron
from monitor.config.durations import Duration
from monitor.config.page_actions import PageAction
from monitor.config.selectors import check_browser_css, check_http_url
from monitor.config.settings import Strict


def as_list(value: object) -> object:
    """Let users write a single value as a string: `ignore: /\\d+ visitors/`, `tags: tier1`."""
    return [value] if isinstance(value, str) else value


V = TypeVar("V")


def browser_only(value: V, info: ValidationInfo) -> V:
    """A field validator for options that only a browser acts on: refused on an HTTP watch.

    `render` is the first field of every watch model (it comes from the deepest base class), so it
    is in `info.data` by the time the other fields are validated, unless it failed itself."""
    if value and info.data.get("render", "browser") != "browser":
        raise ValueError(f"{info.field_name} needs render: browser")
    return value


class WatchFields(Strict):
    """What makes a watch a watch, whatever its kind."""

    url: str = Field(description="the page (http or https); a watch's identity within its kind")
    competitor: str | None = Field(default=None, description="a competitor's name; default: found by domain")
    label: str | None = Field(default=None, description="how alerts and the report call it")
    interval: Duration | None = Field(default=None, description="how often; default settings.default_interval")
    cron: str | None = Field(default=None, description='crontab line, e.g. "0 8,20 * * *" (settings.timezone)')
    tags: list[str] = Field(default_factory=list, description="for rules' `tags:`")

    _check_url = field_validator("url")(classmethod(lambda cls, v: check_http_url(v)))
    _tags_list = field_validator("tags", mode="before")(classmethod(lambda cls, v: as_list(v)))

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_schedule_cron(value, info.data.get("interval"))


class RenderOptions(Strict):
    """How a watch's page is fetched: plain HTTP, or Chromium (`render: browser`)."""

    render: Literal["http", "browser"] = Field(default="http", description="browser: Chromium runs its JavaScript")
    wait_for: str | None = Field(default=None, description="CSS selector the browser waits for")

    @field_validator("wait_for")
    @classmethod
    def _wait_for_css(cls, value: str | None, info: ValidationInfo) -> str | None:
        return browser_only(check_browser_css(value), info) if value is not None else None


class BrowserOptions(RenderOptions):
    """A page read in a browser can also be acted on and photographed."""

    screenshot: bool = Field(default=False, description="store a full-page PNG with each observation")
    actions: list[PageAction] = Field(default_factory=list, description="browser steps before reading")

    @field_validator("screenshot", "actions")
    @classmethod
    def _browser_only(cls, value: object, info: ValidationInfo) -> object:
        return browser_only(value, info)
