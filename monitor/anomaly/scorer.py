"""Streaming and batch scoring of series: the public face of the anomaly models.

`SeriesScorer` scores the points of one series as they arrive (causal, O(history) per point) and
explains each score in words; `score_matrix` scores many series at once with the same arithmetic
(`model.NoveltyModel`), vectorised over the series. A score is absent (None, NaN in matrices) until
the series has `min_history` points: "not enough history" is not a score of 0.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from monitor.anomaly.config import ScorerConfig
from monitor.anomaly.explain import Facts, amount, describe, history_words, usual_words
from monitor.anomaly.first import STATE_VERSION, AnomalyScore, absent, pack_times, unpack_times
from monitor.anomaly.model import Evidence, NoveltyModel


class SeriesScorer:
    """Scores the points of one series as they arrive, each from its past only."""

    def __init__(self, config: ScorerConfig | None = None, label: str = "value") -> None:
        self.config = config or ScorerConfig()
        self.label = label
        self._model = NoveltyModel(1, self.config)
        # One more raw value than the memories hold: replaying them rebuilds every memory exactly.
        self._raw: deque[float] = deque(maxlen=self.config.history + 1)
        self._times: deque[datetime | None] = deque(maxlen=self.config.history + 1)

    def update(self, timestamp: datetime | None, value: float) -> AnomalyScore:
        ev = self._model.step(np.array([float(value)]))
        score = float(ev.score[0])
        components = {"history": float(ev.seen[0])}
        for o in self.config.observe:
            components[f"{o}_novelty"] = float(ev.novelty[o][0])
            components[o] = float(ev.observed[o][0])
        if math.isnan(score):
            if ev.seen[0] >= self.config.min_history:  # enough history: the value itself is unusable
                text = f"{self.label}: no usable value ({value})"
            else:
                text = absent(self.label, int(ev.seen[0]), self.config.min_history, list(self._times))
            result = AnomalyScore(None, text, components)
        else:
            result = AnomalyScore(score, self._explain(ev, timestamp, float(value)), components)
        self._raw.append(float(value))
        self._times.append(timestamp)
        return result

    def _explain(self, ev: Evidence, timestamp: datetime | None, value: float) -> str:
        c = self.config
        remembered = list(self._times)[-c.history :]
        span = history_words(remembered[0] if remembered else None, timestamp, int(ev.seen[0]))
        facts = {
            o: Facts(
                float(ev.observed[o][0]), float(ev.lo[o][0]), float(ev.hi[o][0]), float(ev.novelty[o][0])
            )
            for o in c.observe
        }
        raw = np.fromiter(self._raw, dtype=float, count=len(self._raw))[-c.history :]
        known = raw[np.isfinite(raw)]
        moved = (
            amount(c, float(known[-1]), value)
            if len(known) and (c.transform != "log" or known[-1] > 0)
            else None
        )
        return describe(self.label, c, facts, span, moved, usual_words(c, raw), float(ev.score[0]))

    def state_dict(self) -> dict:
        """JSON-able state, so the store can persist it between crawls: the remembered raw values
        (replayed on load) and their times."""
        return {
            "version": STATE_VERSION,
            "config": self.config.to_dict(),
            "label": self.label,
            "seen": int(self._model.seen[0]),
            "values": [v if math.isfinite(v) else None for v in self._raw],
            "times": pack_times(list(self._times)),
        }

    @classmethod
    def from_state(cls, d: dict) -> SeriesScorer:
        """A scorer from `state_dict()`. A state of the earlier model (version 1: robust z-scores and
        a calibration histogram) is rebuilt from the values it kept (its last 60 points), with the
        default configuration: those values are all the new model needs."""
        version = d.get("version")
        if version == 1:
            config = ScorerConfig.rank() if d.get("label") == "rank" else ScorerConfig()
            times = [datetime.fromisoformat(t) if t else None for t in d["times"]]
            return cls._replayed(config, d.get("label", "value"), d["values"], times, len(d["values"]))
        if version != STATE_VERSION:
            raise ValueError(f"anomaly scorer state version {version!r} is not {STATE_VERSION}")
        config = ScorerConfig.from_dict(d["config"])
        times = unpack_times(d["times"])
        return cls._replayed(config, d.get("label", "value"), d["values"], times, int(d["seen"]))

    @classmethod
    def _replayed(
        cls, config: ScorerConfig, label: str, values: list, times: list[datetime | None], seen: int
    ) -> SeriesScorer:
        self = cls(config, label)
        for v, t in zip(values, times, strict=True):
            raw = float("nan") if v is None else float(v)
            self._model.absorb(np.array([raw]))
            self._raw.append(raw)
            self._times.append(t)
        self._model.seen[0] = seen
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
    """Scores (n_series, n_points) for a matrix of series, vectorised and causal; NaN where a series
    has too little history. The same numbers as feeding each row to a `SeriesScorer`."""
    x = np.atleast_2d(np.asarray(values, dtype=float))
    model = NoveltyModel(x.shape[0], config or ScorerConfig())
    out = np.empty(x.shape)
    columns = np.ascontiguousarray(x.T)
    for t in range(x.shape[1]):
        out[:, t] = model.step(columns[t]).score
    return out
