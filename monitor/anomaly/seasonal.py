"""Seasonal (e.g. weekly) baseline: the median of the values one, two ... k periods ago.

A Saturday price dip that happens every Saturday is explained by this baseline; the scorer only
counts a move as anomalous when neither the plain robust baseline nor this one explains it.
"""

from __future__ import annotations

import numpy as np


def seasonal_baseline(x: np.ndarray, period: int, count: int) -> np.ndarray:
    """For each column t of `x` (n_series, n_points): median of x[:, t - j * period], j = 1..count.

    Uses the lags that exist (fewer near the start); NaN before the first full period.
    """
    n, t_len = x.shape
    out = np.full((n, t_len), np.nan)
    for have in range(1, count + 1):
        lo = have * period
        hi = t_len if have == count else min(t_len, (have + 1) * period)
        if lo >= hi:
            continue
        lags = np.stack([x[:, lo - j * period : hi - j * period] for j in range(1, have + 1)], axis=-1)
        out[:, lo:hi] = np.median(lags, axis=-1)
    return out


def seasonal_point(history: np.ndarray, period: int, count: int) -> float:
    """The same baseline for the point that follows `history` (1-D, oldest first)."""
    lags = [history[-j * period] for j in range(1, count + 1) if j * period <= len(history)]
    return float(np.median(lags)) if lags else float("nan")
