"""Novelty: how far a new observation lies from everything a series has shown, in units of its range.

This is the whole detector. For each series the model remembers its last `capacity` observations.
A new observation x is judged by its gap, the distance to the nearest remembered observation, over
the series' usual range (the spread of what it remembers, never less than a materiality floor):

    novelty = gap / max(hi - lo, floor)

A value inside a well-trodden band has gap ~0. A value beyond every extreme has a gap of its margin
past the record; a value in a band the series never visited (a daily high that stops at 40 instead
of 80) has a gap of its distance to the nearest visited value. Nothing is fitted: the unit of
surprise is the series' own range, which is what makes one threshold fit quiet and noisy series,
seen and unseen. This is the "spatial anomaly" idea of Numenta's NAB detector (a value outside the
range seen so far) extended from the two ends of the range to every gap inside it, in the spirit of
CAD OSE's "facts never seen before".

`NoveltyMemory` holds the observations of n series in one time-major ring buffer, so that the same
arithmetic judges one series (streaming, n = 1) or ten thousand at once (batch), in O(capacity) per
point and series.
"""

from __future__ import annotations

import numpy as np


def novelty(gap: np.ndarray, lo: np.ndarray, hi: np.ndarray, floor: float) -> np.ndarray:
    """Gap over the usual range (NaN without history). A series that never varied (range and floor
    0, e.g. a flat machine metric) gives 0 for the same value again and infinity for any other."""
    scale = np.fmax(hi - lo, floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(scale > 0, gap / np.where(scale > 0, scale, 1.0), np.where(gap > 0, np.inf, 0.0))
    return np.where(np.isnan(gap) | np.isnan(scale), np.nan, out)


class NoveltyMemory:
    """The last `capacity` observations of n series; NaN marks a missing observation."""

    def __init__(self, n: int, capacity: int) -> None:
        self.capacity = max(1, int(capacity))
        self.values = np.full((self.capacity, n), np.nan)
        self._scratch = np.empty((self.capacity, n))
        self.filled = 0  # rows written, at most capacity
        self.position = 0  # the next row to write (the oldest once the buffer is full)
        self.count = np.zeros(n, dtype=np.int64)  # remembered observations per series
        self.lo = np.full(n, np.nan)
        self.hi = np.full(n, np.nan)

    def gap(self, x: np.ndarray) -> np.ndarray:
        """Distance from each series' x to its nearest remembered observation (NaN if none)."""
        if self.filled == 0:
            return np.full(np.shape(x), np.nan)
        rows = self._scratch[: self.filled]
        np.subtract(self.values[: self.filled], x, out=rows)
        np.abs(rows, out=rows)
        return np.fmin.reduce(rows, axis=0)  # fmin: missing observations never count as near

    def push(self, x: np.ndarray) -> None:
        x = np.asarray(x, dtype=float)
        wrapped = self.filled == self.capacity
        old = self.values[self.position].copy() if wrapped else None
        self.values[self.position] = x
        self.position = (self.position + 1) % self.capacity
        self.filled = min(self.filled + 1, self.capacity)
        self.count += np.isfinite(x)
        self.lo, self.hi = np.fmin(self.lo, x), np.fmax(self.hi, x)
        if old is not None:
            self.count -= np.isfinite(old)
            # The oldest observation left: only where it was an extreme must the range be recomputed.
            stale = (old == self.lo) | (old == self.hi)
            if stale.any():
                kept = self.values[:, stale]
                self.lo[stale] = np.fmin.reduce(kept, axis=0)
                self.hi[stale] = np.fmax.reduce(kept, axis=0)

    def chronological(self, column: int = 0) -> np.ndarray:
        """One series' remembered observations, oldest first."""
        if self.filled < self.capacity:
            return self.values[: self.filled, column].copy()
        return np.roll(self.values[:, column], -self.position)
