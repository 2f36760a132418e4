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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from monitor.anomaly.config import ScorerConfig
from monitor.anomaly.explain import Facts, absent, amount, describe, history_words, usual_words
from monitor.anomaly.model import Evidence, NoveltyModel, transform

STATE_VERSION = 2


@dataclass(frozen=True)
class AnomalyScore:
    """How anomalous a point is: `score` in [0, 1] (0.9: beyond anything the series did before by a
    whole usual range; ~0: familiar ground), or None while the series has too little history; a
    sentence for people; the evidence by observable for rules and reports."""

    score: float | None
    explanation: str
    components: dict[str, float] = field(default_factory=dict)


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

    @classmethod
    def first_point(
        cls, timestamp: datetime | None, value: float, config: ScorerConfig | None = None, label: str = "value"
    ) -> tuple[AnomalyScore, dict] | None:
        """What a new scorer's first `update(timestamp, value)` returns and the `state_dict()` it then
        has, without building its model: a first point is never scored, and the first check of every
        watch in a new store would otherwise pay for a model's arrays, a numpy step and a state
        (a quarter of a millisecond each, a tenth of a first crawl's extraction). The score carries
        the history count only (`components`). None when the shortcut does not apply (a model that
        scores from the first point, a value that is not a usable number): call `update`."""
        config = config or ScorerConfig()
        if config.min_history < 1 or not np.isfinite(transform(np.array([float(value)]), config.transform)[0]):
            return None
        times = [timestamp]
        score = AnomalyScore(None, absent(label, 0, config.min_history, []), {"history": 0.0})
        state = {
            "version": STATE_VERSION,
            "config": config.to_dict(),
            "label": label,
            "seen": 1,
            "values": [float(value)],
            "times": _pack_times(times),
        }
        return score, state

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
            "times": _pack_times(list(self._times)),
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
        times = _unpack_times(d["times"])
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


def _pack_times(times: list[datetime | None]) -> dict:
    """Times as one ISO start and whole seconds after it: a few bytes per point instead of thirty."""
    start = next((t for t in times if t is not None), None)
    offsets = [None if t is None or start is None else round((t - start).total_seconds()) for t in times]
    return {"start": start.isoformat() if start else None, "offsets": offsets}


def _unpack_times(packed: dict) -> list[datetime | None]:
    start = datetime.fromisoformat(packed["start"]) if packed["start"] else None
    return [None if s is None or start is None else start + timedelta(seconds=s) for s in packed["offsets"]]


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
