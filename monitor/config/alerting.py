"""Alert channels and rules as the user writes them in the watchlist (validated with pydantic).

A *channel* is one destination (an Apprise URL) with its own language, format, delivery mode (one
message per change, or one digest per crawl run), quiet hours and the severities it wants.
A *rule* says which changes matter (`when` plus thresholds and filters), how severe they are, and
which channels hear about them (by name or by channel tag; none given = every channel).
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from monitor.config.durations import Duration

Severity = Literal["info", "warning", "critical"]
SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}

WatchKind = Literal["product", "listing", "site", "page", "keyword"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _parse_clock(value: object) -> time:
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


class QuietHours(_Strict):
    """A daily window in a time zone when a channel is not disturbed; held messages go out after it."""

    start: time
    end: time
    timezone: str = "UTC"
    allow: list[Severity] = Field(
        default_factory=list, description="severities that are sent even in quiet hours (e.g. critical)"
    )

    _clock = field_validator("start", "end", mode="before")(classmethod(lambda cls, v: _parse_clock(v)))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Asia/Shanghai)") from None
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours start and end are the same time")
        return self


class Channel(_Strict):
    name: str = Field(min_length=1)
    url: str = Field(min_length=3, description="an Apprise URL; ${ENV} placeholders are filled at send time")
    tags: list[str] = Field(default_factory=list)
    locale: Literal["en", "zh-CN"] = "en"
    mode: Literal["immediate", "digest"] = "digest"
    format: Literal["auto", "text", "markdown", "html"] = Field(
        default="auto", description="auto: HTML for email, Markdown for Slack/WeCom app/ServerChan/WxPusher"
    )
    min_severity: Severity = "info"
    competitors: list[str] = Field(default_factory=list, description="only changes of these competitors")
    watch_kinds: list[WatchKind] = Field(default_factory=list, description="only changes of these watches")
    quiet_hours: QuietHours | None = None
    max_attempts: int = Field(default=8, ge=1, le=100)
    retry_backoff: Duration = Field(default=30, description="first retry delay; doubles each attempt")
    retry_max_delay: Duration = Field(default=3600)
    min_interval: float | None = Field(
        default=None,
        ge=0,
        description="seconds between two messages to this channel; default: the Apprise plugin's own pacing",
    )


RuleKind = Literal[
    # products
    "price_drop",
    "price_rise",
    "price_change",
    "undercut",
    "below_map",
    "out_of_stock",
    "back_in_stock",
    "product_gone",
    # listings
    "listing_item_added",
    "listing_item_removed",
    "listing_price_changed",
    "listing_item_moved",
    "listing_count_changed",
    # keyword ranks
    "rank_moved",
    "entered_top_n",
    "left_top_n",
    "new_domain_in_top",
    # sites and pages
    "page_added",
    "page_removed",
    "title_changed",
    "meta_changed",
    "content_changed",
    "trigger_text_appeared",
    # any change whose anomaly score reaches min_anomaly
    "anomaly",
    # any change at all (narrow with `kinds`)
    "any",
]


class AlertRule(_Strict):
    name: str = Field(min_length=1)
    when: RuleKind
    severity: Severity = "warning"
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
    min_anomaly: float | None = Field(default=None, ge=0)
    kinds: list[str] = Field(default_factory=list, description="raw change kinds to match (with when: any)")
    # routing
    channels: list[str] = Field(default_factory=list, description="channel names; empty = all channels")
    channel_tags: list[str] = Field(default_factory=list, description="channels having any of these tags")
    competitors: list[str] = Field(default_factory=list)
    watch_kinds: list[WatchKind] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="watch or competitor tags (any of them)")
    # noise control
    cooldown: Duration | None = None

    @model_validator(mode="after")
    def _fits_kind(self) -> AlertRule:
        if self.when == "anomaly" and self.min_anomaly is None:
            raise ValueError("a rule with when: anomaly needs min_anomaly")
        if self.below is not None and self.above is not None and self.below > self.above:
            raise ValueError("below must not be greater than above")
        return self
