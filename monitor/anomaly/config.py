"""The scorer's settings: one frozen record, JSON-able, with a preset per kind of series.

The model has few free parameters, and each has a reason (below). Which preset scores which series
is decided by the caller (`anomaly_scan`, `anomaly_feed`, `rivalwatch anomaly nab`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

LEVEL, MOVE = "level", "move"


@dataclass(frozen=True)
class ScorerConfig:
    """How a series is scored. Lengths are in points (one point per observation).

    The defaults suit daily prices (and other positive amounts where a move means a percentage).
    """

    # How raw values become the numbers the model compares: "log" (a move is a ratio, so -30% on a
    # 10.00 price and on a 1,000.00 price are the same move), "log1p" (counts that can be 0) or
    # "linear" (ranks, where a move is a number of places; machine metrics).
    transform: str = "log"
    # What must be new to be anomalous: the level (a price, a rank never seen) and/or the move from
    # the previous point (a drop this series never made). Market series watch both: a -30% drop is
    # both; a slow drift makes new levels by tiny moves, and a price war makes familiar levels by
    # unheard-of moves.
    observe: tuple[str, ...] = (LEVEL, MOVE)
    # Materiality: the smallest "usual range" a series is credited with, in transformed units.
    # 0.05 in log units is 5%: on a price that never moved, a move 5% beyond anything seen scores
    # 0.9; a 0.2% drift step or a 1-cent wobble stays near 0.
    floor: float = 0.05
    # How many past points the model remembers: a year of daily points, long enough to have seen a
    # season's promotions, short enough that last year's price war does not make today's look
    # routine. Novelty is judged against this history; work and stored state are proportional to it.
    history: int = 365
    # No score before this many points: two weeks of daily points, so a weekly pattern has been seen
    # twice and one day of data never reads as "as usual" or as an anomaly.
    min_history: int = 14
    # Words for explanations: what a move is measured in ("%" for log transforms, else this word)
    # and whether a higher number is a lower position (ranks: 3 -> 15 is a drop).
    unit: str = ""
    inverted: bool = False

    @classmethod
    def rank(cls) -> ScorerConfig:
        """Keyword ranks: positions, linear; moving 3 places when a keyword never moved is notable."""
        return cls(transform="linear", floor=3.0, unit="places", inverted=True)

    @classmethod
    def count(cls) -> ScorerConfig:
        """Counts that can be zero (listing sizes, changes per day): log1p, so 0 -> 1 is a move of
        log 2 and 100 -> 101 almost none; a floor of log 2 (a doubling) is the smallest usual range."""
        return cls(transform="log1p", floor=0.69)

    @classmethod
    def nab(cls) -> ScorerConfig:
        """Machine metrics sampled every few minutes (the NAB benchmark): the level only, linear, no
        materiality floor (units are arbitrary; a constant series still has range 0, see novelty),
        and a month of 5-minute points (8,640, the history HTM's anomaly likelihood keeps)."""
        return cls(transform="linear", observe=(LEVEL,), floor=0.0, history=8640)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["observe"] = list(self.observe)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScorerConfig:
        known = {f.name for f in fields(cls)}
        kept = {k: v for k, v in d.items() if k in known}
        if "observe" in kept:
            kept["observe"] = tuple(kept["observe"])
        return cls(**kept)
