"""NAB scoring on a tiny hand-made corpus, and `rivalwatch anomaly nab` writing its files."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from monitor.anomaly.nab_scoring import LabelledFile, Profile, load_corpus, score_corpus
from monitor.cli import main

PROFILES = [Profile("standard", 1.0, 0.11, 1.0), Profile("reward_low_FN_rate", 1.0, 0.11, 2.0)]
FILES = [
    LabelledFile("g/a.csv", 200, ((100, 119),)),
    LabelledFile("g/b.csv", 200, ((60, 79), (150, 169))),
    LabelledFile("g/quiet.csv", 200, ()),
]


def fire_at(offsets: dict[str, list[int]]) -> list[np.ndarray]:
    out = []
    for f in FILES:
        s = np.zeros(f.n_rows)
        s[offsets.get(f.key, [])] = 1.0
        out.append(s)
    return out


def test_null_scores_zero_and_window_starts_score_one_hundred():
    null = score_corpus(FILES, [np.zeros(f.n_rows) for f in FILES], PROFILES)
    assert all(abs(r["normalised"]) < 1e-9 for r in null.values())
    starts = fire_at({"g/a.csv": [100], "g/b.csv": [60, 150]})
    perfect = score_corpus(FILES, starts, PROFILES)
    assert all(abs(r["normalised"] - 100.0) < 1e-9 for r in perfect.values())


def test_late_detections_and_false_positives_cost():
    late = score_corpus(FILES, fire_at({"g/a.csv": [118], "g/b.csv": [78, 168]}), PROFILES)
    early = score_corpus(FILES, fire_at({"g/a.csv": [101], "g/b.csv": [61, 151]}), PROFILES)
    noisy = score_corpus(
        FILES, fire_at({"g/a.csv": [100], "g/b.csv": [60, 150], "g/quiet.csv": [50, 120]}), PROFILES
    )
    assert 0 < late["standard"]["normalised"] < early["standard"]["normalised"] < 100
    assert noisy["standard"]["normalised"] < 100
    # Detections inside the probationary period (first 15%) are ignored.
    probation = score_corpus(
        FILES, fire_at({"g/quiet.csv": [5], "g/a.csv": [100], "g/b.csv": [60, 150]}), PROFILES
    )
    assert abs(probation["standard"]["normalised"] - 100.0) < 1e-9


def write_tree(root, rng) -> None:
    stamps = pd.date_range("2024-01-01", periods=300, freq="5min").strftime("%Y-%m-%d %H:%M:%S")
    for group, name, jump in (("grp", "one.csv", 250), ("grp", "two.csv", None), ("other", "three.csv", 200)):
        values = rng.normal(10, 1, 300)
        if jump:
            values[jump:] += 15
        (root / "data" / group).mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"timestamp": stamps, "value": values}).to_csv(root / "data" / group / name, index=False)


def test_cli_nab_writes_one_scored_file_per_input(tmp_path):
    write_tree(tmp_path, np.random.default_rng(0))
    result = CliRunner().invoke(main, ["anomaly", "nab", str(tmp_path / "data"), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    outputs = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.csv"))
    assert outputs == ["grp/one.csv", "grp/two.csv", "other/three.csv"]
    one = pd.read_csv(tmp_path / "out" / "grp" / "one.csv")
    source = pd.read_csv(tmp_path / "data" / "grp" / "one.csv")
    assert list(one.columns) == ["timestamp", "value", "anomaly_score"]
    assert one["timestamp"].tolist() == source["timestamp"].tolist()
    assert one["anomaly_score"].between(0, 1).all()
    assert one["anomaly_score"].idxmax() in range(250, 255)


def test_nab_corpus_loads_and_scorer_orders_detectors(corpora):
    files, frames = load_corpus(corpora / "nab")
    assert len(files) >= 40 and all(len(frames[f.key]) == f.n_rows for f in files)
