"""Alert messages: title, short body and link, in English and Chinese, as text, Markdown and safe HTML."""

from __future__ import annotations

import pytest
from facts import price_drop as drop
from jinja2.exceptions import SecurityError

from alerts.templates import MessageItem, Renderer, default_renderer
from monitor.rules import RuleReason


def test_english_text_message_has_title_body_link_and_key() -> None:
    why = RuleReason("big-drop", "price_drop", "warning", {"threshold_pct": "10", "currency": "USD"})
    msg = default_renderer().render([MessageItem(drop(), "warning", ("big-drop",), (why,))], "en", "text", "rw-r1-c7-abc")
    assert msg.title == "[warning] ShopA: Price drop · Widget 1: 100.00 → 80.00 (-20.0%)"
    assert msg.body.splitlines() == [
        "[warning] Widget 1: price 100.00 → 80.00 USD (-20.0%)",
        "  why: big-drop: a move of 10% or more",
        "  https://shop-a.example/p/1",
        "--",
        "rivalwatch · dedup key rw-r1-c7-abc",
    ]


def test_chinese_markdown_digest_orders_by_severity() -> None:
    items = [
        MessageItem(drop(), "warning"),
        MessageItem(
            drop(
                kind="out_of_stock",
                field="availability",
                old="InStock",
                new="OutOfStock",
                magnitude=None,
                change_id=8,
                competitor="ShopB",
            ),
            "critical",
        ),
    ]
    msg = default_renderer().render(items, "zh-CN", "markdown", "rw-r1-d2")
    assert msg.title == "[严重] rivalwatch：2 项变化 (ShopA, ShopB)"
    lines = msg.body.splitlines()
    # grouped by competitor, the competitor of the most severe change first; each watch links to its page
    assert lines[:5] == [
        "**ShopB**",
        "- **严重** [Widget 1](https://shop-a.example/p/1)：缺货 InStock → OutOfStock",
        "",
        "**ShopA**",
        "- **警告** [Widget 1](https://shop-a.example/p/1)：降价 100.00 → 80.00 (-20.0%)",
    ]
    assert msg.body.rstrip().endswith("去重键 `rw-r1-d2`")


def test_html_is_escaped_and_only_http_links_survive() -> None:
    evil = drop(summary='<script>alert(1)</script> & "x"', watch_url="javascript:alert(1)")
    msg = default_renderer().render([MessageItem(evil, "info")], "en", "html", "k")
    assert (
        "<script>" not in msg.body and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;x&#34;" in msg.body
    )
    assert "javascript:" not in msg.body and "href" not in msg.body
    md = default_renderer().render(
        [MessageItem(drop(summary="[click](http://evil) *now*"), "info")], "en", "markdown", "k"
    )
    assert r"\[click\](http://evil) \*now\*" in md.body


def test_templates_are_sandboxed(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "body.txt.j2").write_text("{{ items.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        Renderer(tmp_path).render([MessageItem(drop(), "info")], "en", "text", "k")


def test_test_message_in_each_locale() -> None:
    assert "channel ops is set up" in default_renderer().render_test("ops", "en", "text").body
    zh = default_renderer().render_test("ops", "zh-CN", "html")
    assert zh.title == "rivalwatch 测试消息" and zh.body.startswith("<p>")


def test_anomaly_score_and_explanation_get_their_own_line() -> None:
    scored = drop(anomaly_score=0.934, details={"anomaly_explanation": "largest drop in 90 days"})
    body = default_renderer().render([MessageItem(scored, "warning")], "zh-CN", "text", "k").body
    assert body.splitlines()[:3] == [
        "[警告] 降价：Widget 1 100.00 → 80.00 (-20.0%)",
        "  异常分数 0.93：largest drop in 90 days",
        "  https://shop-a.example/p/1",
    ]


def test_a_score_not_yet_known_shows_its_reason_without_a_number() -> None:
    young = drop(details={"anomaly_explanation": "price: not enough history yet (3 of 14 days)"})
    body = default_renderer().render([MessageItem(young, "warning")], "en", "html", "k").body
    assert "not enough history yet (3 of 14 days)" in body and "score 0.00" not in body and "anomaly score" not in body


def test_why_names_the_rule_and_the_numbers_it_compared() -> None:
    undercut = RuleReason("undercut", "undercut", "critical",
                          {"our_price": "26.19", "gap": "1.20", "gap_pct": "4.6", "currency": "EUR"})  # fmt: skip
    under_map = RuleReason("map", "below_map", "warning",
                           {"map_price": "25.00", "gap": "0.01", "gap_pct": "0.0", "currency": "EUR"})  # fmt: skip
    item = MessageItem(drop(new="24.99", old="26.00"), "critical", ("undercut", "map"), (undercut, under_map))
    en = default_renderer().render([item], "en", "text", "k").body
    assert "why: undercut: 24.99 EUR is 1.20 EUR (4.6%) below our price 26.19 EUR" in en
    assert "why: map: 24.99 EUR is 0.01 EUR (0.0%) below the MAP 25.00 EUR" in en
    zh = default_renderer().render([item], "zh-CN", "text", "k").body
    assert "undercut：24.99 EUR 比我方价格 26.19 EUR 低 1.20 EUR（4.6%）" in zh


def test_page_changes_show_their_lines_cut_to_a_readable_length() -> None:
    page = drop(kind="content_changed", summary="page content changed: 7 lines added, 1 removed", old=None,
                new=None, magnitude=None, watch_label="Rival pricing",
                details={"added_lines": ["Pro plan: $49", "x" * 400, *[f"line {i}" for i in range(5)]],
                         "removed_lines": ["Pro plan: $59"]})  # fmt: skip
    body = default_renderer().render([MessageItem(page, "info")], "en", "text", "k").body.splitlines()
    assert "  - Pro plan: $59" in body and "  + Pro plan: $49" in body
    assert f"  + {'x' * 159}…" in body  # one long line, cut
    assert "  + line 2" in body and "  + line 3" not in body and "  … and 2 more lines" in body


def test_rank_changes_of_one_keyword_and_domain_are_one_item_in_places() -> None:
    base = dict(watch_label="wireless headphones", competitor="Huali",
                details={"domain": "huali.example", "keyword": "wireless headphones", "n": 10})  # fmt: skip
    moved = drop(kind="rank_moved", summary="Huali moved down 2 on 'wireless headphones': #9 -> #11",
                 old="9", new="11", magnitude=-0.22, **base)  # fmt: skip
    left = drop(kind="left_top_n", summary="Huali left the top 10", old="9", new="11", magnitude=None,
                change_id=8, **base)  # fmt: skip
    fell = RuleReason("rank-fell", "left_top_n", "warning", {"top_n": "10"})
    msg = default_renderer().render([MessageItem(moved, "warning", ("rank-fell",), (fell,), (left,))], "en", "text", "k")
    assert msg.title == "[warning] Huali: Rank moved · wireless headphones: #9 → #11 (2 places down)"
    assert msg.body.splitlines()[:3] == [
        "[warning] Huali moved down 2 on 'wireless headphones': #9 -> #11",
        "  + Left the top results (10) #9 → #11",
        "  why: rank-fell: left the top 10",
    ]
    assert "%" not in msg.title
