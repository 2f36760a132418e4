"""Streaming and batch scoring of series: the public face of the anomaly models.

`SeriesScorer` keeps per-series state (the last `config.history` values, seasonal residuals,
calibration histogram, recent ratios) and scores each new point from the past only, in
O(window). `score_matrix` scores many series at once with the same arithmetic, vectorised.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from monitor.anomaly.calibration import Calibrator
from monitor.anomaly.components import matrix_components, point_components
from monitor.anomaly.config import ScorerConfig
from monitor.anomaly.explain import explain, span_words, when_words

STATE_VERSION = 1
# A level shift started at the oldest point of the recent run that sits this many scales away.
_SHIFT_Z = 3.0


@dataclass(frozen=True)
class AnomalyScore:
    """How anomalous a point is: `score` in [0, 1] (0.5 = as surprising as this series' usual top
    1%), a sentence for people, and the evidence by detector for rules and reports."""

    score: float
    explanation: str
    components: dict[str, float] = field(default_factory=dict)


class SeriesScorer:
    """Scores the points of one series as they arrive (causal, constant work per point)."""

    def __init__(self, config: ScorerConfig | None = None, label: str = "value") -> None:
        self.config = config or ScorerConfig()
        self.label = label
        self._values: deque[float] = deque(maxlen=self.config.history)
        self._times: deque[datetime | None] = deque(maxlen=self.config.history)
        self._residuals: deque[float] = deque(maxlen=self.config.window)
        self._calibrator = Calibrator(1, self.config)

    def update(self, timestamp: datetime | None, value: float) -> AnomalyScore:
        c = self.config
        history = np.fromiter(self._values, dtype=float, count=len(self._values))
        comp, resid = point_components(history, np.fromiter(self._residuals, dtype=float), float(value), c)
        score, ratio, suppressed = self._calibrator.step(np.atleast_1d(comp.raw), np.atleast_1d(comp.valid))
        explanation = f"{self.label}: not enough history yet"
        if bool(comp.valid):
            explanation = self._explain(timestamp, float(value), comp, bool(suppressed[0]))
        self._values.append(float(value))
        self._times.append(timestamp)
        if not np.isnan(resid):
            self._residuals.append(float(resid))
        components = {
            "spike_z": float(comp.spike),
            "level_z": float(comp.level),
            "seasonal_z": float(comp.seasonal),
            "raw": float(comp.raw),
            "ratio": float(ratio[0]),
            "baseline": float(comp.median),
        }
        return AnomalyScore(float(score[0]), explanation, components)

    def _explain(self, timestamp: datetime | None, value: float, comp, suppressed: bool) -> str:
        c = self.config
        times = list(self._times)[-c.window :]
        span = span_words(times[0] if times else None, timestamp, min(len(times), c.window))
        since = None
        if abs(float(comp.level)) >= _SHIFT_Z:
            sign = np.sign(float(comp.level))
            start = None
            for v, t in zip(reversed(self._values), reversed(self._times), strict=True):
                if sign * (v - float(comp.median)) / float(comp.scale) < _SHIFT_Z:
                    break
                start = t
            if start is not None and timestamp is not None:
                since = when_words(start, timestamp)
        return explain(
            self.label,
            value,
            float(comp.median),
            float(comp.spike),
            float(comp.level),
            float(comp.seasonal),
            span,
            since,
            suppressed,
        )

    def state_dict(self) -> dict:
        """JSON-able state, so the store can persist it between crawls."""
        return {
            "version": STATE_VERSION,
            "config": self.config.to_dict(),
            "label": self.label,
            "values": list(self._values),
            "times": [t.isoformat() if t else None for t in self._times],
            "residuals": list(self._residuals),
            "calibrator": self._calibrator.state_dict(),
        }

    @classmethod
    def from_state(cls, d: dict) -> SeriesScorer:
        if d.get("version") != STATE_VERSION:
            raise ValueError(f"anomaly scorer state version {d.get('version')!r} is not {STATE_VERSION}")
        self = cls(ScorerConfig.from_dict(d["config"]), d.get("label", "value"))
        self._values.extend(float(v) for v in d["values"])
        self._times.extend(datetime.fromisoformat(t) if t else None for t in d["times"])
        self._residuals.extend(float(v) for v in d["residuals"])
        self._calibrator = Calibrator.from_state(d["calibrator"], self.config)
        return self


def score_series(
    timestamps: Sequence[datetime | None],
    values: Sequence[float],
    config: ScorerConfig | None = None,
    label: str = "value",
) -> list[AnomalyScore]:
    """Scores of every point of one series, each from its past only."""
    scorer = SeriesScorer(config, label)
    return [scorer.update(t, v) for t, v in zip(timestamps, values, strict=True)]


def score_matrix(values: np.ndarray, config: ScorerConfig | None = None) -> np.ndarray:
    """Scores (n_series, n_points) in [0, 1] for a matrix of series, vectorised and causal.

    The same numbers as feeding each row to a `SeriesScorer`, without the explanations.
    """
    c = config or ScorerConfig()
    x = np.atleast_2d(np.asarray(values, dtype=float))
    comp = matrix_components(x, c)
    calibrator = Calibrator(x.shape[0], c)
    out = np.zeros(x.shape)
    raw, valid = np.ascontiguousarray(comp.raw.T), np.ascontiguousarray(comp.valid.T)
    for t in range(x.shape[1]):
        out[:, t] = calibrator.step(raw[t], valid[t])[0]
    return out
