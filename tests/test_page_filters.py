"""Page filters as urlwatch and changedetection.io users know them: the selected element's own text,
css and xpath on XML feeds (with namespaces), JSONPath and jq on JSON, skip, maxitems, sort, re.sub,
and plain text without decoration. One test per option, each through `render_text`."""

from __future__ import annotations

import pytest

from spiders.extract.page import render_text
from spiders.extract.page_filter import FilterError, PageFilter, check_filter

HTML = "text/html; charset=utf-8"


def test_selected_element_gives_its_own_text_not_what_follows() -> None:
    body = b"<p>Price: <b>42 USD</b> incl. VAT</p>"
    assert render_text(body, "u", HTML, PageFilter(css="b")) == "42 USD"
    assert render_text(body, "u", HTML, PageFilter(xpath="//b")) == "42 USD"


def test_each_selected_element_is_its_own_line() -> None:
    body = b"<ul><li><b>A</b> one</li><li><b>B</b> two</li></ul>"
    assert render_text(body, "u", HTML, PageFilter(css="b")) == "A\nB"


def test_plain_text_without_bullets_or_indent() -> None:
    body = b"<div>   <ul><li>first</li><li>second<ol><li>nested</li></ol></li></ul><blockquote>quoted</blockquote></div>"
    text = render_text(body, "u", HTML, PageFilter())
    assert text.split("\n")[:3] == ["first", "second", "nested"]
    assert all(line == line.strip() for line in text.split("\n"))
    assert "* " not in text and "1. " not in text


RSS = b"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Rival news</title>
<item><title>Spring prices</title><dc:creator>Ann</dc:creator></item>
<item><title>New plan</title><dc:creator>Bob</dc:creator></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Rival blog</title><entry><title>Launch</title></entry><entry><title>Price cut</title></entry></feed>"""


def test_css_on_rss() -> None:
    assert render_text(RSS, "u", "application/rss+xml", PageFilter(css="item > title")) == "Spring prices\nNew plan"


def test_xpath_with_a_namespace_prefix_on_rss() -> None:
    assert render_text(RSS, "u", "application/rss+xml", PageFilter(xpath="//dc:creator")) == "Ann\nBob"


def test_css_and_xpath_on_atom_with_a_default_namespace() -> None:
    assert render_text(ATOM, "u", "application/atom+xml", PageFilter(css="entry title")) == "Launch\nPrice cut"
    assert render_text(ATOM, "u", "application/atom+xml", PageFilter(xpath="//entry/title")) == "Launch\nPrice cut"


def test_xml_recognised_without_a_content_type() -> None:
    assert render_text(ATOM, "u", "", PageFilter(css="feed > title")) == "Rival blog"


JSON = b'{"plans": [{"name": "Basic", "price": 10, "stock": 3}, {"name": "Pro", "price": 30, "stock": 0}]}'


def test_jsonpath_on_json() -> None:
    assert render_text(JSON, "u", "application/json", PageFilter(json="$.plans[*].name")) == "Basic\nPro"
    assert render_text(JSON, "u", "application/json", PageFilter(json="$.plans[?(@.stock > 0)].price")) == "10"


def test_jq_on_json() -> None:
    f = PageFilter(jq='.plans[] | "\\(.name): \\(.price)"')
    assert render_text(JSON, "u", "application/json", f) == "Basic: 10\nPro: 30"


def test_selected_json_objects_are_sorted_indented_json() -> None:
    text = render_text(JSON, "u", "application/json", PageFilter(json="$.plans[0]"))
    assert text.split("\n")[0] == "{" and '"name": "Basic",' in text


def test_skip_and_maxitems_over_selected_items() -> None:
    body = b"<ol>" + b"".join(f"<li>item {i}</li>".encode() for i in range(1, 8)) + b"</ol>"
    assert render_text(body, "u", HTML, PageFilter(css="li", skip=2, maxitems=3)) == "item 3\nitem 4\nitem 5"
    assert render_text(JSON, "u", "application/json", PageFilter(json="$.plans[*].name", maxitems=1)) == "Basic"


def test_skip_and_maxitems_over_lines_without_a_selector() -> None:
    assert render_text(b"a\nb\nc\nd", "u", "text/plain", PageFilter(skip=1, maxitems=2)) == "b\nc"


def test_sort_lines() -> None:
    body = b"<p>pear</p><p>apple</p><p>fig</p>"
    assert render_text(body, "u", HTML, PageFilter(css="p", sort="asc")) == "apple\nfig\npear"
    assert render_text(body, "u", HTML, PageFilter(css="p", sort="desc")) == "pear\nfig\napple"


def test_re_sub_with_groups() -> None:
    body = b"<p>Updated 12:30, 5 visitors online</p><p>Price 10 EUR</p>"
    f = PageFilter(re_sub=[(r"\d+ visitors online", ""), (r"Price (\d+) EUR", r"EUR \1")])
    assert render_text(body, "u", HTML, f) == "Updated 12:30,\n\nEUR 10"


def test_selector_for_another_kind_of_response_is_a_filter_error() -> None:
    with pytest.raises(FilterError, match="JSON"):
        render_text(JSON, "u", "application/json", PageFilter(css="p"))
    with pytest.raises(FilterError, match="HTML"):
        render_text(b"<p>x</p>", "u", HTML, PageFilter(json="$.x"))
    with pytest.raises(FilterError, match="plain text"):
        render_text(b"x", "u", "text/plain", PageFilter(css="p"))


@pytest.mark.parametrize(
    "page_filter",
    [
        PageFilter(json="$.[["),
        PageFilter(jq=".plans[] |"),
        PageFilter(skip=-1),
        PageFilter(maxitems=0),
        PageFilter(sort="sideways"),
        PageFilter(re_sub=[("(unclosed", "x")]),
    ],
)
def test_check_filter_rejects_filters_that_cannot_run(page_filter: PageFilter) -> None:
    with pytest.raises(FilterError):
        check_filter(page_filter)


@pytest.mark.parametrize(
    "body",
    [
        "<?xml version='1.0'?><rss><channel><item><title>A</title></item><item><title>B</title></item></channel></rss>",
        "<?xml version='1.0'?><?xml-stylesheet href='f.xsl'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        "<entry><title>A</title></entry><entry><title>B</title></entry></feed>",
    ],
)
def test_feed_labelled_html_is_read_as_xml(body: str) -> None:
    f = PageFilter(xpath="//item/title | //entry/title")
    assert render_text(body.encode(), "https://shop.example/feed", "text/html; charset=utf-8", f) == "A\nB"


def test_xhtml_page_stays_html() -> None:
    body = "<?xml version='1.0'?><!DOCTYPE html><html xmlns='http://www.w3.org/1999/xhtml'><body><b>42</b> x</body></html>"
    assert render_text(body.encode(), "https://shop.example/", "text/html", PageFilter(css="b")) == "42"
