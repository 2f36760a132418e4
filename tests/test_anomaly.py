"""Anomaly scorer: causality, streaming == batch, state round trip, events vs drift, explanations."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np

from monitor.anomaly import AnomalyScore, ScorerConfig, SeriesScorer, score_matrix, score_series
from monitor.anomaly.multivariate import CompetitorDay, combine, score_competitor_days

START = datetime(2024, 1, 1)


def days(n: int) -> list[datetime]:
    return [START + timedelta(days=i) for i in range(n)]


def noisy_price(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(100 * (1 + rng.normal(0, 0.01, n)), 2)


def test_scores_are_causal_prefix_unchanged_by_future_points():
    x = noisy_price(200)
    full = score_matrix(x[None, :])[0]
    prefix = score_matrix(x[None, :120])[0]
    np.testing.assert_array_equal(full[:120], prefix)
    changed = x.copy()
    changed[150:] *= 0.5
    np.testing.assert_array_equal(score_matrix(changed[None, :])[0][:150], full[:150])


def test_streaming_matches_batch_with_and_without_seasonality():
    rng = np.random.default_rng(3)
    x = np.cumsum(rng.normal(0, 1, 300)) + 50
    x[200] += 25
    for config in (ScorerConfig(), ScorerConfig(season_period=None, window=40)):
        batch = score_matrix(x[None, :], config)[0]
        stream = np.array([s.score for s in score_series(days(300), x, config)])
        np.testing.assert_allclose(stream, batch, atol=1e-9)
        assert np.all((batch >= 0) & (batch <= 1))


def test_state_dict_round_trip_through_json_continues_identically():
    x = noisy_price(160, seed=5)
    x[140:] *= 0.8
    one = SeriesScorer()
    for t, v in zip(days(100), x[:100], strict=True):
        one.update(t, v)
    restored = SeriesScorer.from_state(json.loads(json.dumps(one.state_dict())))
    for t, v in zip(days(160)[100:], x[100:], strict=True):
        assert one.update(t, v) == restored.update(t, v)


def test_price_campaign_alarms_at_onset_with_plain_explanation():
    x = noisy_price(120, seed=1)
    x[100:] *= 0.77
    scores = score_series(days(120), x, label="price")
    assert max(s.score for s in scores[:100]) < 0.9
    onset = scores[100]
    assert isinstance(onset, AnomalyScore) and onset.score >= 0.9
    assert "price 23% below its" in onset.explanation and "day median" in onset.explanation
    later = scores[102]
    assert "level shift since" in later.explanation and "Wednesday" in later.explanation  # 2024-04-10
    assert later.score == 0.0  # same event: suppressed


def test_gradual_drift_does_not_alarm():
    x = noisy_price(365, seed=2)
    x[100:] *= np.minimum(1.002 ** np.arange(265), 1.002**90)  # +20% over three months
    assert score_matrix(x[None, :])[0].max() < 0.7


def test_weekly_pattern_is_not_an_anomaly_but_a_break_in_it_is():
    rng = np.random.default_rng(4)
    d = np.arange(200)
    x = 100 * (1 + 0.08 * (d % 7 >= 5) + rng.normal(0, 0.005, 200))
    scores = score_matrix(x[None, :])[0]
    assert scores[60:].max() < 0.7
    x[190] *= 0.7
    assert score_matrix(x[None, :])[0][190] >= 0.9


def test_flat_series_scores_zero_and_first_points_have_no_score():
    scores = score_matrix(np.full((2, 100), 42.0))
    assert np.all(scores == 0.0)
    first = score_series(days(3), [1.0, 2.0, 3.0])
    assert all(s.score == 0.0 and "not enough history" in s.explanation for s in first)


def test_competitor_day_forest_flags_a_campaign_day():
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
    assert scores[-1].score > max(s.score for s in scores[21:60])
    assert scores[-1].score >= 0.5 and "share of prices moved up" in scores[-1].explanation
    merged = combine(scores[-1], AnomalyScore(0.1, "price as usual", {}))
    assert merged.score == scores[-1].score and "share of prices moved" in merged.explanation
