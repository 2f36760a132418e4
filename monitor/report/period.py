"""Report periods: an ISO week (or a date range) in the watchlist's time zone, and the one before it.

Pure: strings and dates in, aware UTC datetimes out. A week runs Monday 00:00 to the next Monday 00:00
local time; the previous period is the same length immediately before, so "this week against last
week" compares like with like even across a daylight-saving change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


class PeriodError(ValueError):
    """A week or date range the user gave cannot be used (the message says why)."""


@dataclass(frozen=True)
class ReportPeriod:
    """This period [start, end) and the previous one [prev_start, start), all aware UTC datetimes."""

    label: str  # "2026-W02" or "2026-01-05..2026-01-11"
    timezone: str
    first_day: date  # local calendar days covered, inclusive
    last_day: date
    start: datetime
    end: datetime
    prev_start: datetime

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.timezone)).date()


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PeriodError(f"unknown time zone {name!r} (use an IANA name like Asia/Shanghai)") from None


def _utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def date_range(first: date, last: date, timezone: str, label: str | None = None) -> ReportPeriod:
    """The local days first..last inclusive, against the same number of days before them."""
    if last < first:
        raise PeriodError(f"--until {last} is before --since {first}")
    tz = zone(timezone)
    length = (last - first).days + 1
    return ReportPeriod(
        label=label or f"{first.isoformat()}..{last.isoformat()}",
        timezone=timezone,
        first_day=first,
        last_day=last,
        start=_utc(first, tz),
        end=_utc(last + timedelta(days=1), tz),
        prev_start=_utc(first - timedelta(days=length), tz),
    )


def parse_week(text: str) -> tuple[int, int]:
    match = _WEEK.match(text.strip())
    if not match:
        raise PeriodError(f"not an ISO week: {text!r} (write it like 2026-W47)")
    year, week = int(match[1]), int(match[2])
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise PeriodError(f"{year} has no ISO week {week}") from None
    return year, week


def iso_week(text: str, timezone: str) -> ReportPeriod:
    """'2026-W47' -> that ISO week, Monday to Sunday, in `timezone`."""
    year, week = parse_week(text)
    monday = date.fromisocalendar(year, week, 1)
    return date_range(monday, monday + timedelta(days=6), timezone, label=f"{year}-W{week:02d}")


def week_of(moment: datetime | date, timezone: str) -> ReportPeriod:
    """The ISO week holding `moment` (a datetime is read in `timezone`)."""
    day = moment.astimezone(zone(timezone)).date() if isinstance(moment, datetime) else moment
    year, week, _ = day.isocalendar()
    return iso_week(f"{year}-W{week:02d}", timezone)


def last_full_week(now: datetime, timezone: str) -> ReportPeriod:
    """The latest ISO week that has ended by `now`: what a Monday-morning report is about."""
    return week_of(now.astimezone(zone(timezone)).date() - timedelta(days=7), timezone)
