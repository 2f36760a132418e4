"""The browser path under the one address policy: Chromium's redirects, frames, scripts and fetch()
go through the policy proxy, so a loopback "secret" server hears nothing while the allowed page
still renders; and a page bigger than max_page_mb is refused (one that streams past it is cut). Hostnames are mapped with
Chromium's --host-resolver-rules to loopback servers: nothing leaves 127.0.0.1."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from local_http import PageHandler, serving

from spiders.crawl_settings import CrawlLimits, crawl_settings
from spiders.engine import fetch_page, quiet_scrapy_logs
from spiders.fetch import FetchJob

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path("/usr/bin/chromium").exists() and shutil.which("chromium") is None,
        reason="Chromium is not installed (/usr/bin/chromium)",
    ),
]


class Secret(PageHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).hits.append(f"{self.headers.get('Host')}{self.path}")
        self.send_page(200, b"<html><body>SECRET 42</body></html>")

    do_POST = do_GET


class Shop(PageHandler):
    secret_port = 0

    def do_GET(self) -> None:  # noqa: N802
        p = self.secret_port
        secrets = [f"http://127.0.0.1:{p}", f"http://secret.test:{p}", f"http://rw.localhost:{p}",
                   f"http://[::ffff:127.0.0.1]:{p}", f"http://[::1]:{p}"]
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", f"http://secret.test:{p}/redirected")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/big":
            self.send_page(200, b"<html><body>" + b"<p>filler</p>" * (3 * 1024 * 1024) + b"</body></html>")
            return
        embeds = "".join(
            f"<iframe src='{s}/frame'></iframe><script src='{s}/script.js'></script>"
            f"<script>fetch('{s}/fetch', {{mode: 'no-cors'}}).catch(() => 0)</script>"
            f"<link rel='stylesheet' href='{s}/style.css'>"
            for s in secrets
        )
        page = (f"<html><body><h1>Kestrel K12</h1><p class='price'>19.99</p>{embeds}"
                f"<script>location.href.endsWith('#go') && (location.href = '{secrets[0]}/navigated')</script>"
                "</body></html>")
        self.send_page(200, page.encode())


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch):  # noqa: ANN001, ANN202
    """Lookups answered here, so no DNS query leaves the machine: localhost is 127.0.0.1, nothing else resolves."""
    from spiders import address_policy

    monkeypatch.setattr(address_policy, "_system_lookup", lambda host: ("127.0.0.1",) if host == "localhost" else ())


def _settings(secret_port: int, max_page_mb: float = 10) -> dict:
    # download_timeout is generous: on a loaded machine Chromium can take long to lay a page out.
    limits = CrawlLimits(user_agent="rw-test", retries=0, download_timeout=40, max_page_mb=max_page_mb,
                         allow_private_hosts=("localhost",))
    settings = crawl_settings(limits, need_browser=True)
    launch = settings["PLAYWRIGHT_LAUNCH_OPTIONS"]
    args = [*launch["args"], f"--host-resolver-rules=MAP secret.test 127.0.0.1:{secret_port}"]
    settings["PLAYWRIGHT_LAUNCH_OPTIONS"] = {**launch, "args": args}
    return settings


def _job(url: str) -> FetchJob:
    return FetchJob(watch_id=1, url=url, render="browser", obey_robots=False)


def test_what_chromium_loads_is_under_the_policy_and_the_allowed_page_renders() -> None:
    quiet_scrapy_logs()
    Secret.hits = []
    with serving(Secret) as secret, serving(Shop) as shop:
        Shop.secret_port = secret.server_address[1]
        settings = _settings(secret.server_address[1])
        base = f"http://localhost:{shop.server_address[1]}"
        page = fetch_page(_job(f"{base}/product"), settings)
        assert page.error is None and page.status == 200
        assert b"Kestrel K12" in page.body and b"19.99" in page.body
        redirected = fetch_page(_job(f"{base}/redirect"), settings)
        assert b"SECRET" not in redirected.body
        assert redirected.status == 403 and b"secret.test could not be resolved" in redirected.body
        navigated = fetch_page(_job(f"{base}/product#go"), settings)
        assert b"SECRET" not in navigated.body
    assert Secret.hits == []


def test_a_page_over_max_page_mb_is_refused_in_the_browser() -> None:
    quiet_scrapy_logs()
    with serving(Secret) as secret, serving(Shop) as shop:
        Shop.secret_port = secret.server_address[1]
        page = fetch_page(_job(f"http://localhost:{shop.server_address[1]}/big"), _settings(secret.server_address[1], 1))
    assert b"filler" not in page.body, f"{len(page.body) / 1e6:.0f} MB rendered past a 1 MB cap"
    assert page.status == 413 and b"page too large: 40.9 MB, over the max_page_mb cap of 1.0 MB" in page.body


class Stalling(PageHandler):
    """Answers only when released (or after 20 s, within Playwright's own 30 s navigation timeout)."""

    release = threading.Event()

    def do_GET(self) -> None:  # noqa: N802
        type(self).release.wait(20)
        self.send_page(200, b"<html><body><h1>LATE</h1><p class='price'>9.99</p></body></html>")


def test_download_timeout_bounds_a_browser_navigation() -> None:
    quiet_scrapy_logs()
    Stalling.release.clear()
    limits = CrawlLimits(user_agent="rw-test", retries=0, download_timeout=3, allow_private_hosts=("localhost",))
    with serving(Stalling) as slow:
        try:
            page = fetch_page(_job(f"http://localhost:{slow.server_address[1]}/slow"), crawl_settings(limits, True))
        finally:
            Stalling.release.set()
    # Without the bound, Playwright's own 30 s navigation timeout lets the late page through.
    assert b"LATE" not in page.body
    assert page.error is not None and "timed out" in page.error, page.error


def test_a_browser_watch_of_a_local_name_reaches_nothing() -> None:
    """Chromium answers *.localhost and localhost. with loopback by itself: as a watch's own URL
    (or a listing's next page) they are refused by name, and the local server hears nothing."""
    quiet_scrapy_logs()
    Secret.hits = []
    with serving(Secret) as secret:
        port = secret.server_address[1]
        limits = CrawlLimits(user_agent="rw-test", retries=0, download_timeout=20)
        for url in (f"http://rw.localhost:{port}/", f"http://localhost.:{port}/", f"http://127.0.0.1:{port}/"):
            page = fetch_page(_job(url), crawl_settings(limits, need_browser=True))
            assert b"SECRET" not in page.body, url
            assert page.error and ("local name" in page.error or "not a public address" in page.error), url
    assert Secret.hits == []
