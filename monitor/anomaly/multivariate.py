"""Multivariate model over per-competitor daily features (IsolationForest).

One record per competitor and day: share of its prices that moved, mean relative move, stock-outs,
new items. A day is scored by a forest fitted on that competitor's earlier days only (causal), refit
every `refit_every` days on a trailing window, so each day costs a prediction, not a refit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sklearn.ensemble import IsolationForest

from monitor.anomaly.scorer import AnomalyScore

FEATURES = ("share_moved", "mean_move", "stock_outs", "new_items")
_Z_HALF = 8.0  # a feature this many IQRs from its median alone gives 0.5
_WORDS = {
    "share_moved": "share of prices moved",
    "mean_move": "mean price move",
    "stock_outs": "stock-outs",
    "new_items": "new items",
}


@dataclass(frozen=True)
class CompetitorDay:
    """What one competitor did on one day."""

    day: date
    share_moved: float
    mean_move: float
    stock_outs: float
    new_items: float

    def vector(self) -> list[float]:
        return [float(getattr(self, f)) for f in FEATURES]


# A forest fitted on a window of past days, with the robust centre and spread of each feature and
# the range of the forest's scores of its own training days.
_Fit = tuple[IsolationForest, np.ndarray, np.ndarray, float, float]


def _fit(past: np.ndarray, seed: int) -> _Fit:
    forest = IsolationForest(n_estimators=100, random_state=seed).fit(past)
    center = np.median(past, axis=0)
    spread = np.fmax(np.percentile(past, 75, axis=0) - np.percentile(past, 25, axis=0), 1e-9)
    # The forest's own scores of its training days set the scale: the day is compared to them.
    train = -forest.score_samples(past)
    return forest, center, spread, float(np.median(train)), float(np.max(train))


def score_competitor_days(
    days: Sequence[CompetitorDay],
    min_days: int = 21,
    window: int = 180,
    refit_every: int = 7,
    seed: int = 0,
) -> list[AnomalyScore]:
    """Scores in [0, 1] for each day of one competitor (None during the first `min_days`: too few
    days to know what is usual)."""
    x = np.array([d.vector() for d in days], dtype=float).reshape(-1, len(FEATURES))
    out: list[AnomalyScore] = []
    fit: _Fit | None = None
    fitted_at = -refit_every
    for i in range(len(x)):
        if i < min_days:
            out.append(
                AnomalyScore(
                    None, f"competitor activity: not enough history yet ({i} of {min_days} days)", {}
                )
            )
            continue
        if fit is None or i - fitted_at >= refit_every:
            fit = _fit(x[max(0, i - window) : i], seed)
            fitted_at = i
        forest, center, spread, base, top = fit
        raw = float(-forest.score_samples(x[i : i + 1])[0])
        # 0.5 = as isolated as the oddest earlier day. A forest saturates on far-out points (they all
        # isolate in one split), so the robust z of the most extreme feature can raise the score.
        forest_part = float(np.clip(0.5 * (raw - base) / max(top - base, 1e-9), 0.0, 1.0))
        z = (x[i] - center) / spread
        z_part = float(1.0 / (1.0 + np.exp(-(np.max(np.abs(z)) - _Z_HALF))))
        score = max(forest_part, z_part)
        notable = [
            f"{_WORDS[f]} {'up' if z[j] > 0 else 'down'}" for j, f in enumerate(FEATURES) if abs(z[j]) >= 3
        ]
        text = (
            "competitor activity unusual: " + ", ".join(notable)
            if notable and score >= 0.5
            else "competitor activity as usual"
        )
        out.append(
            AnomalyScore(score, text, {f"{f}_z": float(z[j]) for j, f in enumerate(FEATURES)} | {"raw": raw})
        )
    return out


def combine(*scores: AnomalyScore) -> AnomalyScore:
    """One score from several detectors' scores: the strongest, with the notable explanations; None
    when no detector has a score yet."""
    present = [(s.score, s) for s in scores if s.score is not None]
    if not present:
        return AnomalyScore(None, scores[0].explanation if scores else "no evidence", {})
    best = max(present, key=lambda p: p[0])[1]
    texts = [s.explanation for score, s in sorted(present, key=lambda p: -p[0]) if score >= 0.5]
    components = {}
    for number, s in enumerate(scores):
        components.update({f"{number}.{k}": v for k, v in s.components.items()})
        if s.score is not None:
            components[f"{number}.score"] = s.score
    return AnomalyScore(best.score, "; ".join(texts) if texts else best.explanation, components)
