"""Page-content watches: filters, HTML to text, ignore rules, trigger text and the line diff."""

from __future__ import annotations

import pytest

from monitor.kinds.page.changes import detect_page_changes, diff_text, empty_rendering
from spiders.extract.page import render_page_text
from spiders.extract.page_filter import FilterError, PageFilter

HTML = """<html><head><title>T</title><style>p{}</style></head><body>
<nav>Home | Pricing</nav>
<main id="content">
  <h1>Pricing</h1>
  <div class="banner">Spring sale ends soon!</div>
  <p>Basic plan: 10 EUR per month</p>
  <p>Updated 5 minutes ago</p>
  <ul><li>Email support</li><li>API access</li></ul>
</main>
<footer>© 2024 Rival</footer>
<script>document.write("x")</script>
</body></html>"""


def test_render_whole_page_drops_scripts_and_styles():
    text = render_page_text(HTML.encode(), "https://rival.example/pricing")
    assert "Basic plan: 10 EUR per month" in text and "Home | Pricing" in text
    assert "document.write" not in text and "p{}" not in text
    assert "\n\n\n" not in text


def test_css_filter_and_element_removal():
    text = render_page_text(HTML, "https://rival.example/", PageFilter(css="main", remove=[".banner"]))
    assert "Spring sale" not in text and "Home" not in text and "©" not in text
    assert "Email support\nAPI access" in text and "* " not in text  # plain text: no list bullets


def test_xpath_and_regex_filters():
    assert render_page_text(HTML, "u", PageFilter(xpath="//h1")) == "Pricing"
    assert render_page_text(HTML, "u", PageFilter(xpath="//li/text()")) == "Email support\nAPI access"
    assert render_page_text(HTML, "u", PageFilter(regex=r"\d+ EUR")) == "10 EUR"


def test_bad_filters_raise_a_user_error():
    with pytest.raises(FilterError):
        render_page_text(HTML, "u", PageFilter(css="main[["))
    with pytest.raises(FilterError):
        render_page_text(HTML, "u", PageFilter(xpath="//*["))
    with pytest.raises(FilterError):
        render_page_text(HTML, "u", PageFilter(regex="/(unclosed/"))


def test_diff_added_and_removed_lines():
    diff = diff_text("a\nb\nc\n", "a\nc\nd\n")
    assert diff.removed_lines == ["b"] and diff.added_lines == ["d"] and diff.changed
    assert not diff_text("a\n\nb", "a\nb  ").changed


def test_only_ignored_text_changed_means_no_change():
    old = "Basic plan: 10 EUR\nUpdated 5 minutes ago\nVisitors today: 1234\nBanner: Spring sale"
    new = "Basic plan: 10 EUR\nUpdated 17 minutes ago\nVisitors today: 1301\nBanner: Summer sale"
    ignore = [r"/Updated \d+ minutes ago/", r"/\d+/", "banner:"]
    assert not diff_text(old, new, ignore).changed
    changed = new.replace("10 EUR", "12 EUR")
    # With "/\d+/" ignored the price digits are ignored too: rules are the user's choice.
    assert not diff_text(old, changed, ignore).changed
    diff = diff_text(old, changed, ignore[:1] + ignore[2:])
    assert diff.added_lines == ["Basic plan: 12 EUR", "Visitors today: 1301"]


def test_detect_content_changed_with_original_lines():
    f = PageFilter(ignore=[r"/Updated \d+ minutes ago/"])
    old = "Pricing\nBasic: 10 EUR\nUpdated 5 minutes ago"
    assert detect_page_changes(old, old.replace("5 minutes", "9 minutes"), f) == []
    changes = detect_page_changes(old, "Pricing\nBasic: 12 EUR\nUpdated 1 minutes ago", f)
    assert [c.kind for c in changes] == ["content_changed"]
    assert changes[0].details["added_lines"] == ["Basic: 12 EUR"]
    assert changes[0].details["removed_lines"] == ["Basic: 10 EUR"]


def test_trigger_text_appeared_once():
    f = PageFilter(trigger=["out of stock", r"/sale ends \w+/i"])
    old = "Lamp\nIn stock"
    new = "Lamp\nOUT OF STOCK\nSale ends Monday"
    changes = detect_page_changes(old, new, f)
    assert sorted(c.kind for c in changes) == [
        "content_changed",
        "trigger_text_appeared",
        "trigger_text_appeared",
    ]
    trig = [c for c in changes if c.kind == "trigger_text_appeared"]
    assert {c.new for c in trig} == {"OUT OF STOCK", "Sale ends Monday"}
    again = detect_page_changes(new, new + "\nmore", f)
    assert [c.kind for c in again] == ["content_changed"]


def test_empty_rendering_is_a_failure_not_a_change():
    assert empty_rendering("some text", "  \n")
    assert detect_page_changes("some text", "") == []
