"""Keyword rank tracking over real HTTP against the demo market's search engine: the stored ranks are the
engine's truth day by day, the moves and top-N crossings detected are exactly the truth's, and a
captcha, a dead engine or a page needing a browser is a failed observation: no rank, no change, no alert."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer

import pytest
import yaml
from local_http import PageHandler, origin
from sqlalchemy import func, select

from models import Change, Watch
from models.rank import DomainRank, RankCheck, RankResult
from monitor.crawl.runner import run_cycle
from monitor.demo.search_engine import SORRY_HTML
from monitor.demo.session import demo_watchlist
from monitor.kinds.keyword.ranks import matches_domain
from monitor.kinds.keyword.summary import rank_report
from monitor.watchlist import load_watchlist_text
from spiders.browser import chromium_available

T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
OURS = "www.pricecompare.example"  # one of the engine's other sites plays "our" domain
THRESHOLDS = (3, 10, 20)


class StaticEngine:
    """A stand-in engine on 127.0.0.1 answering every request with one fixed page."""

    def __init__(self, body: str, status: int = 200) -> None:
        payload = body.encode()

        class Handler(PageHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_page(status, payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = origin(self.server)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _rows(s, model, *where) -> int:  # noqa: ANN001, ANN002
    """How many rows of `model` match all of `where`."""
    return s.scalar(select(func.count()).select_from(model).where(*where))


def dead_url() -> str:
    """An address where nothing listens (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def _watchlist(market, groups: list[dict], *, rules: bool = False):  # noqa: ANN001, ANN202
    data = demo_watchlist(market, "json://127.0.0.1:9/unused")
    data["products"] = []
    data["settings"]["retries"] = 0
    data["settings"]["download_timeout"] = 5
    data["keywords"] = groups
    if rules:
        data["rules"] = [
            {"name": "moves", "when": "rank_moved", "min_positions": 1},
            {"name": "top", "when": "entered_top_n", "top_n": 10},
            {"name": "out", "when": "left_top_n", "top_n": 10},
            {"name": "newcomer", "when": "new_domain_in_top", "top_n": 10},
        ]
    else:
        data["channels"], data["rules"] = [], []
    return load_watchlist_text(yaml.safe_dump(data))


def _group(market, name: str, keywords: list[str], base_url: str, depth: int = 3) -> dict:  # noqa: ANN001
    return {
        "name": name,
        "keywords": keywords,
        "engines": ["google"],
        "depth": depth,
        "domains": [OURS],
        "competitors": ["Alpha", "Beta", "Gamma", "Huali"],
        "base_url": base_url,
        "access": {"google": {"min_delay": 0, "random_delay": 0, "concurrency": 2, "backoff": "1h"}},
    }


def _tracked(market) -> list[str]:  # noqa: ANN001
    return [OURS] + [u.split("://", 1)[1] for u in market.base_urls.values()]


def _best(truth, domain: str, depth: int) -> int | None:  # noqa: ANN001
    ranks = [r.rank for r in truth if r.rank <= depth and matches_domain(r.url, domain)]
    return min(ranks) if ranks else None


def _expected_changes(before, after, domains: list[str], depth: int) -> set[tuple]:  # noqa: ANN001
    """Rank moves and top-N crossings of tracked domains, computed from the engine's truth."""
    out: set[tuple] = set()
    for d in domains:
        old, new = _best(before, d, depth), _best(after, d, depth)
        if old == new:
            continue
        if old is not None and new is not None:
            out.add(("rank_moved", d, str(old), str(new)))

        def inside(rank: int | None, n: int) -> bool:
            return rank is not None and rank <= n

        entered = [n for n in THRESHOLDS if inside(new, n) and not inside(old, n)]
        left = [n for n in THRESHOLDS if inside(old, n) and not inside(new, n)]
        if entered:
            out.add(("entered_top_n", d, None if old is None else str(old), str(new)))
        if left:
            out.add(("left_top_n", d, str(old), None if new is None else str(new)))
    return out


def _run(watchlist, factory, day: int, **kw):  # noqa: ANN001, ANN003, ANN202
    return run_cycle(watchlist, factory, force=True, clock=lambda: T0 + timedelta(days=day), **kw)


def test_stored_ranks_and_changes_equal_the_engine_truth(market, store) -> None:  # noqa: ANN001
    _engine, factory = store
    keywords = ["wireless headphones", "best laptop", "智能手机", "tablets"]
    depth_pages = 3
    live = _watchlist(market, [_group(market, "demo", keywords, market.search_url, depth_pages)], rules=True)
    dead = _watchlist(market, [_group(market, "demo", keywords, dead_url(), depth_pages)], rules=True)
    domains = _tracked(market)
    last_good_day: int | None = None
    for day in range(5):
        market.set_day(day)
        engine_dead = day == 2
        summary = _run(dead if engine_dead else live, factory, day)
        assert summary.due == len(keywords)
        with factory() as s:
            watch_of = {
                w.options["keyword"]: w for w in s.scalars(select(Watch).where(Watch.kind == "keyword"))
            }
            run_changes = list(s.scalars(select(Change).where(Change.run_id == summary.run_id)))
            if engine_dead:
                # A dead engine: failed observations with the reason, no ranks, no changes, no alert.
                assert summary.stats.failed == len(keywords) and summary.stats.ok == 0
                for kw in keywords:
                    check = s.scalars(
                        select(RankCheck)
                        .where(RankCheck.watch_id == watch_of[kw].id)
                        .order_by(RankCheck.id.desc())
                    ).first()
                    assert check.status == "failed" and check.page_kind in ("error", "skipped")
                    assert "connection refused" in check.reason or "unreachable" in check.reason
                    assert _rows(s, DomainRank, DomainRank.check_id == check.id) == 0
                    assert _rows(s, RankResult, RankResult.check_id == check.id) == 0
                assert run_changes == [] and summary.alerts_queued == 0
                continue
            assert summary.stats.failed == 0
            expected: set[tuple] = set()
            for kw in keywords:
                truth = market.serp_truth(kw, day)
                w = watch_of[kw]
                check = s.scalars(
                    select(RankCheck).where(RankCheck.watch_id == w.id).order_by(RankCheck.id.desc())
                ).first()
                assert (check.status, check.page_kind, check.pages_checked) == ("ok", "results", depth_pages)
                stored = [
                    (r.rank, r.url)
                    for r in s.scalars(
                        select(RankResult).where(RankResult.check_id == check.id).order_by(RankResult.rank)
                    )
                ]
                assert stored == [(r.rank, r.url) for r in truth[: depth_pages * 10]]
                ranks = {
                    r.domain: r.rank
                    for r in s.scalars(select(DomainRank).where(DomainRank.check_id == check.id))
                }
                assert ranks == {d: _best(truth, d, depth_pages * 10) for d in domains}
                if last_good_day is not None:
                    before = market.serp_truth(kw, last_good_day)
                    expected |= {
                        (*e, kw) for e in _expected_changes(before, truth, domains, depth_pages * 10)
                    }
            got = {
                (c.kind, c.details["domain"], c.old, c.new, c.details["keyword"])
                for c in run_changes
                if c.kind != "new_domain_top10"
            }
            assert got == expected
            if last_good_day is not None:
                assert expected, "the demo engine should move something between two days"
                assert summary.alerts_queued > 0  # rank changes take the price alerts' path
            # newcomers in the top 10 are untracked domains absent from the previous good top 10
            for c in run_changes:
                if c.kind == "new_domain_top10":
                    before = market.serp_truth(c.details["keyword"], last_good_day)
                    assert not any(matches_domain(r.url, c.field) for r in before[:10])
            last_good_day = day
    with factory() as s:
        (report,) = rank_report(s, "demo")
    assert {r.keyword for r in report.rows} == set(keywords)
    for row in report.rows:
        truth = market.serp_truth(row.keyword, 4)
        for cell in row.cells:
            assert cell.rank == _best(truth, cell.domain, depth_pages * 10)
    assert abs(sum(report.share_of_voice().values()) - 1) < 1e-9


def test_captcha_is_a_failed_observation_and_pauses_the_engine(market, store) -> None:  # noqa: ANN001
    _engine, factory = store
    keywords = ["laptops", "best smartwatch"]
    blocker = StaticEngine(SORRY_HTML, status=429)
    try:
        groups = [_group(market, "demo", keywords, url) for url in (market.search_url, blocker.url)]
        for g in groups:
            g["access"]["google"]["concurrency"] = 1  # one request at a time: the captcha is met first
        live, blocked = (_watchlist(market, [g], rules=True) for g in groups)
        market.set_day(0)
        assert _run(live, factory, 0).stats.ok == len(keywords)
        market.set_day(1)
        summary = _run(blocked, factory, 1)
    finally:
        blocker.close()
    assert summary.stats.ok == 0 and summary.stats.failed == len(keywords)
    assert summary.changes == [] and summary.alerts_queued == 0
    with factory() as s:
        checks = list(s.scalars(select(RankCheck).where(RankCheck.checked_at == T0 + timedelta(days=1))))
        kinds = sorted(c.page_kind for c in checks)
        # The first check met the captcha; the engine was paused, so the other was not even asked.
        assert kinds == ["blocked", "skipped"]
        for c in checks:
            assert c.status == "failed"
            assert _rows(s, DomainRank, DomainRank.check_id == c.id) == 0
        assert "blocked" in next(c.reason for c in checks if c.page_kind == "blocked")
        for w in s.scalars(select(Watch).where(Watch.kind == "keyword")):
            # retried after the engine's backoff (1h, +-5% jitter), not after the daily interval
            wait = (w.next_due_at - (T0 + timedelta(days=1))).total_seconds()
            assert 3600 * 0.9 <= wait <= 3600 * 1.1 and w.last_error and w.consecutive_failures == 1
    # Back to a working engine: changes are against day 0, the last good check, as if day 1 never was.
    market.set_day(2)
    summary = _run(live, factory, 2)
    assert summary.stats.ok == len(keywords)
    domains = _tracked(market)
    expected = set()
    for kw in keywords:
        expected |= {
            (*e, kw)
            for e in _expected_changes(market.serp_truth(kw, 0), market.serp_truth(kw, 2), domains, 30)
        }
    got = {
        (c.kind, c.details["domain"], c.old, c.new, c.details["keyword"])
        for c in summary.changes
        if c.kind != "new_domain_top10"
    }
    assert got == expected


def test_demo_engine_captcha_keyword_is_blocked(market, store) -> None:  # noqa: ANN001
    _engine, factory = store
    market.set_day(0)
    wl = _watchlist(market, [_group(market, "trap", ["captcha headphones"], market.search_url)])
    summary = _run(wl, factory, 0)
    (outcome,) = summary.stats.outcomes
    assert outcome.status == "failed" and outcome.value.page_kind == "blocked"
    assert "captcha" in outcome.reason or "block page" in outcome.reason
    assert summary.changes == []


def test_page_needing_a_browser_is_failed_with_its_reason(market, store) -> None:  # noqa: ANN001
    _engine, factory = store
    shell = (
        "<!doctype html><html><head><title>Google Search</title></head><body><noscript>"
        '<meta content="0;url=/httpservice/retry/enablejs?sei=abc" http-equiv="refresh"></noscript>'
        "<script>window.google={};</script></body></html>"
    )
    js_engine = StaticEngine(shell)
    try:
        wl = _watchlist(market, [_group(market, "js", ["tablets"], js_engine.url)])
        summary = _run(wl, factory, 0)
    finally:
        js_engine.close()
    (outcome,) = summary.stats.outcomes
    assert outcome.status == "failed" and outcome.value.page_kind == "needs_render"
    assert "JavaScript" in outcome.reason
    with factory() as s:
        check = s.scalars(select(RankCheck)).one()
        assert (check.status, check.page_kind) == ("failed", "needs_render")
        assert _rows(s, DomainRank) == 0


def test_missing_proxy_secret_fails_the_check_without_fetching(market, store, monkeypatch) -> None:  # noqa: ANN001
    _engine, factory = store
    monkeypatch.delenv("RW_TEST_PROXY_PASSWORD", raising=False)
    group = _group(market, "proxied", ["laptops"], market.search_url)
    group["access"]["google"]["proxies"] = ["http://user:${RW_TEST_PROXY_PASSWORD}@127.0.0.1:9"]
    summary = _run(_watchlist(market, [group]), factory, 0)
    (outcome,) = summary.stats.outcomes
    assert outcome.status == "failed" and "RW_TEST_PROXY_PASSWORD" in outcome.reason
    # With the secret set, a dead proxy is a failure whose reason never shows the secret.
    monkeypatch.setenv("RW_TEST_PROXY_PASSWORD", "s3cr3t-value")
    summary = _run(_watchlist(market, [group]), factory, 1)
    (outcome,) = summary.stats.outcomes
    assert outcome.status == "failed" and "s3cr3t-value" not in (outcome.reason or "")


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="Chromium not installed at /usr/bin/chromium")
def test_engine_rendered_in_a_browser_gives_the_same_ranks(market, store) -> None:  # noqa: ANN001
    _engine, factory = store
    market.set_day(1)
    group = _group(market, "rendered", ["smartwatches"], market.search_url, depth=2)
    group["access"]["google"].update({"render": "browser", "wait_for": "#rso"})
    summary = _run(_watchlist(market, [group]), factory, 1)
    (outcome,) = summary.stats.outcomes
    assert outcome.status == "ok", outcome.reason
    truth = market.serp_truth("smartwatches", 1)
    assert [(r.rank, r.url) for r in outcome.value.results] == [(r.rank, r.url) for r in truth[:20]]
