"""Keyword tracking without the network: the `keywords:` config, watch specs, engine access merging, and
what a finished check means (`conclude_check`) for result pages of the demo engine's Google markup."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import yaml

from monitor.demo.search_engine import SORRY_HTML, SerpResult, render
from monitor.kinds.keyword.config import MOBILE_AGENTS, EngineAccess, KeywordGroup, Locale
from monitor.kinds.keyword.kind import merged_access, slot_of, tracked_domains
from monitor.kinds.keyword.observe import RankMemory, conclude_check
from monitor.kinds.keyword.ranks import RankObservation
from monitor.watchlist import ConfigError, load_watchlist_text
from spiders.extract.serp import parse_serp
from spiders.serp_fetch import SeenPage, SerpFetch, SerpJob

NOW = datetime(2026, 11, 3, 8, tzinfo=UTC)


def _wl(groups: list[dict], competitors: list[dict] | None = None):  # noqa: ANN202
    data = {
        "competitors": competitors or [{"name": "Beta", "domains": ["beta.example", "beta-shop.example"]}],
        "keywords": groups,
    }
    return load_watchlist_text(yaml.safe_dump(data))


def test_group_defaults_and_validation() -> None:
    wl = _wl(
        [
            {
                "name": "g",
                "keywords": ["  running   shoes ", "running shoes", "跑鞋"],
                "domains": ["ours.example"],
            }
        ]
    )
    (g,) = wl.keywords
    assert g.keywords == ["running shoes", "跑鞋"]  # whitespace normalised, duplicates dropped
    assert (g.engines, g.devices, g.depth) == (["google"], ["desktop"], 1)
    assert g.access_for("google").min_delay == 10  # polite by default
    with pytest.raises(ConfigError, match="depth"):
        _wl([{"name": "g", "keywords": ["x"], "domains": ["o.example"], "depth": 11}])
    with pytest.raises(ConfigError, match="tracks no domain"):
        _wl([{"name": "g", "keywords": ["x"]}])
    with pytest.raises(ConfigError, match="does not search"):
        _wl(
            [{"name": "g", "keywords": ["x"], "domains": ["o.example"], "access": {"bing": {"min_delay": 1}}}]
        )
    with pytest.raises(ConfigError, match="unknown key"):
        _wl([{"name": "g", "keywords": ["x"], "domains": ["o.example"], "engine": "google"}])
    with pytest.raises(ConfigError, match="engines"):
        _wl([{"name": "g", "keywords": ["x"], "domains": ["o.example"], "engines": ["altavista"]}])
    with pytest.raises(ConfigError, match="proxy"):
        _wl(
            [
                {
                    "name": "g",
                    "keywords": ["x"],
                    "domains": ["o.example"],
                    "access": {"google": {"proxies": ["h:1"]}},
                }
            ]
        )


def test_tracked_domains_resolve_competitor_names_and_domains() -> None:
    wl = _wl(
        [
            {
                "name": "g",
                "keywords": ["x"],
                "domains": ["Ours.example"],
                "competitors": ["Beta", "gamma.example"],
            }
        ]
    )
    assert tracked_domains(wl.keywords[0], wl.competitors) == [
        ("ours.example", None),
        ("beta.example", "Beta"),
        ("beta-shop.example", "Beta"),
        ("gamma.example", None),
    ]
    # The loader refuses it (run and serve load through it), at the group's entry ...
    with pytest.raises(ConfigError, match="neither a configured competitor nor a domain"):
        _wl([{"name": "g", "keywords": ["x"], "competitors": ["Nobody"]}])
    # ... and the resolver itself still refuses it for a group that did not come through the loader.
    group = KeywordGroup(name="g", keywords=["x"], competitors=["Nobody"])
    with pytest.raises(ValueError, match="neither a configured competitor nor a domain"):
        tracked_domains(group, wl.competitors)


def test_one_watch_per_keyword_engine_locale_device_and_identity_ignores_base_url() -> None:
    group = {
        "name": "g",
        "keywords": ["a", "b"],
        "engines": ["google", "bing", "baidu"],
        "locales": [{"country": "us", "language": "en"}, {"country": "cn", "language": "zh-CN"}],
        "devices": ["desktop", "mobile"],
        "domains": ["o.example"],
    }
    specs = _wl([group]).watch_specs("keyword")
    assert len(specs) == 2 * 3 * 2 * 2 and len({s.url for s in specs}) == len(specs)
    assert all(s.interval_s == 86400 and s.kind == "keyword" for s in specs)
    moved = _wl([{**group, "base_url": "http://127.0.0.1:8123"}]).watch_specs("keyword")
    assert [s.url for s in moved] == [s.url for s in specs]  # a stand-in engine keeps the history
    assert moved[0].options["base_url"] == "http://127.0.0.1:8123"


def test_engine_access_merges_to_the_most_polite() -> None:
    a = KeywordGroup(
        name="a",
        keywords=["x"],
        domains=["o.example"],
        access={"google": EngineAccess(min_delay=5, concurrency=3)},
    )
    b = KeywordGroup(
        name="b",
        keywords=["y"],
        domains=["o.example"],
        access={"google": EngineAccess(min_delay=20, backoff=60, concurrency=2)},
    )
    merged = merged_access([a, b])["serp:google"]
    assert (merged.min_delay, merged.concurrency, merged.backoff) == (20, 2, 3600)
    assert slot_of("google", "http://127.0.0.1:9/") == "serp:google@127.0.0.1:9"
    assert EngineAccess().agents("mobile") == MOBILE_AGENTS
    assert Locale(country="us", language="en").label == "en/US" and Locale().label == "any"


# ---- conclude_check: what a finished check means -------------------------------------------------

DOMAINS = ["shop-a.example", "shop-b.example"]


def _results(hosts: list[str], first: int = 1) -> list[SerpResult]:
    return [
        SerpResult(first + i, f"https://{h}/p{first + i}", f"T{first + i}", "s") for i, h in enumerate(hosts)
    ]


def _page(number: int, html: str, status: int = 200) -> SeenPage:
    url = f"https://www.google.com/search?q=kw&start={(number - 1) * 10}"
    return SeenPage(
        number, url, status, html.encode(), "text/html", 5.0, parse_serp(html.encode(), "google", url)
    )


def _results_page(hosts: list[str], number: int = 1) -> SeenPage:
    start = (number - 1) * 10
    return _page(number, render("kw", _results(hosts, start + 1), start, 40, 0))


def _job(depth: int = 2) -> SerpJob:
    return SerpJob(watch_id=1, keyword="kw", engine="google", slot="serp:google", depth=depth)


def _memory(last_good: RankObservation | None = None) -> RankMemory:
    return RankMemory(
        1,
        "kw",
        86400,
        group="g",
        keyword="kw",
        engine="google",
        locale="any",
        device="desktop",
        domains=list(DOMAINS),
        last_good=last_good,
    )


FILL = [f"site{i}.example" for i in range(10)]


def test_good_check_ranks_across_pages() -> None:
    page1 = _results_page(["shop-a.example", *FILL[:9]])
    page2 = _results_page([*FILL[:3], "shop-b.example", *FILL[3:9]], 2)
    outcome = conclude_check(SerpFetch(_job(), [page1, page2]), _memory(), NOW)
    assert outcome.status == "ok" and outcome.value.page_kind == "results" and outcome.value.depth == 20
    ranks = dict((u.split("/")[2], r) for r, u in reversed(outcome.value.observation.results))
    assert ranks["shop-a.example"] == 1 and ranks["shop-b.example"] == 14
    assert outcome.changes == []  # nothing to compare with yet


def test_changes_are_against_the_last_good_observation() -> None:
    previous = RankObservation(
        "kw",
        "google",
        "any",
        "desktop",
        date(2026, 11, 1),
        tuple((i + 1, f"https://{h}/x") for i, h in enumerate([*FILL[:4], "shop-a.example", *FILL[4:]])),
        20,
    )
    page1 = _results_page(["shop-a.example", *FILL[:9]])
    page2 = _results_page(FILL, 2)
    outcome = conclude_check(SerpFetch(_job(), [page1, page2]), _memory(previous), NOW)
    kinds = {(c.kind, c.field, c.old, c.new) for c in outcome.changes}
    assert ("rank_moved", "shop-a.example", "5", "1") in kinds
    assert ("entered_top_n", "shop-a.example", "5", "1") in kinds


@pytest.mark.parametrize(
    ("second", "kind", "reason"),
    [
        (_page(2, SORRY_HTML, 429), "blocked", "blocked"),
        (_page(2, "<html><body><div>nothing we know</div></body></html>"), "error", "not recognised"),
        (_page(2, "<html><body>Service Unavailable</body></html>", 503), "error", "HTTP 503"),
        (
            _page(
                2,
                '<html><body><noscript><a href="/httpservice/retry/enablejs">x</a></noscript></body></html>',
            ),
            "needs_render",
            "JavaScript",
        ),
    ],
)
def test_a_bad_later_page_fails_the_whole_check(second: SeenPage, kind: str, reason: str) -> None:
    previous = RankObservation(
        "kw", "google", "any", "desktop", date(2026, 11, 1), ((1, "https://shop-b.example/"),), 20
    )
    page1 = _results_page(["shop-a.example", *FILL[:9]])
    outcome = conclude_check(SerpFetch(_job(), [page1, second]), _memory(previous), NOW)
    assert outcome.status == "failed" and outcome.value.page_kind == kind and reason in outcome.reason
    assert outcome.value.observation is None and outcome.changes == [] and outcome.value.results == ()


def test_transport_failure_and_skip_are_failed_checks() -> None:
    page1 = _results_page(FILL)
    failed = conclude_check(
        SerpFetch(_job(), [page1], error="timed out", error_url="https://x/"), _memory(), NOW
    )
    assert (failed.status, failed.value.page_kind, failed.reason) == ("failed", "error", "timed out (page 2)")
    skipped = conclude_check(SerpFetch(_job(), skipped="not checked: paused"), _memory(), NOW)
    assert (skipped.status, skipped.value.page_kind, skipped.value.pages_checked) == ("failed", "skipped", 0)


def test_confirmed_no_results_is_a_good_check_where_nobody_ranks() -> None:
    empty = _page(1, render("kw", [], 0, 0, 0))
    outcome = conclude_check(SerpFetch(_job(1), [empty]), _memory(), NOW)
    assert outcome.status == "ok" and outcome.value.page_kind == "no_results" and outcome.value.observation.results == ()
