"""The `report:` section of the watchlist: when the weekly report is made, in which language and
formats, where it is written and which channels receive it.

    report:
      day: mon            # weekday the service builds last week's report
      time: "08:00"       # local time of day, in `timezone`
      timezone: Asia/Shanghai   # default: settings.timezone (weeks are ISO weeks in this zone)
      locale: zh-CN       # en | zh-CN
      formats: [html, md, csv, json]
      channels: [ops-mail, ops-slack]   # channel names; email gets the HTML and the files, chat a digest
"""

from __future__ import annotations

from datetime import time as clock_time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from monitor.config.alerting import parse_clock
from monitor.config.settings import check_timezone

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Format = Literal["html", "md", "csv", "json"]


class ReportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=True, description="the service builds and sends the report each week")
    day: Weekday = Field(default="mon", description="the weekday the service makes last week's report")
    time: clock_time = Field(default=clock_time(8, 0), description="local time of day the report is made")
    timezone: str | None = Field(default=None, description="IANA zone; default: settings.timezone")
    locale: Literal["en", "zh-CN"] = Field(default="en", description="language of the report")
    formats: list[Format] = Field(
        default_factory=lambda: ["html", "md", "csv", "json"], min_length=1, description="files written"
    )
    channels: list[str] = Field(default_factory=list, description="channel names that receive the report")
    competitors: list[str] = Field(default_factory=list, description="only these competitors (default: all)")
    out_dir: str = Field(default="var/reports", description="where report files are written")

    _clock = field_validator("time", mode="before")(classmethod(lambda cls, v: parse_clock(v)))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @field_validator("formats")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))
