"""Alert messages: title, short body and link, in English and Chinese, as text, Markdown and safe HTML."""

from __future__ import annotations

import pytest
from facts import price_drop as drop
from jinja2.exceptions import SecurityError

from alerts.templates import MessageItem, Renderer, default_renderer


def test_english_text_message_has_title_body_link_and_key() -> None:
    msg = default_renderer().render([MessageItem(drop(), "warning")], "en", "text", "rw-r1-c7-abc")
    assert msg.title == "[warning] ShopA: Price drop · Widget 1"
    assert msg.body.splitlines() == [
        "[warning] Widget 1: price 100.00 → 80.00 USD (-20.0%)",
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
    assert lines[0] == "- **严重** 缺货：Widget 1 InStock → OutOfStock"
    assert lines[2] == "- **警告** 降价：Widget 1 100.00 → 80.00 (-20.0%)"
    assert "[打开页面](https://shop-a.example/p/1)" in msg.body
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
