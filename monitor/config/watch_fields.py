"""Fields every site and page watch shares (url, competitor, label, schedule, rendering, tags) and the
validators that turn a bad CSS selector, XPath or regular expression into a config error.

The compile checks call the same libraries the crawl uses (cssselect through lxml, lxml's XPath,
`spiders.extract.page.compile_rule`), so a watch that loads is a watch whose filters run.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from monitor.config.durations import Duration


def check_http_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"only http and https URLs can be watched, not {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL has no host: {url!r}")
    return url.strip()


def check_css(selector: str) -> str:
    """A CSS selector lxml can apply, or ValueError with cssselect's reason."""
    from cssselect import GenericTranslator
    from cssselect.parser import SelectorError

    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"bad CSS selector {selector!r}: {exc}") from None
    return selector


def check_xpath(expression: str) -> str:
    import lxml.etree

    try:
        lxml.etree.XPath(expression)
    except lxml.etree.XPathSyntaxError as exc:
        raise ValueError(f"bad XPath {expression!r}: {exc}") from None
    return expression


def check_rule(rule: str) -> str:
    """A text-or-/regex/ rule (ignore, trigger, include, exclude) that compiles."""
    from spiders.extract.page import FilterError, compile_rule

    if not rule.strip():
        raise ValueError("an empty rule matches everything; remove it")
    try:
        compile_rule(rule)
    except FilterError as exc:
        raise ValueError(str(exc)) from None
    return rule


def as_list(value: object) -> object:
    """Let users write a single rule as a string: `ignore: /\\d+ visitors/`."""
    return [value] if isinstance(value, str) else value


class WatchBase(BaseModel):
    """What a site or page watch has in common with a product watch."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    competitor: str | None = None
    label: str | None = None
    interval: Duration | None = None
    cron: str | None = None
    render: Literal["http", "browser"] = "http"
    wait_for: str | None = Field(default=None, description="CSS selector the browser waits for")
    tags: list[str] = Field(default_factory=list)

    _check_url = field_validator("url")(classmethod(lambda cls, v: check_http_url(v)))
    _tags_list = field_validator("tags", mode="before")(classmethod(lambda cls, v: as_list(v)))

    @model_validator(mode="after")
    def _one_schedule(self) -> WatchBase:
        if self.interval is not None and self.cron is not None:
            raise ValueError("give either interval or cron, not both")
        if self.wait_for is not None and self.render != "browser":
            raise ValueError("wait_for needs render: browser")
        return self


def unique_urls(kind: str):  # noqa: ANN201
    """An after-validator for a list of watches: one watch per URL (the URL is the watch's identity)."""

    def check(watches: list) -> list:
        seen: set[str] = set()
        for w in watches:
            if w.url in seen:
                raise ValueError(f"{kind} URL watched twice: {w.url}")
            seen.add(w.url)
        return watches

    return check
