"""Synthetic market series with injected events: does the scorer flag what matters, and only that?

Daily series for a year, 60 days of history before any event. Events: a price campaign (-20% for
two weeks), a stock-out wave (in-stock count down 40%), a keyword rank drop (3 -> 15). Decoys that
must not alarm: a gradual drift (+0.2% a day for 90 days), a weekly pattern, plain noise.
Each series is scored with the preset `anomaly scan` uses for its kind (ranks in places, the rest in
percent). Prints precision, recall and detection delay (days) at several score thresholds, and the
rank drops' own precision (their alarms against the rank series' false alarms) and recall.

    .venv/bin/python bench/anomaly_market.py
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.anomaly import ScorerConfig, score_matrix  # noqa: E402

DAYS = 365
TOLERANCE = 7  # an event counts as detected if an alarm comes within a week of its onset
PER_KIND = 200


@dataclass
class Case:
    kind: str
    values: np.ndarray
    onset: int | None  # None: nothing should alarm


def make_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    days = np.arange(DAYS)
    for _ in range(PER_KIND):
        base = rng.uniform(10, 300)
        noise = lambda s: rng.normal(0, s, DAYS)  # noqa: E731
        onset = int(rng.integers(90, DAYS - 30))

        price = base * (1 + noise(0.01))
        price[onset : onset + 14] *= 0.8
        cases.append(Case("price campaign", np.round(price, 2), onset))

        stock = np.round(100 + noise(3))
        stock[onset : onset + 10] = np.round(60 + rng.normal(0, 3, 10))
        cases.append(Case("stock-out wave", stock, onset))

        rank = np.clip(np.round(3 + noise(0.7)), 1, None)
        rank[onset:] = np.clip(np.round(15 + rng.normal(0, 2, DAYS - onset)), 1, None)
        cases.append(Case("rank drop", rank, onset))

        drift = base * (1 + noise(0.01))
        start = int(rng.integers(60, DAYS - 90))
        drift[start:] *= np.minimum(1.002 ** (days[start:] - start), 1.002**90)
        cases.append(Case("gradual drift", np.round(drift, 2), None))

        weekly = base * (1 + 0.08 * (days % 7 >= 5) + noise(0.01))
        cases.append(Case("weekly pattern", np.round(weekly, 2), None))

        cases.append(Case("noise only", np.round(base * (1 + noise(0.01)), 2), None))
    return cases


def evaluate(cases: list[Case], scores: np.ndarray, threshold: float) -> dict:
    per_kind: dict[str, dict] = {}
    for case, s in zip(cases, scores, strict=True):
        k = per_kind.setdefault(case.kind, {"events": 0, "hit": 0, "delays": [], "false": 0})
        alarms = np.flatnonzero(s >= threshold)
        if case.onset is None:
            k["false"] += len(alarms)
            continue
        k["events"] += 1
        inside = alarms[(alarms >= case.onset) & (alarms < case.onset + TOLERANCE)]
        if len(inside):
            k["hit"] += 1
            k["delays"].append(int(inside[0] - case.onset))
        # Alarms before the onset, or long after it, are false; alarms during the event are the same event.
        k["false"] += int(((alarms < case.onset) | (alarms >= case.onset + 30)).sum())
    return per_kind


def config_for(kind: str) -> ScorerConfig:
    """The preset `anomaly scan` uses for such a series: ranks in places, everything else in percent."""
    return ScorerConfig.rank() if kind == "rank drop" else ScorerConfig()


def score_cases(cases: list[Case]) -> np.ndarray:
    """Each case scored with its kind's preset, all series of one preset in one batch."""
    scores = np.empty((len(cases), DAYS))
    for rank in (False, True):
        rows = [i for i, c in enumerate(cases) if (c.kind == "rank drop") == rank]
        scores[rows] = score_matrix(np.stack([cases[i].values for i in rows]), config_for(cases[rows[0]].kind))
    return scores


def main() -> int:
    cases = make_cases(np.random.default_rng(2024))
    scores = score_cases(cases)
    for threshold in (0.5, 0.7, 0.9):
        kinds = evaluate(cases, scores, threshold)
        events = sum(k["events"] for k in kinds.values())
        hit = sum(k["hit"] for k in kinds.values())
        false = sum(k["false"] for k in kinds.values())
        delays = [d for k in kinds.values() for d in k["delays"]]
        precision = hit / (hit + false) if hit + false else 1.0
        print(f"threshold {threshold}:")
        for name, k in kinds.items():
            if k["events"]:
                delay = f"{np.mean(k['delays']):.1f}" if k["delays"] else "-"
                print(
                    f"  {name:16s} recall {k['hit'] / k['events']:.3f}  mean delay {delay} d  false alarms {k['false']}"
                )
            else:
                print(f"  {name:16s} false alarms {k['false']} over {PER_KIND} series x {DAYS} days")
        rank = kinds["rank drop"]
        rank_precision = rank["hit"] / max(rank["hit"] + rank["false"], 1)
        print(
            f"RESULT anomaly_market threshold={threshold} precision={precision:.3f} recall={hit / events:.3f} "
            f"mean_delay_days={np.mean(delays) if delays else float('nan'):.2f} "
            f"drift_alarms={kinds['gradual drift']['false']} rank_drop_precision={rank_precision:.3f} "
            f"rank_drop_recall={rank['hit'] / rank['events']:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
