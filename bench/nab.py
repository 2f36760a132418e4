"""NAB benchmark: our detector against null and a windowed-Gaussian baseline on ../shared/corpora/nab.

Prints the standard, reward_low_FP and reward_low_FN scores (null 0, perfect 100, threshold
optimised per profile over the corpus), then the same figures by leave-one-group-out: for each NAB
group (artificialWithAnomaly, realAWSCloudwatch, realAdExchange, ...) the threshold, and the choice
between the shipped configuration and its alternative (the move as well as the level), are made on
the other groups only and the group is scored with them; the groups' totals are combined and
normalised as NAB combines files. Also checks our scorer on trivial detectors and cross-checks our
figures with the independent reference scorer ../shared/tools/nab_score.py.

    RIVALWATCH_SHARED=/work/shared .venv/bin/python bench/nab.py
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.special import ndtr

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.anomaly import ScorerConfig, score_matrix  # noqa: E402
from monitor.anomaly.config import LEVEL, MOVE  # noqa: E402
from monitor.anomaly.model import novelty_of  # noqa: E402
from monitor.anomaly.nab_scoring import (  # noqa: E402
    leave_one_group_out,
    load_corpus,
    load_profiles,
    score_corpus,
)
from monitor.cli.anomaly import score_nab_tree  # noqa: E402

SHARED = Path(os.environ.get("RIVALWATCH_SHARED", REPO.parent / "shared"))
NAB = SHARED / "corpora" / "nab"
REFERENCE = SHARED / "tools" / "nab_score.py"
SHORT = {"standard": "standard", "reward_low_FP_rate": "low_fp", "reward_low_FN_rate": "low_fn"}


def windowed_gaussian(x: np.ndarray, window: int = 6400, step: int = 100) -> np.ndarray:
    """NAB's windowedGaussian baseline: two-sided Gaussian tail of each value against the mean and
    standard deviation of the preceding `window` values, refreshed every `step` points."""
    out = np.zeros(len(x))
    mean, std = 0.0, 1.0
    for t in range(len(x)):
        if t % step == 0 and t > 1:
            past = x[max(0, t - window) : t]
            mean, std = float(past.mean()), float(past.std()) or 1.0
        if t > 1:
            out[t] = 1.0 - 2.0 * ndtr(-abs(x[t] - mean) / std)
    return out


def line(name: str, result: dict, seconds: float | None = None) -> str:
    figures = "  ".join(f"{SHORT[p]}={result[p]['normalised']:6.2f}" for p in result)
    return f"{name:18s} {figures}" + (f"  ({seconds:.1f} s)" if seconds is not None else "")


def ours(values: list[np.ndarray], config: ScorerConfig) -> list[np.ndarray]:
    """Scores as `rivalwatch anomaly nab` writes them (no score yet: 0)."""
    return [np.nan_to_num(score_matrix(v[None, :], config)[0], nan=0.0) for v in values]


def reference_check(config: ScorerConfig) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        score_nab_tree(NAB / "data", Path(tmp), config)
        run = subprocess.run(
            [
                sys.executable,
                str(REFERENCE),
                "--data",
                str(NAB / "data"),
                "--labels",
                str(NAB / "labels" / "combined_windows.json"),
                "--profiles",
                str(NAB / "config" / "profiles.json"),
                "--results",
                tmp,
                "--allow-missing",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    summary = [ln for ln in run.stdout.splitlines() if ln.startswith("NAB ")]
    return summary[0] if summary else run.stderr.strip()


def main() -> int:
    if not (NAB / "labels" / "combined_windows.json").exists():
        print(f"NOTE: NAB corpus not found at {NAB}; nothing to measure (set RIVALWATCH_SHARED)")
        return 0
    files, frames = load_corpus(NAB)
    profiles = load_profiles(NAB / "config" / "profiles.json")
    values = [frames[f.key]["value"].to_numpy(dtype=float) for f in files]
    print(f"NAB: {len(files)} files, {sum(len(f.windows) for f in files)} windows, from {NAB}")

    starts = []
    for f in files:
        s = np.zeros(f.n_rows)
        for left, _ in f.windows:
            s[left] = 1.0
        starts.append(s)
    print(line("check: null", score_corpus(files, [np.zeros(f.n_rows) for f in files], profiles)))
    print(line("check: win starts", score_corpus(files, starts, profiles)))

    began = time.perf_counter()
    gaussian = [windowed_gaussian(v) for v in values]
    print(line("windowedGaussian", score_corpus(files, gaussian, profiles), time.perf_counter() - began))

    config = ScorerConfig.nab()
    began = time.perf_counter()
    shipped = ours(values, config)
    seconds = time.perf_counter() - began
    result = score_corpus(files, shipped, profiles)
    print(line("rivalwatch", result, seconds))
    print(
        "  thresholds: "
        + "  ".join(
            f"{SHORT[p]} {result[p]['threshold']:.6f} (novelty {novelty_of(result[p]['threshold']):.3f})"
            for p in result
        )
    )
    both = ours(values, dataclasses.replace(config, observe=(LEVEL, MOVE)))
    print(line("  alt: level+move", score_corpus(files, both, profiles)))
    print(
        "RESULT nab "
        + " ".join(f"{SHORT[p]}={result[p]['normalised']:.2f}" for p in result)
        + " (41 series; published on all 58: ARTime 74.85, Numenta HTM 70.10, windowedGaussian 39.65)"
    )

    candidates = {"level (shipped)": shipped, "level+move": both}
    logo = {}
    for p in profiles:
        logo[p.name], folds = leave_one_group_out(files, candidates, p)
        print(f"leave-one-group-out, {SHORT[p.name]}:")
        for fold in folds:
            figure = f"{fold.normalised:6.2f}" if fold.normalised is not None else "   n/a (no windows)"
            print(
                f"  {fold.group:24s} {figure}  raw {fold.raw:7.2f}  "
                f"chosen on the others: {fold.candidate}, threshold {fold.threshold:.6f} "
                f"(novelty {novelty_of(fold.threshold):.3f})"
            )
    print(
        "RESULT nab_logo "
        + " ".join(f"{SHORT[p]}={logo[p]:.2f}" for p in logo)
        + f" (full-corpus figures: standard={result['standard']['normalised']:.2f}; bar: within 3 points)"
    )

    if REFERENCE.exists():
        print(f"reference scorer on `rivalwatch anomaly nab` output: {reference_check(config)}")
    else:
        print(f"NOTE: reference scorer {REFERENCE} absent; no cross-check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
