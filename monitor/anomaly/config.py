"""The scorer's settings: one frozen record, JSON-able, with a preset for daily market series and one
for the minute-level machine series of the NAB benchmark."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class ScorerConfig:
    """How a series is scored. Lengths are in points (one point per observation).

    The defaults suit daily market series (prices, counts, ranks): a two-month baseline, a weekly
    seasonal baseline and a two-week suppression after an alarm.
    """

    # Robust baseline: median and MAD of the last `window` points (the spike / dip detector).
    window: int = 60
    # No score before this many points of history: a median of fewer points means little.
    min_history: int = 8
    # Level shift: median of the last `level_points` points against the baseline. Its z-score is
    # multiplied by level_weight * sqrt(level_points), as a lasting move is stronger evidence.
    level_points: int = 3
    level_weight: float = 0.5
    # Seasonal baseline: median of the values one, two ... `season_count` periods ago. A move is
    # only anomalous when neither the plain nor the seasonal baseline explains it. None disables.
    season_period: int | None = 7
    season_count: int = 3
    # Calibration: a raw score is compared with the `quantile` of this series' own past raw scores
    # (an exponentially forgetting histogram of `memory` points), so that one threshold fits
    # quiet and noisy series alike; calibration starts after `warmup` raw scores.
    quantile: float = 0.99
    memory: int = 365
    warmup: int = 20
    bins: int = 40
    raw_top: float = 8.0
    # After a point that tops every score of the last `suppress` points, the following points that
    # do not top it again score 0: one event, one alarm.
    suppress: int = 14
    # Scale floors: a flat series still has a scale (a fraction of its spread, of its level).
    spread_floor: float = 0.2
    level_floor: float = 1e-3

    @classmethod
    def nab(cls) -> ScorerConfig:
        """The one configuration used on every file of the NAB benchmark (5-minute machine data)."""
        return cls(window=1000, season_period=None, memory=2000, suppress=100)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScorerConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    @property
    def history(self) -> int:
        """How many past values the streaming state keeps."""
        seasonal = (self.season_period or 0) * self.season_count
        return max(self.window, seasonal, self.level_points)
