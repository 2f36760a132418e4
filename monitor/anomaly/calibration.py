"""From raw surprise to a score in [0, 1] that means the same on every series, and one alarm per event.

A raw score (log of a robust z) is divided by a high quantile of the same series' past raw scores:
a noisy series must beat its own usual noise, a quiet one only its own. The quantile comes from a
small exponentially forgetting histogram per series (O(bins) per point, a few numbers of state).
Then suppression: a point that does not top every ratio of the last `suppress` points scores 0, so
a lasting event alarms at its onset and again only if it grows.
"""

from __future__ import annotations

import numpy as np

from monitor.anomaly.config import ScorerConfig

# ratio 1 (raw score at the series' usual 99% quantile) maps to 0.5; steepness of the logistic.
_STEEPNESS = 3.0


def ratio_to_score(ratio: np.ndarray) -> np.ndarray:
    return np.where(ratio > 0, 1.0 / (1.0 + np.exp(-_STEEPNESS * (ratio - 1.0))), 0.0)


class Calibrator:
    """Calibration and suppression state for n series, advanced one time step at a time."""

    def __init__(self, n: int, config: ScorerConfig) -> None:
        self.config = config
        self.counts = np.zeros((n, config.bins))
        self.seen = np.zeros(n, dtype=np.int64)
        self.recent = np.zeros((n, max(1, config.suppress)))  # past ratios, a ring buffer
        self.position = 0
        self.decay = 1.0 - 1.0 / config.memory

    def reference(self) -> np.ndarray:
        """The configured quantile of each series' past raw scores (NaN while warming up)."""
        c = self.config
        cum = np.cumsum(self.counts, axis=1)
        target = c.quantile * cum[:, -1]
        idx = np.minimum((cum < target[:, None]).sum(axis=1), c.bins - 1)
        rows = np.arange(len(idx))
        before = np.where(idx > 0, cum[rows, np.maximum(idx - 1, 0)], 0.0)
        width = c.raw_top / c.bins
        frac = np.clip((target - before) / np.fmax(self.counts[rows, idx], 1e-12), 0.0, 1.0)
        ref = (idx + frac) * width
        return np.where(self.seen >= c.warmup, ref, np.nan)

    def step(self, raw: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores for one time step; returns (score, ratio to the reference, suppressed?)."""
        c = self.config
        ref = self.reference()
        ratio = np.where(valid & np.isfinite(ref), raw / np.fmax(ref, 1e-9), 0.0)
        suppressed = (
            (ratio > 0) & (ratio <= self.recent.max(axis=1)) if c.suppress > 0 else np.zeros_like(valid)
        )
        score = np.where(suppressed, 0.0, ratio_to_score(ratio))
        if c.suppress > 0:
            self.recent[:, self.position] = ratio
            self.position = (self.position + 1) % self.recent.shape[1]
        b = np.minimum((np.nan_to_num(raw) / c.raw_top * c.bins).astype(np.int64), c.bins - 1)
        rows = np.flatnonzero(valid)
        self.counts[rows] *= self.decay
        self.counts[rows, b[rows]] += 1.0
        self.seen[rows] += 1
        return score, ratio, suppressed

    def state_dict(self) -> dict:
        return {
            "counts": self.counts.tolist(),
            "seen": self.seen.tolist(),
            "recent": self.recent.tolist(),
            "position": self.position,
        }

    @classmethod
    def from_state(cls, d: dict, config: ScorerConfig) -> Calibrator:
        counts = np.asarray(d["counts"], dtype=float)
        self = cls(len(counts), config)
        self.counts = counts
        self.seen = np.asarray(d["seen"], dtype=np.int64)
        self.recent = np.asarray(d["recent"], dtype=float).reshape(len(counts), -1)
        self.position = int(d["position"])
        return self
