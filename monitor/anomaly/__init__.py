"""Anomaly models: which moves of a series matter.

Robust baseline (median/MAD) for spikes and dips, level shifts, a seasonal baseline, calibration
against the series' own history and suppression after an alarm, combined into one score in [0, 1]
with a plain explanation; IsolationForest over per-competitor daily features in `multivariate`.
"""

from monitor.anomaly.config import ScorerConfig
from monitor.anomaly.scorer import AnomalyScore, SeriesScorer, score_matrix, score_series

__all__ = ["AnomalyScore", "ScorerConfig", "SeriesScorer", "score_matrix", "score_series"]
