"""Alert channels and rules as the user writes them in the watchlist (validated with pydantic)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from monitor.config.durations import Duration

Severity = Literal["info", "warning", "critical"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Channel(_Strict):
    name: str = Field(min_length=1)
    url: str = Field(min_length=3, description="an Apprise URL; ${ENV} placeholders are filled at send time")
    tags: list[str] = Field(default_factory=list)
    locale: Literal["en", "zh-CN"] = "en"
    mode: Literal["immediate", "digest"] = "digest"


RuleKind = Literal[
    "price_drop",
    "price_rise",
    "price_change",
    "undercut",
    "below_map",
    "out_of_stock",
    "back_in_stock",
    "product_gone",
    "any",
]


class AlertRule(_Strict):
    name: str = Field(min_length=1)
    when: RuleKind
    threshold_pct: float | None = Field(default=None, ge=0)
    severity: Severity = "warning"
    channels: list[str] = Field(default_factory=list, description="channel names; empty = all channels")
    competitors: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    min_anomaly: float | None = Field(default=None, ge=0, le=1)
    cooldown: Duration | None = None
