"""Site and page watches in the watchlist: bad CSS, XPath or regex is an error naming file, line and field."""

from __future__ import annotations

import hashlib
import json

import pytest

from monitor.kinds.base import read_options, store_options
from monitor.kinds.page.config import PageOptions
from monitor.kinds.page.observe import filter_key
from monitor.watchlist import ConfigError, load_watchlist_text

GOOD = """
pages:
  - url: https://rival.example/pricing
    label: Rival pricing
    css: main .plans
    remove: .cookie-banner
    ignore: ["/Updated \\\\d+ min ago/", visitors online]
    trigger: Enterprise plan
sites:
  - url: https://rival.example/
    max_pages: 50
    exclude: ["/cart*", "re:^/search"]
"""


def test_good_watches_load_and_become_specs() -> None:
    wl = load_watchlist_text(GOOD)
    page, site = wl.pages[0], wl.sites[0]
    assert page.remove == [".cookie-banner"] and page.trigger == ["Enterprise plan"]
    assert site.max_pages == 50 and site.max_depth == 3 and site.use_sitemap
    specs = {k: wl.watch_specs(k) for k in ("page", "site")}
    assert specs["page"][0].options["css"] == "main .plans"
    assert specs["page"][0].competitor == "rival.example"
    assert specs["site"][0].options["exclude"] == ["/cart*", "re:^/search"]


@pytest.mark.parametrize(
    ("snippet", "line", "field", "message"),
    [
        ("    css: 'main[class'\n", 4, "pages[0].css", "bad CSS selector"),
        ("    xpath: '//div[@id='\n", 4, "pages[0].xpath", "bad XPath"),
        ("    regex: '(unclosed'\n", 4, "pages[0].regex", "bad regular expression"),
        ("    ignore: ['/[a-/']\n", 4, "pages[0].ignore", "bad regular expression"),
        ("    remove: ['..x']\n", 4, "pages[0].remove", "bad CSS selector"),
        ("    wait_for: '.x'\n", 4, "pages[0].wait_for", "wait_for needs render: browser"),
        ("    colour: red\n", 4, "pages[0].colour", "unknown key"),
    ],
)
def test_bad_page_filters_name_file_line_and_field(snippet: str, line: int, field: str, message: str) -> None:
    text = "pages:\n  - url: https://rival.example/\n    label: x\n" + snippet
    with pytest.raises(ConfigError) as err:
        load_watchlist_text(text, "watch.yaml")
    problem = err.value.problems[0]
    assert (problem.file, problem.line, problem.field) == ("watch.yaml", line, field), problem
    assert message in problem.message, problem.message


def test_bad_site_patterns_and_duplicates() -> None:
    with pytest.raises(ConfigError) as err:
        load_watchlist_text("sites:\n  - url: https://r.example/\n    include: ['re:(']\n", "w.yaml")
    problem = err.value.problems[0]
    assert (
        problem.line == 3
        and problem.field == "sites[0].include"
        and "bad regular expression" in problem.message
    )
    with pytest.raises(ConfigError, match="page URL watched twice"):
        load_watchlist_text("pages:\n  - url: https://r.example/a\n  - url: https://r.example/a\n")
    with pytest.raises(ConfigError, match="only http and https"):
        load_watchlist_text("sites:\n  - url: file:///etc/\n")


def test_shaping_options_are_stored_read_back_and_re_baseline_the_text() -> None:
    """`json`, `re.sub`, `maxitems`... round-trip through the stored options, and changing one gives
    the text a new fingerprint (a new baseline, never a change); a plain filter keeps its old one."""

    wl = load_watchlist_text(
        """
pages:
  - url: https://rival.example/api/plans.json
    json: "$.plans[*].name"
    maxitems: 3
    re.sub: {pattern: "\\\\s+", repl: " "}
  - url: https://rival.example/pricing
    css: main
"""
    )
    shaped, plain = (w.options() for w in wl.pages)
    stored = store_options(shaped)
    assert read_options(PageOptions, stored) == shaped
    assert shaped.page_filter().json == "$.plans[*].name" and shaped.page_filter().re_sub == [("\\s+", " ")]
    more = shaped.model_copy(update={"maxitems": 4})
    assert filter_key(more.page_filter()) != filter_key(shaped.page_filter())
    # a filter without shaping options keeps the fingerprint stores already hold

    old = hashlib.sha256(json.dumps(["main", None, None, []]).encode()).hexdigest()[:32]
    assert filter_key(plain.page_filter()) == old
