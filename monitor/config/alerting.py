"""Alert channels and rules as the user writes them in the watchlist (validated with pydantic).

A *channel* is one destination (an Apprise URL) with its own language, format, delivery mode (one
message per change, or one digest per window: `every: 1h` by default, `at: ["09:00", "17:00"]`, or
`every: run` for one per check run), quiet hours and the severities it wants.
A *rule* says which changes matter (`when` plus thresholds and filters), how severe they are, and
which channels hear about them (by name or by channel tag; none given = every channel).
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from monitor.config.durations import Duration, parse_duration
from monitor.config.settings import Strict, check_timezone

Severity = Literal["info", "warning", "critical"]
SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}

WatchKind = Literal["product", "listing", "site", "page", "keyword"]


def parse_clock(value: object) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 22:00 as a sexagesimal integer (1320): take it back to minutes.
        hours, minutes = divmod(value, 60)
        if 0 <= hours < 24:
            return time(hours, minutes)
    text = str(value).strip()
    try:
        hours_s, minutes_s = text.split(":")
        return time(int(hours_s), int(minutes_s))
    except ValueError:
        raise ValueError(f"not a time of day: {value!r} (use HH:MM, e.g. 22:00)") from None


class QuietHours(Strict):
    """A daily window in a time zone when a channel is not disturbed; held messages go out after it."""

    start: time = Field(description="HH:MM")
    end: time = Field(description="HH:MM (before start: the window spans midnight)")
    timezone: str = Field(default="UTC", description="IANA zone of start and end")
    allow: list[Severity] = Field(
        default_factory=list, description="severities that are sent even in quiet hours (e.g. critical)"
    )

    _clock = field_validator("start", "end", mode="before")(classmethod(lambda cls, v: parse_clock(v)))

    _zone = field_validator("timezone")(classmethod(lambda cls, v: check_timezone(v)))

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours start and end are the same time")
        return self


DAY = 86400.0
DEFAULT_DIGEST_EVERY = 3600.0  # a digest channel without `every`/`at` collects for an hour


def _every(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() == "run":
        return "run"
    seconds = parse_duration(value)
    if not 10 <= seconds <= DAY:
        raise ValueError(f"every: {value!r} must be between 10s and 1d (or `run`)")
    return seconds


DigestEvery = Annotated[float | Literal["run"], BeforeValidator(_every)]


class Channel(Strict):
    name: str = Field(min_length=1, description="how rules and the report name it")
    url: str = Field(min_length=3, description="an Apprise URL; ${ENV} placeholders are filled at send time")
    tags: list[str] = Field(default_factory=list, description="for rules' `channel_tags:`")
    locale: Literal["en", "zh-CN"] = Field(default="en", description="language of its messages")
    mode: Literal["immediate", "digest"] = Field(
        default="digest", description="immediate: one message per change; digest: one per window (every/at)"
    )
    every: DigestEvery | None = Field(
        default=None,
        description="digest window length (1h, 30m, 1d; windows start at local midnight); "
        "`run`: one digest per check run; default 1h",
    )
    at: list[time] = Field(
        default_factory=list, description='digest: send at these local times instead, e.g. ["09:00", "17:00"]'
    )
    timezone: str | None = Field(
        default=None, description="the time zone of `every`/`at` windows; default: settings.timezone"
    )
    format: Literal["auto", "text", "markdown", "html"] = Field(
        default="auto", description="auto: HTML for email, Markdown for Slack/WeCom app/ServerChan/WxPusher"
    )
    min_severity: Severity = Field(default="info", description="changes below this severity are not sent")
    competitors: list[str] = Field(default_factory=list, description="only changes of these competitors")
    watch_kinds: list[WatchKind] = Field(default_factory=list, description="only changes of these watches")
    quiet_hours: QuietHours | None = Field(default=None, description="a daily window of no messages")
    max_attempts: int = Field(default=8, ge=1, le=100, description="deliveries tried before giving up")
    retry_backoff: Duration = Field(default=30, description="first retry delay; doubles each attempt")
    retry_max_delay: Duration = Field(default=3600)
    min_interval: float | None = Field(
        default=None,
        ge=0,
        description="seconds between two messages to this channel; default: the Apprise plugin's own pacing",
    )

    _at_clock = field_validator("at", mode="before")(
        classmethod(lambda cls, v: [parse_clock(x) for x in (v if isinstance(v, list) else [v])])
    )
    _channel_zone = field_validator("timezone")(
        classmethod(lambda cls, v: None if v is None else check_timezone(v))
    )

    @model_validator(mode="after")
    def _window(self) -> Channel:
        if self.every is not None and self.at:
            raise ValueError("give either every or at for a digest window, not both")
        if self.mode == "immediate" and (self.every is not None or self.at):
            raise ValueError("every/at set a digest window: they need mode: digest")
        return self

    @property
    def window(self) -> float | Literal["run"] | tuple[time, ...] | None:
        """None (immediate), "run", a window length in seconds, or the local times digests go out."""
        if self.mode == "immediate":
            return None
        if self.at:
            return tuple(sorted(set(self.at)))
        return self.every if self.every is not None else DEFAULT_DIGEST_EVERY


class AlertRule(Strict):
    name: str = Field(min_length=1, description="unique among the rules")
    when: str = Field(
        description="what fires the rule: a change kind's rule name (price_drop, out_of_stock, rank_moved, "
        "page_added ... the README's Watchlist keys lists them), anomaly, or any"
    )
    severity: Severity | None = Field(default=None, description="default: the change kind's own severity")
    # thresholds
    threshold_pct: float | None = Field(default=None, ge=0, description="price/count move of at least X %")
    threshold_abs: Decimal | None = Field(
        default=None, ge=0, description="price move of at least this amount"
    )
    below: Decimal | None = Field(default=None, ge=0, description="price falls below this bound")
    above: Decimal | None = Field(default=None, ge=0, description="price rises above this bound")
    min_positions: int | None = Field(default=None, ge=1, description="rank_moved: at least N positions")
    top_n: int | None = Field(
        default=None, ge=1, le=100, description="entered/left top N, new domain in top N"
    )
    min_anomaly: float | None = Field(default=None, ge=0, description="anomaly score of at least this (0 to 1)")
    kinds: list[str] = Field(default_factory=list, description="raw change kinds to match (with when: any)")
    # routing
    channels: list[str] = Field(default_factory=list, description="channel names; empty = all channels")
    channel_tags: list[str] = Field(default_factory=list, description="channels having any of these tags")
    competitors: list[str] = Field(default_factory=list, description="only changes of these competitors")
    watch_kinds: list[WatchKind] = Field(default_factory=list, description="only changes of these watches")
    tags: list[str] = Field(default_factory=list, description="watch or competitor tags (any of them)")
    # noise control
    cooldown: Duration | None = Field(default=None, description="at most one alert per watch in this time")

    @model_validator(mode="after")
    def _fits_kind(self) -> AlertRule:
        if self.when == "anomaly" and self.min_anomaly is None:
            raise ValueError("a rule with when: anomaly needs min_anomaly")
        if self.below is not None and self.above is not None and self.below > self.above:
            raise ValueError("below must not be greater than above")
        return self
