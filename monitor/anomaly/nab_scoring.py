"""NAB (Numenta Anomaly Benchmark) scoring, as described in ../shared/corpora/README.md.

Pure functions over arrays: a corpus is a list of labelled files (row count, window row ranges);
a detector's output is one anomaly score per row. `score_corpus` picks, per profile, the threshold
that maximises the corpus total and normalises it so that the null detector scores 0 and a perfect
one 100. bench/nab.py drives it; tests call it on hand-made corpora.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

PROBATION_FRACTION = 0.15
PROBATION_CAP = 750  # NAB caps the probationary period at 15% of 5000 rows
FAR_PAST = 3.0  # more than three widths after a window, a false positive costs in full


@dataclass(frozen=True)
class Profile:
    name: str
    tp: float
    fp: float
    fn: float


@dataclass(frozen=True)
class LabelledFile:
    """One data file: its row count and its anomaly windows as inclusive row ranges."""

    key: str
    n_rows: int
    windows: tuple[tuple[int, int], ...]


def sigmoid(position: np.ndarray) -> np.ndarray:
    """NAB's scaled sigmoid 2 / (1 + e^(5p)) - 1 (positions past three widths give -1)."""
    p = np.asarray(position, dtype=float)
    value = 2.0 / (1.0 + np.exp(5.0 * np.minimum(p, FAR_PAST))) - 1.0
    return np.where(p > FAR_PAST, -1.0, value)


EARLIEST = float(sigmoid(np.array([-1.0]))[0])


def load_profiles(path: Path) -> list[Profile]:
    raw = json.loads(Path(path).read_text())
    return [
        Profile(
            name,
            float(body["CostMatrix"]["tpWeight"]),
            float(body["CostMatrix"]["fpWeight"]),
            float(body["CostMatrix"]["fnWeight"]),
        )
        for name, body in raw.items()
    ]


def _row_of(stamps: np.ndarray, when: str) -> int:
    """The index of the row stamped `when` (a label window starts and ends on rows of its file)."""
    return int(np.flatnonzero(stamps == pd.Timestamp(when).to_datetime64())[0])


def load_corpus(nab_dir: Path) -> tuple[list[LabelledFile], dict[str, pd.DataFrame]]:
    """The labelled files of a NAB folder (data/, labels/combined_windows.json) and their data."""
    labels = json.loads((Path(nab_dir) / "labels" / "combined_windows.json").read_text())
    files, frames = [], {}
    for key in sorted(labels):
        path = Path(nab_dir) / "data" / key
        if not path.exists():
            continue
        frame = pd.read_csv(path)
        stamps = pd.to_datetime(frame["timestamp"]).to_numpy()
        windows = [(_row_of(stamps, start), _row_of(stamps, end)) for start, end in labels[key]]
        files.append(LabelledFile(key, len(frame), tuple(sorted(windows))))
        frames[key] = frame
    return files, frames


def probation(n_rows: int) -> int:
    return int(min(math.floor(PROBATION_FRACTION * n_rows), PROBATION_CAP))


def row_layout(f: LabelledFile) -> tuple[np.ndarray, np.ndarray]:
    """Per row: window number (-1 outside) and the unweighted sigmoid value of a detection there."""
    n = f.n_rows
    rows = np.arange(n)
    window = np.full(n, -1)
    value = np.full(n, -1.0)  # before any window a false positive costs in full
    for number, (left, right) in enumerate(f.windows):
        width = right - left + 1
        window[left : right + 1] = number
        value[left : right + 1] = sigmoid(-(right - rows[left : right + 1] + 1) / width) / EARLIEST
        stop = f.windows[number + 1][0] if number + 1 < len(f.windows) else n
        after = rows[right + 1 : stop]
        value[right + 1 : stop] = sigmoid((after - right) / (width - 1)) if width > 1 else -1.0
    return window, value


def _events(files: Sequence[LabelledFile], scores: Sequence[np.ndarray], profile: Profile):
    """(score, change of the corpus total when rows at that score become detections), base total."""
    ev_scores, ev_deltas = [], []
    live = 0
    for f, s in zip(files, scores, strict=True):
        s = np.asarray(s, dtype=float)
        if len(s) != f.n_rows:
            raise ValueError(f"{f.key}: {len(s)} scores for {f.n_rows} rows")
        window, value = row_layout(f)
        keep = slice(probation(f.n_rows), None)
        s, window, value = np.nan_to_num(s[keep], nan=-np.inf), window[keep], value[keep]
        outside = window < 0
        ev_scores.append(s[outside])
        ev_deltas.append(value[outside] * profile.fp)
        for number in np.unique(window[~outside]):
            live += 1
            rows = np.flatnonzero(window == number)
            order = rows[np.argsort(-s[rows], kind="stable")]
            best = np.maximum.accumulate(np.concatenate(([-profile.fn], value[order] * profile.tp)))
            rise = np.diff(best)
            ev_scores.append(s[order][rise > 0])
            ev_deltas.append(rise[rise > 0])
    ev_s, ev_d = np.concatenate(ev_scores), np.concatenate(ev_deltas)
    finite = np.isfinite(ev_s)
    return ev_s[finite], ev_d[finite], -profile.fn * live


def best_total(
    files: Sequence[LabelledFile], scores: Sequence[np.ndarray], profile: Profile
) -> tuple[float, float]:
    """(threshold, raw corpus total) at the best threshold; no detection at all is a candidate."""
    ev_s, ev_d, base = _events(files, scores, profile)
    order = np.argsort(-ev_s, kind="stable")
    ev_s, totals = ev_s[order], base + np.cumsum(ev_d[order])
    # A threshold detects every row scoring at least it: only the last event of equal scores counts.
    last_of_tie = np.append(ev_s[1:] != ev_s[:-1], True)
    cand_s, cand_t = ev_s[last_of_tie], totals[last_of_tie]
    if len(cand_t) == 0 or cand_t.max() <= base:
        return math.inf, base
    i = int(np.argmax(cand_t))
    return float(cand_s[i]), float(cand_t[i])


def score_corpus(
    files: Sequence[LabelledFile], scores: Sequence[np.ndarray], profiles: Sequence[Profile]
) -> dict[str, dict[str, float]]:
    """Per profile: normalised score (null 0, perfect 100), raw total and the chosen threshold."""
    out = {}
    n_windows = sum(len(f.windows) for f in files)
    null_scores = [np.full(f.n_rows, 0.5) for f in files]
    for p in profiles:
        threshold, total = best_total(files, scores, p)
        _, null_total = best_total(files, null_scores, p)
        perfect = p.tp * n_windows
        out[p.name] = {
            "normalised": 100.0 * (total - null_total) / (perfect - null_total),
            "raw": total,
            "threshold": threshold,
        }
    return out


def total_at(
    files: Sequence[LabelledFile], scores: Sequence[np.ndarray], profile: Profile, threshold: float
) -> float:
    """Raw corpus total when every row scoring at least `threshold` is a detection."""
    ev_s, ev_d, base = _events(files, scores, profile)
    return base + float(ev_d[ev_s >= threshold].sum())


def normalise(files: Sequence[LabelledFile], total: float, profile: Profile) -> float | None:
    """NAB's normalisation of a raw total over these files (None when they hold no window)."""
    _, null = best_total(files, [np.full(f.n_rows, 0.5) for f in files], profile)
    perfect = profile.tp * sum(len(f.windows) for f in files)
    return None if perfect == null else 100.0 * (total - null) / (perfect - null)


def group_of(f: LabelledFile) -> str:
    return f.key.split("/", 1)[0]


@dataclass(frozen=True)
class HeldOut:
    """One fold of leave-one-group-out: what was chosen without the group, and how the group fared."""

    group: str
    candidate: str
    threshold: float
    raw: float
    normalised: float | None  # the group alone, normalised as NAB would (None: no windows)


def leave_one_group_out(
    files: Sequence[LabelledFile], candidates: dict[str, Sequence[np.ndarray]], profile: Profile
) -> tuple[float, list[HeldOut]]:
    """For each group, choose the candidate detector and the threshold on the other groups only,
    then score the group with them; the groups' raw totals are summed and normalised over the whole
    corpus, as NAB combines files. Returns (combined normalised score, folds)."""
    folds = []
    for group in sorted({group_of(f) for f in files}):
        train = [i for i, f in enumerate(files) if group_of(f) != group]
        test = [i for i, f in enumerate(files) if group_of(f) == group]
        fitted = {
            name: best_total([files[i] for i in train], [s[i] for i in train], profile)
            for name, s in candidates.items()
        }
        name = max(fitted, key=lambda n: fitted[n][1])
        threshold = fitted[name][0]
        held = [files[i] for i in test]
        raw = total_at(held, [candidates[name][i] for i in test], profile, threshold)
        folds.append(HeldOut(group, name, threshold, raw, normalise(held, raw, profile)))
    combined = normalise(files, sum(f.raw for f in folds), profile)
    return (math.nan if combined is None else combined), folds
