"""What alerts say about anomaly scores: a number only when there is a score; without one, the reason
("not enough history yet") and no number, in every format."""

from __future__ import annotations

import pytest
from facts import price_drop

from alerts.templates import MessageItem, default_renderer
from monitor.rules import ChangeFacts


def change(score: float | None, explanation: str) -> ChangeFacts:
    return price_drop(
        summary="Widget 1: price 100.00 → 70.00 USD (-30.0%)",
        new="70.00",
        magnitude=-0.3,
        anomaly_score=score,
        details={"anomaly_explanation": explanation},
    )


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_no_score_shows_the_reason_without_a_number(fmt: str) -> None:
    item = MessageItem(change(None, "price: not enough history yet (3 of 14 days)"), "warning")
    body = default_renderer().render([item], "en", fmt, "k").body
    assert "not enough history yet (3 of 14 days)" in body
    assert "anomaly score" not in body  # the number only ever follows this label


def test_no_score_in_chinese_either() -> None:
    item = MessageItem(change(None, "price: not enough history yet (3 of 14 days)"), "warning")
    body = default_renderer().render([item], "zh-CN", "text", "k").body
    assert "not enough history yet" in body and "异常分数" not in body


def test_a_score_shows_its_number_and_sentence() -> None:
    text = "price: the largest drop in 35 days of history (-30%); it usually moves less than 2%"
    body = default_renderer().render([MessageItem(change(0.999, text), "warning")], "en", "text", "k").body
    assert f"anomaly score 1.00: {text}" in body
