"""The anomaly model of n series advanced one time step at a time, vectorised over the series.

Each raw value is transformed (log for prices, linear for ranks ...), split into the observables
the configuration watches (the level itself, the move from the previous value), and each observable
is judged by its novelty against that series' own remembered past (see `novelty`). The score is a
logistic curve in log novelty,

    score = 1 / (1 + (0.5 / novelty) ** K),  K = log 9 / log 2,

anchored so that a point half its usual range beyond anything the series did scores 0.5, a whole
usual range beyond 0.9 and twice 0.99, while familiar ground (novelty 0.1) scores under 0.01: a move
never made reads near 1, a routine one near 0. Before `min_history` points there is no score (NaN).
`SeriesScorer` (one series, streaming) and `score_matrix` (many, batch) both run this class, so
their numbers are the same by construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from monitor.anomaly.config import LEVEL, MOVE, ScorerConfig
from monitor.anomaly.novelty import NoveltyMemory, novelty


def transform(x: np.ndarray, kind: str) -> np.ndarray:
    """Raw values to model units; values the transform cannot take (a price <= 0) become NaN."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "log":
            return np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
        if kind == "log1p":
            return np.where(x >= 0, np.log1p(np.where(x >= 0, x, 0.0)), np.nan)
    if kind == "linear":
        return x.copy()
    raise ValueError(f"unknown transform {kind!r} (log, log1p or linear)")


HALF = 0.5  # the novelty that scores 0.5
STEEPNESS = math.log(9) / math.log(2)  # so that twice HALF scores 0.9


def score_of(nov: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", over="ignore"):
        return 1.0 / (1.0 + np.power(HALF / np.asarray(nov, dtype=float), STEEPNESS))


def novelty_of(score: float) -> float:
    """The inverse of `score_of`: what novelty a score threshold stands for."""
    if score <= 0:
        return 0.0
    if score >= 1:
        return math.inf
    return HALF / (1.0 / score - 1.0) ** (1.0 / STEEPNESS)


@dataclass
class Evidence:
    """One time step of n series: arrays of shape (n,). Per observable: the observed number in model
    units, its gap to the nearest remembered one, the remembered range and the novelty."""

    score: np.ndarray  # NaN: not enough history (or no usable value)
    seen: np.ndarray  # points seen before this one
    observed: dict[str, np.ndarray]
    gap: dict[str, np.ndarray]
    lo: dict[str, np.ndarray]
    hi: dict[str, np.ndarray]
    novelty: dict[str, np.ndarray]


class NoveltyModel:
    """State and arithmetic for n series."""

    def __init__(self, n: int, config: ScorerConfig) -> None:
        for o in config.observe:
            if o not in (LEVEL, MOVE):
                raise ValueError(f"unknown observable {o!r} (level or move)")
        self.config = config
        self.memories = {o: NoveltyMemory(n, config.history) for o in config.observe}
        self.last = np.full(n, np.nan)  # previous usable level, for moves
        self.seen = np.zeros(n, dtype=np.int64)

    def _observables(self, y: np.ndarray) -> dict[str, np.ndarray]:
        return {o: (y if o == LEVEL else y - self.last) for o in self.config.observe}

    def step(self, raw: np.ndarray) -> Evidence:
        c = self.config
        y = transform(raw, c.transform)
        observed = self._observables(y)
        gap, lo, hi, nov = {}, {}, {}, {}
        for o, x in observed.items():
            memory = self.memories[o]
            gap[o], lo[o], hi[o] = memory.gap(x), memory.lo.copy(), memory.hi.copy()
            nov[o] = novelty(gap[o], lo[o], hi[o], c.floor)
        strongest = np.fmax.reduce(np.stack(list(nov.values())), axis=0)
        usable = (self.seen >= c.min_history) & np.isfinite(y)
        score = np.where(usable, score_of(np.nan_to_num(strongest, nan=0.0)), np.nan)
        evidence = Evidence(score, self.seen.copy(), observed, gap, lo, hi, nov)
        self._remember(y, observed)
        return evidence

    def absorb(self, raw: np.ndarray) -> None:
        """Remember a value without judging it (replaying a stored history)."""
        y = transform(raw, self.config.transform)
        self._remember(y, self._observables(y))

    def _remember(self, y: np.ndarray, observed: dict[str, np.ndarray]) -> None:
        for o, x in observed.items():
            self.memories[o].push(x)
        ok = np.isfinite(y)
        self.last = np.where(ok, y, self.last)
        self.seen += ok
