"""The web dashboard and /api/v1 over a store the demo built.

- access: every route of the app, enumerated from `app.routes`, answers a redirect to /login (pages,
  stored files) or 401 (API) without a session or token; a form without this session's CSRF token is
  refused; a competitor's `<script>` is text on every page; a stored snapshot is served sandboxed.
- the API's JSON held against the store's rows; pause, resume, check-now and mute in the store.
- real Chromium over `rivalwatch serve --web` (the service and the dashboard in one process) with the
  demo market back up on its ports: log in, overview, filter the watch table, a product's chart, a
  page diff, pause a watch, check one now and see the new observation. Screenshots: artifacts/web-*.png.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy import delete, func, select, update

from models import AlertDelivery, Change, Competitor, CrawlRun, Observation, ProductState, Watch
from models.catalog import due_watches
from models.db import open_store
from models.listing import ListingSnapshot, ListingSnapshotItem
from models.outbox import AlertDeliveryChange
from models.page_text import PageDiff
from models.rank import RankResult
from monitor.demo.session import DEMO_TZ, run_demo
from monitor.service.store_ops import due_now
from monitor.watchlist import load_watchlist
from monitor.web.app import create_app
from monitor.web.auth import add_user, create_token, revoke_token

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "artifacts"
USER, PASSWORD = "ann", "correct horse battery"
SCRIPT = "<script>alert('pwned')</script>"
DAYS, SEED, PRODUCTS = 7, 7, 10


@pytest.fixture(scope="module")
def demo(tmp_path_factory):  # noqa: ANN201
    workdir = tmp_path_factory.mktemp("webdemo")
    result = run_demo(days=DAYS, seed=SEED, n_products=PRODUCTS, workdir=workdir, console=Console(file=io.StringIO()))
    _engine, factory = open_store(result.database_url)
    with factory.begin() as s:
        add_user(s, USER, PASSWORD)
        token = create_token(s, "tests").token
    watchlist = load_watchlist(result.watchlist_path)
    return result, factory, watchlist, token


@pytest.fixture(scope="module")
def app(demo):  # noqa: ANN001, ANN201
    result, factory, watchlist, _token = demo
    return create_app(factory, secret_key="k" * 40, watchlist=watchlist, reports_dir=result.workdir / "reports",
                      secure_cookies=False)  # fmt: skip  (TestClient speaks plain HTTP to "testserver")


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def _login(client: TestClient) -> str:
    page = client.get("/login")
    r = client.post("/login", data={"csrf": _csrf(page.text), "user": USER, "password": PASSWORD, "next": "/"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/"
    return _csrf(client.get("/").text)


def _all_routes(routes, prefix: str = ""):  # noqa: ANN001, ANN202
    """Every route of the app, into included routers too (FastAPI keeps those nested)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _all_routes(inner.routes, prefix)
        else:
            yield prefix + getattr(route, "path", ""), getattr(route, "methods", None)


def _concrete(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(ids.get(m.group(1), 1)), path)


def _ids(factory) -> dict[str, int]:  # noqa: ANN001
    with factory() as s:
        return {
            "watch_id": s.scalar(select(func.min(Watch.id))) or 1,
            "observation_id": s.scalar(select(func.min(Observation.id))) or 1,
            "diff_id": s.scalar(select(func.min(PageDiff.id))) or 1,
            "check_id": 1,
            "delivery_id": s.scalar(select(func.min(AlertDelivery.id))) or 1,
        }


# ---- access ---------------------------------------------------------------------------------------


def test_every_route_needs_a_session_or_a_token(app, demo) -> None:  # noqa: ANN001
    _result, factory, _wl, token = demo
    ids = _ids(factory) | {"name": 0, "action": 0}
    client = TestClient(app)
    open_routes = {"/login"}  # and /static: the app's own stylesheet, no data
    checked = 0
    for path, methods in _all_routes(app.routes):
        if path in open_routes or path.startswith("/static"):
            continue
        for method in sorted(methods or {"GET"}):
            if method == "HEAD":
                continue
            url = _concrete(path, ids | {"action": "pause", "name": "x.html"})  # type: ignore[arg-type]
            r = client.request(method, url, follow_redirects=False)
            if path.startswith("/api/"):
                assert r.status_code == 401, (method, url, r.status_code)
                bad = client.request(method, url, headers={"Authorization": "Bearer rw_forged"}, follow_redirects=False)
                assert bad.status_code == 401, (method, url)
            else:
                assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, url, r.status_code)
            checked += 1
    assert checked >= 30
    # with a token the API answers; a revoked token no longer does
    assert client.get("/api/v1/watches", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with factory.begin() as s:
        other = create_token(s, "short-lived")
    assert client.get("/api/v1/watches", headers={"Authorization": f"Bearer {other.token}"}).status_code == 200
    with factory.begin() as s:
        revoke_token(s, str(other.id))
    assert client.get("/api/v1/watches", headers={"Authorization": f"Bearer {other.token}"}).status_code == 401
    # the OpenAPI description is FastAPI's, behind the token too
    spec = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"}).json()
    assert "/api/v1/watches/{watch_id}/check-now" in spec["paths"] and "/watches" not in spec["paths"]


def test_wrong_password_and_forged_forms_are_refused(app, demo) -> None:  # noqa: ANN001
    _result, factory, _wl, _token = demo
    client = TestClient(app)
    page = client.get("/login")
    r = client.post("/login", data={"csrf": _csrf(page.text), "user": USER, "password": "wrong"}, follow_redirects=False)
    assert r.status_code == 401 and "/watches" not in r.text
    assert client.post("/login", data={"user": USER, "password": PASSWORD}, follow_redirects=False).status_code == 403
    csrf = _login(client)
    with factory() as s:
        wid = s.scalar(select(Watch.id).where(Watch.kind == "product").order_by(Watch.id))
    for data in ({}, {"csrf": "forged"}):  # a logged-in browser, a form from elsewhere
        r = client.post(f"/watches/{wid}/pause", data=data, follow_redirects=False)
        assert r.status_code == 403
    with factory() as s:
        assert s.get(Watch, wid).paused is False  # type: ignore[union-attr]
    r = client.post(f"/watches/{wid}/pause", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    with factory.begin() as s:
        assert s.get(Watch, wid).paused is True  # type: ignore[union-attr]
        s.execute(update(Watch).where(Watch.id == wid).values(paused=False))
    # a login may send the user only to a path of ours
    r = client.post("/login", data={"csrf": _csrf(client.get("/login").text), "user": USER, "password": PASSWORD,
                                    "next": "//evil.example/"}, follow_redirects=False)  # fmt: skip
    assert r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_secure_cookies_by_default(demo) -> None:  # noqa: ANN001
    _result, factory, _wl, _token = demo
    client = TestClient(create_app(factory, secret_key="s" * 40), base_url="https://testserver")
    page = client.get("/login")
    r = client.post("/login", data={"csrf": _csrf(page.text), "user": USER, "password": PASSWORD}, follow_redirects=False)
    assert "secure" in r.headers["set-cookie"].lower()


def test_competitor_script_is_text_everywhere(app, demo) -> None:  # noqa: ANN001
    """A competitor's page title, listing card, search result, change summary and alert title carrying
    a script tag: every page shows it as text (and the CSV keeps it as a string)."""
    _result, factory, _wl, _token = demo
    with factory.begin() as s:
        product = s.scalar(select(Watch).where(Watch.kind == "product").order_by(Watch.id))
        assert product is not None
        product.label = f"Alpha · {SCRIPT}"
        s.execute(update(ProductState).where(ProductState.watch_id == product.id).values(name=SCRIPT))
        s.execute(update(Change).where(Change.watch_id == product.id).values(summary=f"{SCRIPT} price moved"))
        newest = s.scalar(select(func.max(Change.id)))
        s.execute(update(Change).where(Change.id == newest).values(summary=f"{SCRIPT} new title"))
        # the cards of a listing's newest snapshot that were there the time before too (neither added nor
        # removed): the listing's page shows its cards as they are now
        snap = s.scalar(select(func.max(ListingSnapshot.id)))
        listing = s.scalar(select(ListingSnapshot.watch_id).where(ListingSnapshot.id == snap))
        previous = s.scalar(select(func.max(ListingSnapshot.id)).where(ListingSnapshot.watch_id == listing, ListingSnapshot.id < snap))
        kept = select(ListingSnapshotItem.key).where(ListingSnapshotItem.snapshot_id == previous)
        changed = s.execute(update(ListingSnapshotItem).where(ListingSnapshotItem.snapshot_id == snap, ListingSnapshotItem.key.in_(kept))
                            .values(title=SCRIPT))  # fmt: skip
        assert changed.rowcount >= 1  # type: ignore[attr-defined]
        s.execute(update(RankResult).values(title=SCRIPT))
        s.add(Competitor(name=f"Evil {SCRIPT}", domains=[], tags=[]))
        # an alert's title quotes the watch and the change; a channel's error is the server's text
        delivery = s.scalar(select(func.max(AlertDelivery.id)))
        s.execute(update(AlertDelivery).where(AlertDelivery.id == delivery).values(title=f"{SCRIPT} price moved", last_error=SCRIPT))
        check = s.scalar(select(func.min(RankResult.check_id)))
    client = TestClient(app)
    _login(client)
    pages = ["/", "/watches", f"/watches/{product.id}", f"/watches/{listing}", "/changes", "/keywords",
             f"/keywords/checks/{check}", "/alerts", "/reports", f"/watches?q={SCRIPT}"]  # fmt: skip
    seen = 0
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        assert "<script" not in r.text.lower(), url  # not one script tag on any page, ours included
        seen += "&lt;script&gt;" in r.text
    assert seen >= 8, seen  # all but /keywords (our keywords, domains) and /reports (file names)
    assert SCRIPT in client.get("/changes.csv").text  # a CSV cell holds the text as it was


def test_a_stored_snapshot_is_served_sandboxed(app, demo) -> None:  # noqa: ANN001
    _result, factory, _wl, _token = demo
    with factory() as s:
        obs = s.scalar(select(Observation.id).where(Observation.content_hash.is_not(None)).order_by(Observation.id))
    client = TestClient(app)
    _login(client)
    r = client.get(f"/observations/{obs}/snapshot")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp and "script-src" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    frame = client.get(f"/observations/{obs}").text
    assert re.search(r'<iframe class="snapshot" sandbox=""', frame)
    assert "script-src 'self'" in client.get("/").headers["content-security-policy"]


# ---- the API against the store -------------------------------------------------------------------


def test_api_json_is_the_store(app, demo) -> None:  # noqa: ANN001
    _result, factory, _wl, token = demo
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    everything = client.get("/api/v1/watches", params={"limit": 500}).json()
    with factory() as s:
        active = {w.id: w for w in s.scalars(select(Watch).where(Watch.active.is_(True)))}
        assert everything["total"] == len(active) == len(everything["items"])
        assert {w["id"] for w in everything["items"]} == set(active)
        # pages of 7 are slices of the whole, in the same order
        second = client.get("/api/v1/watches", params={"limit": 7, "offset": 7}).json()
        assert [w["id"] for w in second["items"]] == [w["id"] for w in everything["items"][7:14]]
        products = [w for w in everything["items"] if w["kind"] == "product"]
        for item in products:
            latest = s.scalar(select(ProductState).where(ProductState.watch_id == item["id"]).order_by(ProductState.id.desc()).limit(1))
            if latest is None:
                continue
            assert item["availability"] == latest.availability
            assert (item["price"] is None) == (latest.price is None)
            if latest.price is not None:
                assert float(item["price"]) == float(latest.price)
            assert item["last_checked_at"] is not None
        wid = products[0]["id"]
        prices = client.get(f"/api/v1/watches/{wid}/prices").json()
        states = list(s.scalars(select(ProductState).where(ProductState.watch_id == wid).order_by(ProductState.observed_at, ProductState.id)))
        assert [(p["price"] and float(p["price"]), p["availability"]) for p in prices] == [
            (st.price is not None and float(st.price) or None, st.availability) for st in states
        ]
        obs = client.get(f"/api/v1/watches/{wid}/observations", params={"limit": 3}).json()
        assert obs["total"] == s.scalar(select(func.count()).select_from(Observation).where(Observation.watch_id == wid))
        assert len(obs["items"]) == 3 and obs["items"][0]["fetched_at"] >= obs["items"][-1]["fetched_at"]
        changes = client.get("/api/v1/changes", params={"limit": 500}).json()
        assert changes["total"] == s.scalar(select(func.count()).select_from(Change))
        assert [c["id"] for c in changes["items"]] == list(
            s.scalars(select(Change.id).order_by(Change.detected_at.desc(), Change.id.desc()).limit(500))
        )
        assert any(c["severity"] for c in changes["items"])  # the watchlist's rules rate them
        # a competitor's feed: its own changes and its watches' ones without a competitor, newest first,
        # page by page as the whole
        owner = dict(s.execute(select(Watch.id, Watch.competitor_id)).all())
        beta = s.scalar(select(Competitor.id).where(Competitor.name == "Beta"))
        of_beta = [c.id for c in s.scalars(select(Change).order_by(Change.detected_at.desc(), Change.id.desc()))
                   if (c.competitor_id if c.competitor_id is not None else owner[c.watch_id]) == beta]  # fmt: skip
        assert len(of_beta) > 14
        for offset in (0, 7, len(of_beta) - 3):
            got = client.get("/api/v1/changes", params={"competitor": "Beta", "limit": 7, "offset": offset}).json()
            assert got["total"] == len(of_beta)
            assert [c["id"] for c in got["items"]] == of_beta[offset : offset + 7]
        keyword = next(w for w in everything["items"] if w["kind"] == "keyword")
        ranks = client.get(f"/api/v1/watches/{keyword['id']}/ranks").json()
        from models.rank import DomainRank

        assert len(ranks) == s.scalar(select(func.count()).select_from(DomainRank).where(DomainRank.watch_id == keyword["id"]))
        deliveries = client.get("/api/v1/deliveries").json()
        assert deliveries["total"] == s.scalar(select(func.count()).select_from(AlertDelivery))
        failing = client.get("/api/v1/watches", params={"status": "failing", "limit": 500}).json()
        assert failing["total"] == sum(1 for w in active.values() if w.last_error)
        beta = client.get("/api/v1/watches", params={"competitor": "Beta", "kind": "product", "limit": 500}).json()
        beta_id = s.scalar(select(Competitor.id).where(Competitor.name == "Beta"))
        assert beta["total"] == sum(1 for w in active.values() if w.competitor_id == beta_id and w.kind == "product") > 0
    assert client.get("/api/v1/watches/999999").status_code == 404
    assert client.get("/api/v1/reports").json()["items"]


def test_pause_resume_check_now_and_mute_live_in_the_store(app, demo) -> None:  # noqa: ANN001
    _result, factory, watchlist, token = demo
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    with factory() as s:
        wid = s.scalar(select(Watch.id).where(Watch.kind == "product").order_by(Watch.id.desc()))
    assert client.post(f"/api/v1/watches/{wid}/pause").json()["paused"] is True
    now = datetime.now(UTC)
    with factory() as s:
        assert wid not in {w.id for w in due_watches(s, now, force=True)}  # not even `run --all`
        assert wid not in {d.watch_id for d in due_now(s, now + timedelta(days=30), 10**6)}
    assert client.post(f"/api/v1/watches/{wid}/check-now").status_code == 409  # paused: resume first
    assert client.post(f"/api/v1/watches/{wid}/resume").json()["paused"] is False
    r = client.post(f"/api/v1/watches/{wid}/check-now")
    assert r.status_code == 202
    with factory() as s:
        assert wid in {d.watch_id for d in due_now(s, datetime.now(UTC), 10**6)}


def test_a_muted_watch_queues_no_alerts(demo) -> None:  # noqa: ANN001
    """The last demo run's alerts queued afresh twice (its links removed first): once as they are, once
    with a watch muted. The muted watch's changes go nowhere, the others' go where they went.
    All in one transaction, rolled back."""
    from alerts.outbox import enqueue_run_alerts

    _result, factory, watchlist, _token = demo
    with factory() as s:
        run_id = s.scalar(select(func.max(CrawlRun.id)))
        assert run_id is not None
        ids = list(s.scalars(select(Change.id).where(Change.run_id == run_id)))
        watch_of = dict(s.execute(select(Change.id, Change.watch_id).where(Change.run_id == run_id)).all())

        def queued(muted: int | None) -> set[int]:
            nested = s.begin_nested()
            s.execute(delete(AlertDeliveryChange).where(AlertDeliveryChange.change_id.in_(ids)))
            s.execute(delete(AlertDelivery).where(AlertDelivery.run_id == run_id))
            if muted is not None:
                s.execute(update(Watch).where(Watch.id == muted).values(muted_until=datetime.now(UTC) + timedelta(hours=1)))
            enqueue_run_alerts(s, run_id, watchlist)  # type: ignore[arg-type]
            out = set(s.scalars(select(AlertDeliveryChange.change_id).where(AlertDeliveryChange.change_id.in_(ids))))
            nested.rollback()
            return out

        baseline = queued(None)
        watches = {watch_of[c] for c in baseline}
        assert len(watches) >= 2, "the demo's last day alerts about at least two watches"
        muted = min(watches)
        with_mute = queued(muted)
        s.rollback()
    assert with_mute == {c for c in baseline if watch_of[c] != muted}


def test_failing_since_is_the_first_failure_after_the_last_good_check(app, demo) -> None:  # noqa: ANN001
    """A site watch last good 10 days ago, failed 3 days ago and yesterday: it has been failing for 3
    days (not 10), in the table, on its page and in the API."""
    from monitor.web import queries as q

    _result, factory, _wl, token = demo
    now = datetime.now(UTC)
    with factory.begin() as s:
        wid = s.scalar(select(Watch.id).where(Watch.kind == "site").order_by(Watch.id.desc()))
        assert wid is not None
        before = s.execute(select(Watch.last_error, Watch.last_good_at, Watch.consecutive_failures).where(Watch.id == wid)).one()
        older = {o.id: o.fetched_at for o in s.scalars(select(Observation).where(Observation.watch_id == wid))}
        s.execute(update(Observation).where(Observation.watch_id == wid).values(fetched_at=now - timedelta(days=30)))
        made = [Observation(watch_id=wid, fetched_at=now - timedelta(days=d), status=st, error_reason=None if st == "ok" else "http_503")
                for d, st in ((10, "ok"), (3, "failed"), (1, "failed"))]  # fmt: skip
        s.add_all(made)
        s.execute(update(Watch).where(Watch.id == wid).values(last_error="http_503", last_good_at=now - timedelta(days=10),
                                                              consecutive_failures=2))  # fmt: skip
    try:
        with factory() as s:
            row = q.watch_rows_of(s, [wid])[0]
        assert row.failing_since is not None
        assert abs((row.failing_since.replace(tzinfo=UTC) - (now - timedelta(days=3))).total_seconds()) < 1
        client = TestClient(app)
        _login(client)
        page = client.get(f"/watches/{wid}").text
        assert "failing since 3d ago" in page and "failing since 10d ago" not in page
        table = client.get("/watches", params={"status": "failing", "kind": "site"}).text
        assert "failing since 3d ago" in table
        api = client.get(f"/api/v1/watches/{wid}", headers={"Authorization": f"Bearer {token}"}).json()
        assert datetime.fromisoformat(api["failing_since"]).date() == (now - timedelta(days=3)).date()
    finally:
        with factory.begin() as s:
            s.execute(delete(Observation).where(Observation.id.in_([o.id for o in made])))
            for oid, at in older.items():
                s.execute(update(Observation).where(Observation.id == oid).values(fetched_at=at))
            s.execute(update(Watch).where(Watch.id == wid).values(last_error=before.last_error, last_good_at=before.last_good_at,
                                                                  consecutive_failures=before.consecutive_failures))  # fmt: skip


def test_api_mutes_and_unmutes_for_a_bounded_while(app, demo) -> None:  # noqa: ANN001
    _result, factory, _wl, token = demo
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    with factory() as s:
        wid = s.scalar(select(Watch.id).where(Watch.kind == "product").order_by(Watch.id.desc()))
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/watches/{watch_id}/mute", "/api/v1/watches/{watch_id}/unmute"} <= set(spec["paths"])
    hours = {p["name"]: p for p in spec["paths"]["/api/v1/watches/{watch_id}/mute"]["post"]["parameters"]}["hours"]
    assert hours["schema"]["maximum"] == 24 * 90
    for bad in (0, -1, 24 * 90 + 1, "soon"):
        assert client.post(f"/api/v1/watches/{wid}/mute", params={"hours": bad}).status_code == 422, bad
    assert client.post("/api/v1/watches/999999/mute", params={"hours": 1}).status_code == 404
    before = datetime.now(UTC)
    r = client.post(f"/api/v1/watches/{wid}/mute", params={"hours": 2})
    assert r.status_code == 200
    with factory() as s:
        until = s.get(Watch, wid).muted_until  # type: ignore[union-attr]
    assert until is not None
    until = until.replace(tzinfo=UTC) if until.tzinfo is None else until
    assert before + timedelta(hours=2) <= until <= datetime.now(UTC) + timedelta(hours=2)
    assert datetime.fromisoformat(r.json()["muted_until"]).replace(tzinfo=UTC) == until
    assert client.post(f"/api/v1/watches/{wid}/unmute").json()["muted_until"] is None
    with factory() as s:
        assert s.get(Watch, wid).muted_until is None  # type: ignore[union-attr]


def test_relative_times_in_the_pages_language(app) -> None:  # noqa: ANN001
    from monitor.web.app import relative_time

    assert relative_time(timedelta(hours=-3), "en") == "3h ago"
    assert relative_time(timedelta(hours=-3), "zh-CN") == "3小时前"
    assert relative_time(timedelta(days=2), "zh-CN") == "2天后"
    client = TestClient(app)
    _login(client)
    zh = client.get("/watches", params={"lang": "zh-CN"}).text
    assert "前</td>" in zh  # the last check column
    assert not re.search(r"\d+[smhd] ago|in \d+[smhd]", zh)
    assert ">严重</span>" in client.get("/", params={"lang": "zh-CN"}).text  # the severity badges too
    en = client.get("/watches", params={"lang": "en"}).text
    assert re.search(r"\d+[smhd] ago", en)


def test_the_dashboard_reads_the_current_watchlist(demo) -> None:  # noqa: ANN001
    """`serve --web` hands the app the service's watchlist as a callable: what a reload puts there
    (channels, rules, report folder) is what the next page shows."""
    result, factory, watchlist, _token = demo
    current = {"watchlist": watchlist}
    app = create_app(factory, secret_key="r" * 40, watchlist=lambda: current["watchlist"], secure_cookies=False)
    client = TestClient(app)
    _login(client)
    assert "<option>ops-mail</option>" in client.get("/alerts").text  # the test message's channels
    folder = result.workdir / "reports-after-reload"
    folder.mkdir(exist_ok=True)
    (folder / "weekly-after-reload.html").write_text("<p>after</p>", encoding="utf-8")
    channel = watchlist.channels[0].model_copy(update={"name": "team-chat"})
    current["watchlist"] = watchlist.model_copy(update={"channels": [channel], "rules": [],
                                                        "report": watchlist.report.model_copy(update={"out_dir": str(folder)})})  # fmt: skip
    alerts = client.get("/alerts").text
    assert "<option>team-chat</option>" in alerts and "<option>ops-mail</option>" not in alerts
    assert "weekly-after-reload.html" in client.get("/reports").text
    assert not any(c["severity"] for c in client.get("/api/v1/changes", headers={"Authorization": f"Bearer {_token}"}).json()["items"])


# ---- real Chromium over `rivalwatch serve --web` -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (127.0.0.1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {timeout}s")


@pytest.fixture(scope="module")
def live(demo):  # noqa: ANN001, ANN201
    """The demo market back on its ports (a day on), and `rivalwatch serve --web` over the demo store
    with every watch checked recently (so only what the test marks due is checked)."""
    from monitor.demo import DemoMarket

    result, factory, _wl, _token = demo
    with factory.begin() as s:
        ports = {c.name.lower(): int(c.domains[0].rsplit(":", 1)[1]) for c in s.scalars(select(Competitor)) if c.domains}
        first = s.scalar(select(func.min(Observation.fetched_at)))
        s.execute(update(Watch).values(next_due_at=datetime.now(UTC) + timedelta(hours=1)))
    assert first is not None
    day0 = first.astimezone(ZoneInfo(DEMO_TZ)).date()
    market = DemoMarket(seed=SEED, n_products=PRODUCTS, ports=ports, day=DAYS - 1, day0=day0).start()
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(REPO), os.environ["PYTHONPATH"])), RIVALWATCH_WEB_SECRET="w" * 40)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from monitor.cli import main; main()", "serve", "-c", str(result.watchlist_path), "--web", f"127.0.0.1:{port}",
         "--tick", "0.5", "--log-file", str(result.workdir / "service.log")],
        cwd=result.workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{port}/login", proc)
        yield f"http://127.0.0.1:{port}", factory, proc, result.watchlist_path
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        market.stop()


@pytest.mark.browser
def test_the_dashboard_in_chromium(live) -> None:  # noqa: ANN001
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is missing")
    from playwright.sync_api import expect, sync_playwright

    from spiders.settings import PLAYWRIGHT_LAUNCH_OPTIONS

    base, factory, _proc, _watchlist = live
    host = urlsplit(base).netloc
    ARTIFACTS.mkdir(exist_ok=True)
    with factory() as s:
        beta = s.scalar(select(Competitor.id).where(Competitor.name == "Beta"))
        product = s.scalar(
            select(Watch.id).where(Watch.kind == "product", Watch.competitor_id == beta, Watch.last_error.is_(None)).order_by(Watch.id)
        )
        diff_watch, diff_id = s.execute(select(PageDiff.watch_id, PageDiff.id).order_by(PageDiff.id)).first() or (None, None)
    assert product and diff_watch
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**PLAYWRIGHT_LAUNCH_OPTIONS)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            page.on("request", lambda req: outside.append(req.url) if urlsplit(req.url).netloc != host else None)
            page.goto(base + "/")
            expect(page.locator("form.login")).to_be_visible()  # redirected to the login
            page.screenshot(path=str(ARTIFACTS / "web-login.png"))
            page.fill("input[name=user]", USER)
            page.fill("input[name=password]", PASSWORD)
            page.click("form.login button")
            expect(page.locator("h1")).to_contain_text("Overview")
            assert page.locator("article.competitor").count() >= 4
            expect(page.locator("svg[data-chart='index']")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "web-overview.png"), full_page=True)

            page.click("header nav >> text=Watches")
            page.select_option("select[name=competitor]", "Beta")
            page.select_option("select[name=kind]", "product")
            page.click("#watch-filters button")
            page.wait_for_url(re.compile(r".*competitor=Beta.*kind=product"))
            rows = page.locator("tr.watch")
            assert rows.count() >= 5
            assert set(rows.locator("td:first-child").all_inner_texts()) == {"Beta"}
            assert {t.lower() for t in rows.locator("td:nth-child(2)").all_inner_texts()} == {"product"}  # shown in capitals (CSS)
            page.screenshot(path=str(ARTIFACTS / "web-watches.png"), full_page=True)

            page.click(f"tr.watch[data-watch='{product}'] td:nth-child(3) a")
            chart = page.locator("svg[data-chart='price']")
            expect(chart).to_be_visible()
            box = chart.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 120
            assert page.locator("svg[data-chart='price'] polyline").count() >= 1
            page.screenshot(path=str(ARTIFACTS / "web-watch-product.png"), full_page=True)

            page.click(".actions button.pause")
            expect(page.locator("h1 .badge.paused")).to_be_visible()
            with factory() as s:
                assert s.get(Watch, product).paused is True  # type: ignore[union-attr]
            page.screenshot(path=str(ARTIFACTS / "web-paused.png"))
            page.click(".actions button.resume")
            expect(page.locator("h1 .badge.paused")).to_have_count(0)

            before = page.locator("tr.obs").count()
            with factory() as s:
                stored = s.scalar(select(func.count()).select_from(Observation).where(Observation.watch_id == product))
            page.click(".actions button.check-now")
            deadline = time.monotonic() + 60
            while page.locator("tr.obs").count() <= before and time.monotonic() < deadline:
                time.sleep(1)
                page.reload()
            assert page.locator("tr.obs").count() == before + 1, "the new observation did not appear"
            expect(page.locator("tr.obs").first).to_contain_text("ok")
            with factory() as s:
                assert s.scalar(select(func.count()).select_from(Observation).where(Observation.watch_id == product)) == stored + 1
            page.screenshot(path=str(ARTIFACTS / "web-check-now.png"), full_page=True)

            page.goto(f"{base}/watches/{diff_watch}")
            page.click(f"a.open-diff[href='/diffs/{diff_id}']")
            expect(page.locator("table.sbs")).to_be_visible()
            assert page.locator("table.sbs td.add, table.sbs td.del").count() >= 1
            page.screenshot(path=str(ARTIFACTS / "web-diff.png"), full_page=True)

            with factory() as s:
                obs = s.scalar(select(Observation.id).where(Observation.watch_id == diff_watch, Observation.content_hash.is_not(None)).order_by(Observation.id.desc()))
            page.goto(f"{base}/observations/{obs}")
            frame = page.locator("iframe.snapshot")
            expect(frame).to_be_visible()
            assert frame.get_attribute("sandbox") == ""
            page.screenshot(path=str(ARTIFACTS / "web-snapshot.png"))

            for name, path in (("changes", "/changes"), ("keywords", "/keywords"), ("alerts", "/alerts"),
                               ("reports", "/reports"), ("overview-zh", "/?lang=zh-CN")):  # fmt: skip
                page.goto(base + path)
                expect(page.locator("h1")).to_be_visible()
                page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)
            expect(page.locator("h1")).to_contain_text("概览")
        finally:
            browser.close()
    assert not outside, f"the dashboard made requests elsewhere: {outside[:5]}"


def test_a_sighup_reload_reaches_the_dashboard(live) -> None:  # noqa: ANN001
    """`serve --web`: a channel added to the watchlist file and a SIGHUP later, the dashboard's alert
    page offers it (the dashboard reads the service's watchlist as it is now, not as it started)."""
    import signal

    import httpx

    base, _factory, proc, watchlist_path = live
    original = watchlist_path.read_text(encoding="utf-8")
    url = re.search(r"^channels:\n- name: ops-mail\n  url: (\S+)$", original, re.M)
    assert url, "the demo watchlist's channel"
    added = original.replace("\nchannels:\n", f"\nchannels:\n- name: team-chat\n  url: {url.group(1)}\n", 1)
    http = httpx.Client(base_url=base, follow_redirects=False)

    def alerts_page() -> str:
        # the session cookie is Secure: carried by hand over plain HTTP to 127.0.0.1 (as a browser does)
        page = http.get("/login")
        cookie = {"Cookie": page.headers["set-cookie"].split(";")[0]}
        r = http.post("/login", data={"csrf": _csrf(page.text), "user": USER, "password": PASSWORD}, headers=cookie)
        assert r.status_code == 303
        return http.get("/alerts", headers={"Cookie": r.headers["set-cookie"].split(";")[0]}).text

    assert "<option>ops-mail</option>" in alerts_page() and "team-chat" not in alerts_page()
    try:
        watchlist_path.write_text(added, encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while "<option>team-chat</option>" not in alerts_page():
            assert time.monotonic() < deadline, "the reloaded watchlist never reached the dashboard"
            time.sleep(0.5)
    finally:
        watchlist_path.write_text(original, encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
