"""The detectors' raw evidence for each point: spike/dip (robust z against the recent median),
level shift (median of the last few points against it) and seasonal residual (against the mean and spread of past residuals), folded into one raw
score. Two entry points compute the same numbers: `matrix_components` for a whole matrix of series
at once (vectorised, causal: column t sees columns < t and itself only) and `point_components` for
the next point of one series (streaming).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from monitor.anomaly.config import ScorerConfig
from monitor.anomaly.robust import baseline, mean_std, rolling_baseline, rolling_mean_std, trailing_median
from monitor.anomaly.seasonal import seasonal_baseline, seasonal_point


@dataclass
class Components:
    """Arrays of one shape (n_series, n_points), or 0-d for one point. NaN where not defined."""

    median: np.ndarray  # robust baseline of the past window
    scale: np.ndarray
    spike: np.ndarray  # signed z of the point against the baseline
    level: np.ndarray  # signed z of the median of the last level_points points
    seasonal: np.ndarray  # signed z of the seasonal residual (NaN without seasonal history)
    raw: np.ndarray  # log1p of the strongest evidence; what calibration ranks
    valid: np.ndarray  # enough history to say anything


def _fold(spike, level, seasonal, config: ScorerConfig):
    """One raw score: the deviation must be unexplained by both baselines (min), and a lasting
    level shift counts as stronger evidence than a single point (sqrt of its length)."""
    deviation = np.abs(spike)
    deviation = np.where(np.isnan(seasonal), deviation, np.fmin(deviation, np.abs(seasonal)))
    lasting = config.level_weight * math.sqrt(config.level_points) * np.abs(level)
    return np.log1p(np.nan_to_num(np.fmax(deviation, lasting)))


def matrix_components(x: np.ndarray, config: ScorerConfig) -> Components:
    c = config
    x = np.asarray(x, dtype=float)
    med, scale = rolling_baseline(x, c.window, 0, c.min_history, c.spread_floor, c.level_floor)
    spike = (x - med) / scale
    level = (trailing_median(x, c.level_points) - med) / scale
    seasonal = np.full(x.shape, np.nan)
    if c.season_period:
        base = seasonal_baseline(x, c.season_period, c.season_count)
        resid = x - base
        r_med, r_scale = rolling_mean_std(resid, c.window, c.season_period, c.min_history)
        r_scale = np.fmax(np.fmax(r_scale, c.level_floor * np.abs(med)), 1e-12)
        seasonal = (resid - r_med) / r_scale
    valid = ~np.isnan(med)
    return Components(med, scale, spike, level, seasonal, _fold(spike, level, seasonal, c), valid)


def point_components(
    history: np.ndarray, residuals: np.ndarray, x: float, config: ScorerConfig
) -> tuple[Components, float]:
    """Components of the point `x` after `history` (its past values, oldest first) and
    `residuals` (past seasonal residuals); also returns x's own seasonal residual (NaN if none)."""
    c = config
    nan = np.array(np.nan)
    resid = np.nan
    if c.season_period:
        resid = x - seasonal_point(history, c.season_period, c.season_count)
    if len(history) < c.min_history:
        return Components(nan, nan, nan, nan, nan, np.array(0.0), np.array(False)), resid
    med, scale = baseline(history[-c.window :], c.spread_floor, c.level_floor)
    spike = (x - med) / scale
    recent = (
        np.append(history[len(history) - (c.level_points - 1) :], x) if c.level_points > 1 else np.array([x])
    )
    level = (np.median(recent) - med) / scale
    seasonal = nan
    past = residuals[-c.window :]
    if not math.isnan(resid) and len(past) >= c.min_history:
        r_med, r_scale = mean_std(past)
        seasonal = (resid - r_med) / max(r_scale, c.level_floor * abs(med), 1e-12)
    raw = _fold(spike, level, seasonal, c)
    return Components(med, scale, spike, level, np.asarray(seasonal), raw, np.array(True)), resid
