"""Anomaly models: which moves of a series matter.

One detector, novelty against the series' own past (`novelty`): a level or a move at a distance
from everything the series has shown, in units of its usual range, scores near 1; familiar ground
near 0; no score at all before the series has enough history. `model` runs it for n series at once,
`scorer` is the streaming and batch API with explanations (`explain`); `multivariate` scores
per-competitor daily features with an IsolationForest; `nab_scoring` is the NAB benchmark's scorer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from monitor.anomaly.config import ScorerConfig
from monitor.anomaly.first import AnomalyScore

if TYPE_CHECKING:
    from monitor.anomaly.scorer import SeriesScorer, score_matrix, score_series

_WITH_NUMPY = frozenset({"SeriesScorer", "score_matrix", "score_series"})


def __getattr__(name: str) -> Any:  # noqa: ANN401
    """The scorer on first use (PEP 562): it brings numpy, which a crawl whose series are all new or
    unmoved never needs (monitor.anomaly.first)."""
    if name in _WITH_NUMPY:
        from monitor.anomaly import scorer

        return getattr(scorer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["AnomalyScore", "ScorerConfig", "SeriesScorer", "score_matrix", "score_series"]
