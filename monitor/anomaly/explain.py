"""Plain-English explanations of a score: "price 23% below its 30-day median; level shift since Tuesday"."""

from __future__ import annotations

import math
from datetime import datetime

# Evidence below this robust z is not worth a clause.
_NOTABLE_Z = 3.0


def _relative(value: float, reference: float) -> str | None:
    if reference == 0 or math.isnan(reference) or math.isnan(value):
        return None
    pct = 100.0 * (value - reference) / abs(reference)
    if abs(pct) < 0.5:
        return None
    return f"{abs(pct):.0f}% {'above' if pct > 0 else 'below'}"


def span_words(first: datetime | None, last: datetime | None, points: int) -> str:
    """'30-day' for a baseline spanning 30 days, else '60-point'."""
    if first is not None and last is not None:
        days = (last - first).total_seconds() / 86400.0
        if days >= 1.5:
            return f"{round(days)}-day"
        hours = days * 24
        if hours >= 1.5:
            return f"{round(hours)}-hour"
    return f"{points}-point"


def when_words(moment: datetime, now: datetime) -> str:
    """'Tuesday' within the last week, else the date."""
    if 0 <= (now - moment).total_seconds() < 6.5 * 86400 and moment.date() != now.date():
        return moment.strftime("%A")
    if moment.date() == now.date():
        return moment.strftime("%H:%M") if moment != now else "now"
    return moment.date().isoformat()


def explain(
    label: str,
    value: float,
    median: float,
    spike_z: float,
    level_z: float,
    seasonal_z: float,
    span: str,
    shift_since: str | None,
    suppressed: bool,
) -> str:
    """One sentence of the notable evidence; 'as usual' when there is none."""
    parts = []
    moved = _relative(value, median)
    if moved and (abs(spike_z) >= _NOTABLE_Z or abs(level_z) >= _NOTABLE_Z):
        parts.append(f"{label} {moved} its {span} median")
    if shift_since and abs(level_z) >= _NOTABLE_Z:
        parts.append(f"level shift since {shift_since}")
    if not math.isnan(seasonal_z) and abs(spike_z) >= _NOTABLE_Z and abs(seasonal_z) < _NOTABLE_Z:
        parts.append("in line with its seasonal pattern")
    if suppressed and parts:
        parts.append("same event as an earlier alarm")
    return "; ".join(parts) if parts else f"{label} as usual"
