"""Rank analytics: history, best rank, moves, top-N crossings, new domains, visibility, and
that a failed observation never becomes a rank or a change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from monitor.kinds.keyword.ranks import (
    CTR_CURVE,
    FAILED,
    NOT_FOUND,
    RANKED,
    RankObservation,
    best_rank,
    compare,
    ctr,
    daily_moves,
    detect_changes,
    matches_domain,
    rank_history,
    rank_of,
    visibility,
)

D0 = date(2024, 5, 1)


def obs(
    day: int, urls: list[str] | None, *, keyword: str = "running shoes", depth: int = 10, **kw
) -> RankObservation:
    results = None if urls is None else tuple((i + 1, u) for i, u in enumerate(urls))
    return RankObservation(
        keyword,
        kw.get("engine", "google"),
        kw.get("locale", "en-US"),
        kw.get("device", "desktop"),
        D0 + timedelta(days=day),
        results,
        depth,
    )


def page(*hosts: str) -> list[str]:
    return [f"https://{h}/p" for h in hosts]


FILLER = [f"site{i}.example" for i in range(30)]


def test_matches_domain_and_subdomains() -> None:
    assert matches_domain("https://www.shop.example/x", "shop.example")
    assert matches_domain("https://blog.shop.example/x", "www.shop.example")
    assert not matches_domain("https://myshop.example/x", "shop.example")


def test_rank_of_ranked_not_found_and_failed() -> None:
    o = obs(0, page("a.example", "ours.example", "ours.example"))
    point = rank_of(o, "ours.example")
    assert (point.status, point.rank, point.url) == (RANKED, 2, "https://ours.example/p")
    assert rank_of(o, "absent.example").status == NOT_FOUND
    assert rank_of(o, "absent.example").rank is None
    failed = rank_of(obs(1, None), "ours.example")
    assert failed.status == FAILED and failed.rank is None


def test_history_best_rank_and_moves_skip_failures() -> None:
    history = [
        obs(0, page("x.example", "y.example", "ours.example")),  # #3
        obs(1, None),  # blocked: not a rank
        obs(2, page("ours.example")),  # #1
        obs(3, page(*FILLER[:10])),  # not in top 10
    ]
    points = next(iter(rank_history(history, "ours.example").values()))
    assert [p.status for p in points] == [RANKED, FAILED, RANKED, NOT_FOUND]
    assert best_rank(points) == 1
    moves = daily_moves(points)
    assert [(m.old, m.new, m.delta) for m in moves] == [(3, 1, 2), (1, None, None)]
    assert moves[0].previous_day == D0 and moves[0].day == D0 + timedelta(days=2)


def test_failed_observation_produces_no_change() -> None:
    good = obs(0, page("ours.example", *FILLER[:9]))
    assert compare(good, obs(1, None), ["ours.example"]) == []
    assert compare(obs(0, None), good, ["ours.example"]) == []
    assert compare(None, good, ["ours.example"]) == []
    # a blocked day in between: the next good day is compared with the last good one
    changes = detect_changes(
        [good, obs(1, None), obs(2, page(*FILLER[:4], "ours.example", *FILLER[4:9]))], ["ours.example"]
    )
    kinds = sorted(c.kind for c in changes)
    assert kinds == ["left_top_n", "rank_moved"]
    moved = next(c for c in changes if c.kind == "rank_moved")
    assert (moved.old, moved.new, moved.details["delta"]) == ("1", "5", -4)
    assert "moved down 4" in moved.summary and "'running shoes' on google" in moved.summary


def test_entered_and_left_top_n_report_the_strongest_crossing() -> None:
    deep = 30
    before = obs(0, [f"https://{h}/" for h in FILLER[:24]] + ["https://ours.example/"], depth=deep)  # #25
    after = obs(1, ["https://ours.example/"] + [f"https://{h}/" for h in FILLER[:24]], depth=deep)  # #1
    entered = [c for c in compare(before, after, ["ours.example"]) if c.kind == "entered_top_n"]
    assert len(entered) == 1 and entered[0].details["n"] == 3 and entered[0].details["crossed"] == [3, 10, 20]
    left = [c for c in compare(after, before, ["ours.example"]) if c.kind == "left_top_n"]
    assert len(left) == 1 and left[0].details["n"] == 20
    assert "left the top 20" in left[0].summary


def test_not_found_to_ranked_is_an_entry_not_a_move() -> None:
    changes = compare(
        obs(0, page(*FILLER[:10])), obs(1, page(*FILLER[:7], "ours.example", *FILLER[7:9])), ["ours.example"]
    )
    assert [c.kind for c in changes if c.field == "ours.example"] == ["entered_top_n"]
    assert "not in top 10 -> #8" in changes[0].summary


def test_depth_difference_is_compared_within_the_shallower_depth() -> None:
    # ranked #15 in a 20-deep check, then a 10-deep check without it: unknown, not "left"
    before = obs(0, page(*FILLER[:14], "ours.example", *FILLER[14:19]), depth=20)
    after = obs(1, page(*FILLER[:10]), depth=10)
    assert [c for c in compare(before, after, ["ours.example"]) if c.field == "ours.example"] == []


def test_new_domain_in_top10() -> None:
    before = obs(0, page(*FILLER[:10]))
    after = obs(1, page(*FILLER[:5], "newcomer.example", *FILLER[5:9]))
    news = [c for c in compare(before, after, []) if c.kind == "new_domain_top10"]
    assert [(c.field, c.new) for c in news] == [("newcomer.example", "6")]


def test_min_move_threshold() -> None:
    before = obs(0, page(*FILLER[:3], "ours.example", *FILLER[3:9]))
    after = obs(1, page(*FILLER[:4], "ours.example", *FILLER[4:9]))
    assert [c.kind for c in compare(before, after, ["ours.example"], min_move=2)] == []
    assert [c.kind for c in compare(before, after, ["ours.example"])] == ["rank_moved"]


def test_ctr_curve_is_decreasing_and_bounded() -> None:
    assert list(CTR_CURVE) == sorted(CTR_CURVE, reverse=True)
    assert ctr(1) == CTR_CURVE[0] and ctr(None) == 0.0 and ctr(len(CTR_CURVE) + 1) == 0.0


def test_visibility_share_of_voice_and_failed_keywords() -> None:
    history = [
        obs(0, page("ours.example", "rival.example"), keyword="a"),
        obs(0, page("rival.example", "x.example", "ours.example"), keyword="b"),
        obs(0, page("rival.example"), keyword="c"),
        obs(1, None, keyword="c"),  # latest check of "c" failed: left out, counted as failed
    ]
    scores = {v.domain: v for v in visibility(history, ["ours.example", "rival.example", "none.example"])}
    assert scores["ours.example"].score == pytest.approx((ctr(1) + ctr(3)) / (2 * ctr(1)))
    assert scores["rival.example"].score == pytest.approx((ctr(2) + ctr(1)) / (2 * ctr(1)))
    assert scores["none.example"].score == 0.0
    assert (scores["ours.example"].keywords_counted, scores["ours.example"].keywords_failed) == (2, 1)
    weighted = {v.domain: v.score for v in visibility(history, ["ours.example"], weights={"a": 3, "b": 1})}
    assert weighted["ours.example"] == pytest.approx((3 * ctr(1) + ctr(3)) / (4 * ctr(1)))


def test_series_are_kept_apart_by_engine_locale_and_device() -> None:
    history = [
        obs(0, page("ours.example"), engine="google"),
        obs(1, page("x.example", "ours.example"), engine="bing"),
    ]
    assert detect_changes(history, ["ours.example"]) == []
    assert len(rank_history(history, "ours.example")) == 2
