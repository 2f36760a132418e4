"""Explanations of a score in a buyer's words: "price: the largest drop in 35 days of history (-30%);
it usually moves less than 2%", "not enough history yet (3 of 14 days)".

Pure functions of the evidence (`Facts`, in model units) and the configuration (which says how model
units read: percentages for log transforms, places for ranks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from monitor.anomaly.config import LEVEL, MOVE, ScorerConfig

# Below this score a point is familiar ground; from here on its evidence is worth a clause.
NOTABLE = 0.5


@dataclass(frozen=True)
class Facts:
    """One observable of one point: what was observed and the remembered range, in model units."""

    observed: float
    lo: float
    hi: float
    novelty: float


def _cadence(times: list[datetime | None]) -> str:
    """What one point of the series is, from its timestamps (days until they say otherwise: market
    series are daily)."""
    stamps = [t for t in times if t is not None]
    if len(stamps) >= 2:
        step = (stamps[-1] - stamps[0]).total_seconds() / (len(stamps) - 1)
        if step < 50 * 60:
            return "points"
        if step < 20 * 3600:
            return "hours"
    return "days"


def absent(label: str, seen: int, needed: int, times: list[datetime | None]) -> str:
    return f"{label}: not enough history yet ({seen} of {needed} {_cadence(times)})"


def history_words(first: datetime | None, last: datetime | None, points: int) -> str:
    """'35 days of history' when the remembered past spans 35 days, else '60 points of history'."""
    if first is not None and last is not None:
        days = (last - first).total_seconds() / 86400.0
        if days >= 1.5:
            return f"{round(days)} days of history"
        if days * 24 >= 1.5:
            return f"{round(days * 24)} hours of history"
    return f"{points} points of history"


def _percent(delta: float) -> float:
    return 100.0 * math.expm1(delta)


def _move_text(config: ScorerConfig, move: float) -> str:
    """A move in words: '-30%', '+12 places'."""
    if config.transform == "log":
        return f"{_percent(move):+.0f}%" if abs(_percent(move)) >= 1 else f"{_percent(move):+.1f}%"
    unit = f" {config.unit}" if config.unit else ""
    return f"{move:+g}{unit}"


def _size_text(config: ScorerConfig, size: float) -> str:
    if config.transform == "log":
        pct = _percent(size)
        return f"{pct:.0f}%" if pct >= 1 else f"{pct:.1f}%"
    unit = f" {config.unit}" if config.unit else ""
    return f"{size:g}{unit}"


def _direction(config: ScorerConfig, up: bool) -> str:
    if config.inverted:  # a rank number that grows is a fall down the results
        return "fall" if up else "climb"
    return "rise" if up else "drop"


def _extreme(config: ScorerConfig, up: bool) -> str:
    if config.inverted:
        return "worst position" if up else "best position"
    return "highest level" if up else "lowest level"


def _move_clause(config: ScorerConfig, f: Facts, span: str) -> str:
    up = f.observed > 0
    what = _direction(config, up)
    if f.lo == f.hi == 0:
        return f"the first move in {span} ({_move_text(config, f.observed)})"
    if f.observed > f.hi or f.observed < f.lo:
        return f"the largest {what} in {span} ({_move_text(config, f.observed)})"
    return f"a {what} of {_move_text(config, f.observed)}, unlike the moves of its {span}"


def _level_clause(config: ScorerConfig, f: Facts, span: str | None) -> str:
    """'the lowest level in 35 days of history', or without a span 'to its lowest level'."""
    beyond = f.observed > f.hi or f.observed < f.lo
    if span is None:
        return f"to its {_extreme(config, f.observed > f.hi)}" if beyond else "to a level not seen before"
    if beyond:
        return f"the {_extreme(config, f.observed > f.hi)} in {span}"
    return f"a level not seen in {span}"


def _usual(config: ScorerConfig, typical: float | None) -> str | None:
    if typical is None:
        return None
    if typical == 0:
        return "it had not moved before"
    return f"it usually moves less than {_size_text(config, typical)}"


def _notable(f: Facts | None) -> bool:
    return f is not None and f.novelty >= math.log10(1 / (1 - NOTABLE))  # nan and small: no


def describe(
    label: str,
    config: ScorerConfig,
    facts: dict[str, Facts],
    span: str,
    typical_move: float | None,
    score: float,
) -> str:
    """One sentence: the evidence that made the score (the move first: buyers think in moves), then
    what is usual for this series."""
    usual = _usual(config, typical_move)
    move, level = facts.get(MOVE), facts.get(LEVEL)
    if score < NOTABLE:
        text = f"{label}: in line with its {span}"
    elif _notable(move):
        text = f"{label}: {_move_clause(config, move, span)}"
        if _notable(level):
            text += ", " + _level_clause(config, level, None)
    else:
        text = f"{label}: {_level_clause(config, level, span)}"
    return text + (f"; {usual}" if usual else "")
