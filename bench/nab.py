"""NAB benchmark: our detector against null and a windowed-Gaussian baseline on ../shared/corpora/nab.

Prints the standard, reward_low_FP and reward_low_FN scores (null 0, perfect 100, threshold
optimised per profile over the corpus), checks our scorer on trivial detectors, and cross-checks
our detector's figures with the independent reference scorer ../shared/tools/nab_score.py.

    .venv/bin/python bench/nab.py
"""

from __future__ import annotations

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
from monitor.anomaly.nab_scoring import load_corpus, load_profiles, score_corpus  # noqa: E402
from monitor.cli.anomaly import score_nab_tree  # noqa: E402

SHARED = Path(os.environ.get("RIVALWATCH_SHARED", REPO.parent / "shared"))
NAB = SHARED / "corpora" / "nab"
REFERENCE = SHARED / "tools" / "nab_score.py"


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
    figures = "  ".join(f"{p}={result[p]['normalised']:6.2f}" for p in result)
    return f"{name:18s} {figures}" + (f"  ({seconds:.1f} s)" if seconds is not None else "")


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
    ours = [score_matrix(v[None, :], config)[0] for v in values]
    seconds = time.perf_counter() - began
    result = score_corpus(files, ours, profiles)
    print(line("rivalwatch", result, seconds))
    print(
        "RESULT nab "
        + " ".join(f"{p}={result[p]['normalised']:.2f}" for p in result)
        + " (bar: standard >= 60; published: ARTime 74.85, Numenta HTM 70.10, windowedGaussian 39.65)"
    )

    if REFERENCE.exists():
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
        print(
            f"reference scorer on `rivalwatch anomaly nab` output: {summary[0] if summary else run.stderr.strip()}"
        )
    else:
        print(f"NOTE: reference scorer {REFERENCE} absent; no cross-check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
