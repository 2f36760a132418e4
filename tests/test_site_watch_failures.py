"""A site that breaks is a failed observation, never "all pages removed"; a page watch on it likewise.

A small local site answers normally on the first crawl, then 500s, times out, serves an empty page,
or puts a login wall in front of everything; after each, the site comes back unchanged and nothing
was reported removed or added.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from local_http import PageHandler, origin, serving
from sqlalchemy import select

from models import Change, Watch
from models.crawl import Observation
from monitor.crawl.runner import run_cycle
from monitor.watchlist import load_watchlist_text
from spiders.engine import quiet_scrapy_logs

PAGES = {f"/p/{i}": f"Product {i}" for i in range(8)} | {"/pricing": "Pricing", "/blog/": "Blog"}
LOGIN = (
    b"<html><head><title>Sign in</title></head><body><h1>Sign in to continue</h1>"
    b'<form><input name="email"><input type="password" name="pw"><button>Sign in</button></form>'
    b'<a href="/">Home</a></body></html>'
)


def _page(path: str) -> bytes:
    links = "".join(f'<li><a href="{p}">{t}</a></li>' for p, t in PAGES.items())
    title = PAGES.get(path, "Home")
    return (
        f"<html><head><title>{title}</title><meta name='description' content='About {title}'></head>"
        f"<body><h1>{title}</h1><main><p>Plans from 10 EUR a month. {title} text here.</p></main>"
        f"<ul>{links}</ul></body></html>"
    ).encode()


class _Site(PageHandler):
    mode = "good"

    def do_GET(self) -> None:  # noqa: N802
        mode = type(self).mode
        if mode == "500":
            return self.send_page(500, b"<html><body><h1>Internal Server Error</h1></body></html>")
        if mode == "slow":
            time.sleep(2.5)
            return self.send_page(200, _page(self.path))
        if mode == "empty":
            return self.send_page(200, b"")
        if mode == "login":
            return self.send_page(200, LOGIN)
        if self.path == "/robots.txt":
            return self.send_page(200, b"User-agent: *\nDisallow: /admin/\n", "text/plain")
        if self.path == "/sitemap.xml":
            host = origin(self.server)
            urls = "".join(f"<url><loc>{host}{p}</loc></url>" for p in PAGES)
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return self.send_page(200, body.encode(), "application/xml")
        if self.path == "/" or self.path in PAGES:
            return self.send_page(200, _page(self.path))
        return self.send_page(404, b"<html><body>not found</body></html>")


@pytest.fixture(scope="module")
def site():  # noqa: ANN201
    quiet_scrapy_logs(logging.CRITICAL)
    with serving(_Site) as server:
        yield origin(server)


@pytest.mark.parametrize(
    ("mode", "site_reason", "page_reason"),
    [
        ("500", "HTTP 500", "HTTP 500"),
        ("slow", "timed out", "timed out"),
        ("empty", "empty page", "empty page"),
        ("login", "login wall", "login wall"),
    ],
)
def test_broken_site_is_a_failed_observation_never_pages_removed(
    site, store, mode: str, site_reason: str, page_reason: str
) -> None:  # noqa: ANN001
    _engine, factory = store
    data = {
        "settings": {"allow_private_addresses": True, "retries": 0, "download_timeout": 1},
        "sites": [{"url": site + "/", "label": "site"}],
        "pages": [{"url": site + "/pricing", "label": "pricing", "css": "main"}],
    }
    watchlist = load_watchlist_text(yaml.safe_dump(data))
    t0 = datetime(2026, 5, 1, tzinfo=UTC)
    _Site.mode = "good"
    first = run_cycle(watchlist, factory, force=True, send_alerts=False, clock=lambda: t0)
    assert first.stats.ok == 2 and first.changes == []
    _Site.mode = mode
    try:
        broken = run_cycle(watchlist, factory, force=True, send_alerts=False, clock=lambda: t0 + timedelta(1))
    finally:
        _Site.mode = "good"
    assert broken.stats.failed == 2 and broken.changes == []
    reasons = {o.url.rstrip("/").rsplit("/", 1)[-1]: o.reason for o in broken.stats.outcomes}
    site_failure = next(r for u, r in reasons.items() if u != "pricing")
    assert site_reason in site_failure, site_failure
    assert page_reason in reasons["pricing"], reasons["pricing"]
    back = run_cycle(watchlist, factory, force=True, send_alerts=False, clock=lambda: t0 + timedelta(2))
    assert back.stats.ok == 2 and back.changes == []  # nothing was removed, so nothing came back
    with factory() as s:
        assert s.scalars(select(Change)).all() == []
        site_watch = s.scalars(select(Watch).where(Watch.kind == "site")).one()
        statuses = [
            o.status for o in s.scalars(select(Observation).where(Observation.watch_id == site_watch.id))
        ]
        assert statuses == ["ok", "failed", "ok"]
