"""Explanations of a score in a buyer's words: "price: the largest drop in 35 days of history (-30%),
to its lowest level; it usually moves less than 2%", "not enough history yet (3 of 14 days)".

Pure functions. Which clause applies is decided on the evidence in model units (`Facts`); amounts
are written in the series' own units: percentages for prices (log transform), places for ranks,
plain numbers for counts, computed from the raw values (`amount`, `usual_words`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from monitor.anomaly.config import LEVEL, MOVE, ScorerConfig

# Below this score a point is familiar ground; from here on its evidence is worth a clause.
NOTABLE = 0.5
# A move "usually" stays below the 90th percentile of the series' past move sizes.
USUAL_QUANTILE = 0.9


@dataclass(frozen=True)
class Facts:
    """One observable of one point: what was observed and the remembered range, in model units."""

    observed: float
    lo: float
    hi: float
    novelty: float

    @property
    def beyond(self) -> bool:
        return self.observed > self.hi or self.observed < self.lo

    @property
    def notable(self) -> bool:
        return self.novelty >= math.log10(1 / (1 - NOTABLE))  # NaN and small novelty: no


def history_words(first: datetime | None, last: datetime | None, points: int) -> str:
    """'35 days of history' when the remembered past spans 35 days, else '60 points of history'."""
    if first is not None and last is not None:
        days = (last - first).total_seconds() / 86400.0
        if days >= 1.5:
            return f"{round(days)} days of history"
        if days * 24 >= 1.5:
            return f"{round(days * 24)} hours of history"
    return f"{points} points of history"


def _number(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 10 or x == round(x) else f"{x:.2g}"


def _percent(ratio: float) -> str:
    pct = abs(100.0 * ratio)
    return f"{pct:.0f}%" if pct >= 1 else f"{pct:.1f}%" if pct >= 0.1 else f"{pct:.2f}%"


def amount(config: ScorerConfig, previous: float, value: float) -> str:
    """A move in the series' units: '-30%', '+12 places', '+4'."""
    if config.transform == "log":
        sign = "+" if value >= previous else "-"
        return sign + _percent(abs(value / previous - 1))
    unit = f" {config.unit}" if config.unit else ""
    return f"{value - previous:+g}{unit}"


def _moves(config: ScorerConfig, raw: np.ndarray) -> np.ndarray:
    """Sizes of the remembered moves in model units for log (ratios), else in raw units."""
    raw = raw[np.isfinite(raw)]
    if config.transform == "log":
        raw = raw[raw > 0]
        return np.abs(np.diff(np.log(raw))) if len(raw) > 1 else np.empty(0)
    return np.abs(np.diff(raw))


def usual_words(config: ScorerConfig, raw: np.ndarray) -> str | None:
    """What is usual for the series, from its remembered raw values: 'it usually moves less than
    2%', 'it had moved twice before', 'it had not moved before'; None without moves."""
    moves = _moves(config, raw)
    if len(moves) == 0:
        return None
    q = float(np.quantile(moves, USUAL_QUANTILE))
    if q == 0:
        times = int(np.count_nonzero(moves))
        return {
            0: "it had not moved before",
            1: "it had moved once before",
            2: "it had moved twice before",
        }.get(times, f"it had moved {times} times before")
    size = _percent(math.expm1(q)) if config.transform == "log" else _number(q)
    unit = f" {config.unit}" if config.unit and config.transform != "log" else ""
    return f"it usually moves less than {size}{unit}"


def _direction(config: ScorerConfig, up: bool) -> str:
    if config.inverted:  # a rank number that grows is a fall down the results
        return "fall" if up else "climb"
    return "rise" if up else "drop"


def _extreme(config: ScorerConfig, up: bool) -> str:
    if config.inverted:
        return "worst position" if up else "best position"
    return "highest level" if up else "lowest level"


def _move_clause(config: ScorerConfig, f: Facts, span: str, moved: str) -> str:
    if f.lo == f.hi == 0:
        return f"the first move in {span} ({moved})"
    what = _direction(config, f.observed > 0)
    if f.beyond:
        return f"the largest {what} in {span} ({moved})"
    return f"a {what} of {moved}, unlike the moves of its {span}"


def _level_clause(config: ScorerConfig, f: Facts, span: str | None) -> str:
    """'the lowest level in 35 days of history', or after a move clause 'to its lowest level'."""
    if span is None:
        return f"to its {_extreme(config, f.observed > f.hi)}" if f.beyond else "to a level not seen before"
    if f.beyond:
        return f"the {_extreme(config, f.observed > f.hi)} in {span}"
    return f"a level not seen in {span}"


def describe(
    label: str,
    config: ScorerConfig,
    facts: dict[str, Facts],
    span: str,
    moved: str | None,
    usual: str | None,
    score: float,
) -> str:
    """One sentence: the evidence that made the score (the move first: buyers think in moves), then
    what is usual for this series. `moved`: this point's move in words; `usual`: `usual_words`."""
    move, level = facts.get(MOVE), facts.get(LEVEL)
    if score < NOTABLE:
        text = f"{label}: in line with its {span}"
    elif move is not None and move.notable and moved is not None:
        text = f"{label}: {_move_clause(config, move, span, moved)}"
        if level is not None and level.notable:
            text += ", " + _level_clause(config, level, None)
    elif level is not None:
        text = f"{label}: {_level_clause(config, level, span)}"
    else:
        text = f"{label}: unusual for its {span}"
    return text + (f"; {usual}" if usual else "")
