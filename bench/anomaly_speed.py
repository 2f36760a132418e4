"""Speed: scoring 10,000 daily series x 365 points (bar: <= 10 s), against a plain rolling-mean
z-score baseline timed in the same run.

    .venv/bin/python bench/anomaly_speed.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.anomaly import ScorerConfig, score_matrix  # noqa: E402

N_SERIES, N_POINTS, WINDOW = 10_000, 365, 60


def rolling_mean_baseline(x: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """|z| of each point against the mean and std of the previous `window` points (cumulative sums)."""
    c1 = np.concatenate([np.zeros((len(x), 1)), np.cumsum(x, axis=1)], axis=1)
    c2 = np.concatenate([np.zeros((len(x), 1)), np.cumsum(x * x, axis=1)], axis=1)
    mean = (c1[:, window:-1] - c1[:, : -window - 1]) / window
    var = (c2[:, window:-1] - c2[:, : -window - 1]) / window - mean * mean
    z = np.zeros(x.shape)
    z[:, window:] = np.abs(x[:, window:] - mean) / (np.sqrt(np.fmax(var, 0)) + 1e-9)
    return z


def market_like(rng: np.random.Generator) -> np.ndarray:
    """Prices: a level per series, a weekly wiggle, noise, occasional campaigns."""
    level = rng.uniform(5, 500, size=(N_SERIES, 1))
    days = np.arange(N_POINTS)
    weekly = 0.01 * np.sin(2 * np.pi * days / 7)[None, :]
    noise = rng.normal(0, 0.005, size=(N_SERIES, N_POINTS))
    x = level * (1 + weekly + noise)
    starts = rng.integers(60, N_POINTS - 20, size=N_SERIES)
    for i in range(0, N_SERIES, 10):
        x[i, starts[i] : starts[i] + 14] *= 0.8
    return np.round(x, 2)


def main() -> int:
    x = market_like(np.random.default_rng(7))
    began = time.perf_counter()
    rolling_mean_baseline(x)
    baseline = time.perf_counter() - began
    began = time.perf_counter()
    scores = score_matrix(x, ScorerConfig())
    ours = time.perf_counter() - began
    # NaN: no score yet (the first ScorerConfig.min_history points of each series).
    assert scores.shape == x.shape and np.all(np.isnan(scores) | ((scores >= 0) & (scores <= 1)))
    print(f"rolling-mean z baseline: {baseline:.2f} s")
    print(
        f"RESULT anomaly_speed {N_SERIES} series x {N_POINTS} points: {ours:.2f} s "
        f"(bar <= 10 s; {ours / baseline:.1f}x the rolling-mean baseline; "
        f"{N_SERIES * N_POINTS / ours / 1e6:.2f} M points/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
