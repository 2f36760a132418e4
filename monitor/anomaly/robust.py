"""Robust rolling baseline: median and scale (interquartile range, floored) of a series' recent past.

Everything here is vectorised over leading axes, so one code path scores one series point by
point (streaming) and ten thousand series at once (batch). `rolling_baseline` gives, for every
point t of a matrix, the statistics of the points before t only (causal).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

IQR_TO_SIGMA = 1 / 1.349  # the IQR of a normal sample is 1.349 standard deviations
# Bound on elements per sliding-window block, to keep batch memory in the hundreds of MB.
_BLOCK_ELEMENTS = 8_000_000


def baseline(
    history: np.ndarray, spread_floor: float, level_floor: float, std: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Median and robust scale along the last axis of `history`.

    The scale is the interquartile range / 1.349 (one partition gives median and quartiles, which
    is what makes ten thousand series a second possible), floored by a fraction of the standard
    deviation (a series that is flat most of the time has IQR 0, yet its rare moves are not all
    infinitely surprising) and by a fraction of the level (a flat price still has a 1% move).
    """
    w = history.shape[-1]
    lo, hi = (w - 1) // 2, w // 2
    q1, q3 = (w - 1) // 4, (3 * (w - 1) + 3) // 4
    part = np.partition(history, sorted({q1, lo, hi, q3}), axis=-1)
    med = 0.5 * (part[..., lo] + part[..., hi])
    scale = np.fmax(
        (part[..., q3] - part[..., q1]) * IQR_TO_SIGMA,
        spread_floor * (history.std(axis=-1) if std is None else std),
    )
    scale = np.fmax(scale, level_floor * np.abs(med))
    return med, np.fmax(scale, 1e-12)


def mean_std(history: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation along the last axis (cheap; for residual series)."""
    return history.mean(axis=-1), history.std(axis=-1)


def rolling_mean_std(
    x: np.ndarray, window: int, start: int, min_history: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each column t: mean and std of x[:, max(start, t - window):t], by cumulative sums (O(1)
    per point); NaN with fewer than `min_history` points."""
    n, t_len = x.shape
    mean = np.full((n, t_len), np.nan)
    std = np.full((n, t_len), np.nan)
    if start >= t_len:
        return mean, std
    seg = x[:, start:]
    c1 = np.concatenate([np.zeros((n, 1)), np.cumsum(seg, axis=1)], axis=1)
    c2 = np.concatenate([np.zeros((n, 1)), np.cumsum(seg * seg, axis=1)], axis=1)
    t = np.arange(start, t_len)
    lo = np.maximum(start, t - window) - start
    hi = t - start
    count = (hi - lo).astype(float)
    ok = count >= min_history
    m = (c1[:, hi] - c1[:, lo]) / np.fmax(count, 1)
    v = (c2[:, hi] - c2[:, lo]) / np.fmax(count, 1) - m * m
    mean[:, start:] = np.where(ok, m, np.nan)
    std[:, start:] = np.where(ok, np.sqrt(np.fmax(v, 0.0)), np.nan)
    return mean, std


def rolling_baseline(
    x: np.ndarray, window: int, start: int, min_history: int, spread_floor: float, level_floor: float
) -> tuple[np.ndarray, np.ndarray]:
    """For each column t of `x` (n_series, n_points): baseline of x[:, max(start, t - window):t].

    Columns with fewer than `min_history` such points get NaN. Columns before `start` are ignored
    (for residual series that only exist from some point on).
    """
    n, t_len = x.shape
    med = np.full((n, t_len), np.nan)
    scale = np.full((n, t_len), np.nan)
    first = start + min_history
    # Warm-up: the history is shorter than the window.
    for t in range(first, min(start + window, t_len)):
        med[:, t], scale[:, t] = baseline(x[:, start:t], spread_floor, level_floor)
    full = start + window
    if full < t_len:
        views = sliding_window_view(
            x[:, start : t_len - 1], window, axis=1
        )  # views[:, i] = x[:, start+i : start+i+window]
        std = rolling_mean_std(x, window, start, min_history)[1][:, full:]  # O(1) per point
        rows = max(1, _BLOCK_ELEMENTS // max(1, views.shape[1] * window))
        for lo in range(0, n, rows):
            m, s = baseline(views[lo : lo + rows], spread_floor, level_floor, std[lo : lo + rows])
            med[lo : lo + rows, full:] = m
            scale[lo : lo + rows, full:] = s
    return med, scale


def trailing_median(x: np.ndarray, points: int) -> np.ndarray:
    """Median of the last `points` values up to and including each column (fewer at the start)."""
    n, t_len = x.shape
    out = np.empty((n, t_len))
    for t in range(min(points - 1, t_len)):
        out[:, t] = np.median(x[:, : t + 1], axis=1)
    if t_len >= points:
        out[:, points - 1 :] = np.median(sliding_window_view(x, points, axis=1), axis=-1)
    return out
