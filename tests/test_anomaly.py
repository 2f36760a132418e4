"""Anomaly scorer: scores that mean what they say (absent without history; a move never made near 1,
a routine one near 0, in both directions), causality, streaming == batch, state round trips
(including states of the previous model), explanations in a buyer's words."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pytest

from monitor.anomaly import AnomalyScore, ScorerConfig, SeriesScorer, score_matrix, score_series
from monitor.anomaly.first import first_point
from monitor.anomaly.multivariate import CompetitorDay, combine, score_competitor_days

START = datetime(2024, 1, 1)


def days(n: int) -> list[datetime]:
    return [START + timedelta(days=i) for i in range(n)]


def noisy_price(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(100 * (1 + rng.normal(0, 0.01, n)), 2)


def wobble(n: int) -> list[float]:
    """A price that moves by a few tenths of a percent every day (the store test's 35 days)."""
    return [(100.00, 100.50, 99.80)[i % 3] for i in range(n)]


def test_no_score_until_enough_history_and_never_zero_for_it():
    scores = score_series(days(20), wobble(20), label="price")
    need = ScorerConfig().min_history
    assert all(s.score is None for s in scores[:need])
    assert "not enough history yet (3 of 14 days)" in scores[3].explanation
    assert all(isinstance(s.score, float) for s in scores[need:])
    matrix = score_matrix(np.array([wobble(20)]))[0]
    assert np.isnan(matrix[:need]).all() and np.isfinite(matrix[need:]).all()


@pytest.mark.parametrize(("factor", "word"), [(0.7, "drop"), (1.3, "rise")])
def test_a_move_never_made_scores_near_one_in_both_directions(factor: float, word: str):
    x = wobble(35) + [round(100 * factor, 2)]
    onset = score_series(days(36), x, label="price")[-1]
    assert onset.score is not None and onset.score >= 0.9
    assert f"the largest {word} in 35 days of history ({70 / 100.5 - 1 if factor < 1 else 130 / 100.5 - 1:+.0%})" in (
        onset.explanation
    )
    assert "it usually moves less than 0.7%" in onset.explanation


def test_routine_moves_score_near_zero():
    scores = score_series(days(60), wobble(60), label="price")
    assert max(s.score for s in scores[14:]) < 0.1
    assert "in line with its" in scores[-1].explanation
    pennies = 19.99 + np.random.default_rng(1).choice([-0.02, -0.01, 0.0, 0.01, 0.02], 200)
    assert np.nanmax(score_matrix(pennies[None, :])[0]) < 0.3


def test_weekly_promotions_that_return_are_routine_after_three_weeks():
    d = np.arange(120)
    x = np.where((d % 7 == 4) & (d >= 21), 39.99, 49.99)  # from week 4, every Friday 20% off
    s = score_matrix(x[None, :])[0]
    first_friday = 25
    assert s[first_friday] >= 0.9  # the first promotion is a move never made
    later = [t for t in range(first_friday + 21, 120) if d[t] % 7 in (4, 5)]  # starts and returns
    assert max(s[later]) <= 0.3


def test_gradual_drift_does_not_alarm_but_a_drop_after_it_does():
    x = noisy_price(365, seed=2)
    x[100:] *= np.minimum(1.002 ** np.arange(265), 1.002**90)  # +20% over three months
    assert np.nanmax(score_matrix(x[None, :])[0]) < 0.9
    x[300] = x[299] * 0.75
    assert score_matrix(x[None, :])[0][300] >= 0.9


def test_rank_drop_is_detected_and_rank_wobble_is_not():
    rng = np.random.default_rng(4)
    rank = np.clip(np.round(3 + rng.normal(0, 0.7, 120)), 1, None)
    rank[90:] = np.clip(np.round(15 + rng.normal(0, 2, 30)), 1, None)
    s = score_series(days(120), rank, ScorerConfig.rank(), label="rank")
    assert max(x.score for x in s[14:90]) < 0.9
    assert s[90].score >= 0.9 and "the largest fall in" in s[90].explanation
    assert "places" in s[90].explanation and "worst position" in s[90].explanation


def test_flat_series_scores_zero_and_any_change_of_it_one():
    flat = score_matrix(np.full((2, 100), 42.0), ScorerConfig.nab())
    assert np.all(flat[:, 14:] == 0.0)
    x = np.full(100, 42.0)
    x[80] = 42.5
    assert score_matrix(x[None, :], ScorerConfig.nab())[0][80] == 1.0


def test_scores_are_causal_prefix_unchanged_by_future_points():
    x = noisy_price(200)
    full = score_matrix(x[None, :])[0]
    np.testing.assert_array_equal(score_matrix(x[None, :120])[0], full[:120])
    changed = x.copy()
    changed[150:] *= 0.5
    np.testing.assert_array_equal(score_matrix(changed[None, :])[0][:150], full[:150])


@pytest.mark.parametrize(
    "config",
    [ScorerConfig(), ScorerConfig.rank(), ScorerConfig.count(), ScorerConfig.nab(), ScorerConfig(history=40)],
)
def test_streaming_matches_batch(config: ScorerConfig):
    rng = np.random.default_rng(3)
    x = np.abs(np.cumsum(rng.normal(0, 1, 300))) + 50
    x[200] += 25
    x[[30, 31, 120]] = np.nan  # missing observations neither score nor break the memory
    batch = score_matrix(x[None, :], config)[0]
    stream = np.array([np.nan if s.score is None else s.score for s in score_series(days(300), x, config)])
    np.testing.assert_allclose(stream, batch, atol=1e-12)
    assert np.all(np.isnan(batch) | ((batch >= 0) & (batch <= 1)))
    assert np.isnan(batch[[30, 31, 120]]).all()


@pytest.mark.parametrize("history", [730, 50])  # 50: the memory has wrapped before the save
def test_state_round_trip_through_json_continues_identically(history: int):
    x = noisy_price(160, seed=5)
    x[140:] *= 0.8
    one = SeriesScorer(ScorerConfig(history=history), label="price")
    for t, v in zip(days(100), x[:100], strict=True):
        one.update(t, v)
    restored = SeriesScorer.from_state(json.loads(json.dumps(one.state_dict())))
    for t, v in zip(days(160)[100:], x[100:], strict=True):
        assert one.update(t, v) == restored.update(t, v)


def test_a_state_of_the_previous_model_loads_and_keeps_its_history():
    old = {  # what version 1 (robust z + calibration histogram) persisted
        "version": 1,
        "config": {"window": 60, "min_history": 8, "season_period": 7},
        "label": "price",
        "values": wobble(40),
        "times": [t.isoformat() for t in days(40)],
        "residuals": [0.0] * 33,
        "calibrator": {"counts": [[0.0] * 40], "seen": [40], "recent": [[0.0] * 14], "position": 3},
    }
    scorer = SeriesScorer.from_state(old)
    routine = scorer.update(START + timedelta(days=40), 100.5)
    assert routine.score is not None and routine.score < 0.1  # 40 remembered days: a score at once
    drop = scorer.update(START + timedelta(days=41), 70.0)
    assert drop.score >= 0.9 and "41 days of history" in drop.explanation
    with pytest.raises(ValueError, match="version"):
        SeriesScorer.from_state({"version": 99})


def test_competitor_day_forest_flags_a_campaign_day_and_has_no_score_while_warming_up():
    rng = np.random.default_rng(0)
    records = [
        CompetitorDay(
            START.date() + timedelta(days=i),
            rng.uniform(0, 0.05),
            rng.normal(0, 0.01),
            rng.poisson(2),
            rng.poisson(1),
        )
        for i in range(60)
    ]
    records.append(CompetitorDay(START.date() + timedelta(days=60), 0.6, -0.2, 2, 1))
    scores = score_competitor_days(records)
    assert all(s.score is None and "not enough history" in s.explanation for s in scores[:21])
    assert scores[-1].score > max(s.score for s in scores[21:60])
    assert scores[-1].score >= 0.5 and "share of prices moved up" in scores[-1].explanation
    merged = combine(scores[-1], AnomalyScore(0.1, "price as usual", {}), scores[0])
    assert merged.score == scores[-1].score and "share of prices moved" in merged.explanation
    assert combine(scores[0]).score is None


@pytest.mark.parametrize(
    ("config", "value"),
    [(ScorerConfig(), 129.99), (ScorerConfig.rank(), 3.0), (ScorerConfig(transform="linear"), 0.0)],
)
def test_a_first_point_without_a_model_is_what_a_new_scorer_says_and_keeps(config: ScorerConfig, value: float):
    at = datetime(2026, 3, 2, 8, 30)
    scorer = SeriesScorer(config, label="price")
    expected = scorer.update(at, value)
    first = first_point(at, value, config, label="price")
    assert first is not None
    score, state = first
    assert (score.score, score.explanation) == (expected.score, expected.explanation)
    assert json.loads(json.dumps(state)) == json.loads(json.dumps(scorer.state_dict()))
    # and the series goes on from that state exactly as from the scorer's
    later = [(at + timedelta(days=d), value * (1 + 0.01 * (d % 3))) for d in range(1, 30)]
    resumed = SeriesScorer.from_state(state)
    # repr: the components hold NaN, which equals nothing, not even itself
    assert repr([resumed.update(t, v) for t, v in later]) == repr([scorer.update(t, v) for t, v in later])


def test_a_first_point_the_model_cannot_use_goes_through_the_model():
    assert first_point(None, 0.0, ScorerConfig(), label="price") is None  # log of 0
    assert first_point(None, float("nan"), ScorerConfig(transform="linear")) is None
