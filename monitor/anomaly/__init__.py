"""Anomaly models: which moves of a series matter.

One detector, novelty against the series' own past (`novelty`): a level or a move at a distance
from everything the series has shown, in units of its usual range, scores near 1; familiar ground
near 0; no score at all before the series has enough history. `model` runs it for n series at once,
`scorer` is the streaming and batch API with explanations (`explain`); `multivariate` scores
per-competitor daily features with an IsolationForest; `nab_scoring` is the NAB benchmark's scorer.
"""

from monitor.anomaly.config import ScorerConfig
from monitor.anomaly.scorer import AnomalyScore, SeriesScorer, score_matrix, score_series

__all__ = ["AnomalyScore", "ScorerConfig", "SeriesScorer", "score_matrix", "score_series"]
