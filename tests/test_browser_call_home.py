"""Chromium's own background requests (autofill's server, optimization hints, safe browsing, component
updates, network time...) neither bypass nor pollute the policy proxy: they are switched off in one
--disable-features merged with Playwright's own (Chromium keeps only the last one), and the browser as
a whole goes through a proxy that refuses everything. Real /usr/bin/chromium; every name but localhost
is unresolvable to the proxies, so nothing leaves 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from local_http import PageHandler, serving

from spiders import browser_proxy
from spiders.chromium_switches import CALL_HOME_FEATURES, playwright_disabled_features
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

# A page that gives Chromium reasons to call home: a sign-up form (autofill asks its server for the
# field types), a foreign-language text (translate), a search box, a video (media router).
PAGE = b"""<html lang="de"><head><title>Kestrel K12</title></head><body>
<h1>Kestrel K12</h1><p class="price">19.99</p>
<p>Dieses Produkt ist ab sofort lieferbar und wird innerhalb von zwei Werktagen versandt.</p>
<form action="/signup" method="post"><input name="email" type="email" autocomplete="email">
<input name="first_name"><input name="last_name"><input name="address1"><input name="postal_code">
<input name="cc-number" autocomplete="cc-number"><button>Konto anlegen</button></form>
<form action="/search"><input type="search" name="q"></form><video src="/clip.mp4"></video>
</body></html>"""


class Shop(PageHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_page(200, PAGE)


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch):  # noqa: ANN001, ANN202
    from spiders import address_policy

    monkeypatch.setattr(address_policy, "_system_lookup", lambda host: ("127.0.0.1",) if host == "localhost" else ())


def _settings() -> dict:
    limits = CrawlLimits(user_agent="rw-test", retries=0, download_timeout=40, allow_private_hosts=("localhost",))
    return crawl_settings(limits, need_browser=True)


def test_one_disable_features_switch_holds_playwrights_list_and_ours() -> None:
    args = _settings()["PLAYWRIGHT_LAUNCH_OPTIONS"]["args"]
    switches = [a for a in args if a.startswith("--disable-features=")]
    assert len(switches) == 1 and args[-1] == switches[0]  # ours comes after Playwright's: Chromium keeps it
    features = set(switches[0].split("=", 1)[1].split(","))
    assert {"AutofillServerCommunication", "OptimizationHints", "MediaRouter"} <= features
    assert set(CALL_HOME_FEATURES) <= features
    # Playwright's own list (read from the installed package) is kept, not overridden by ours.
    playwright = set(playwright_disabled_features())
    assert {"PaintHolding", "ThirdPartyStoragePartitioning", "PreconnectToSearch"} <= playwright <= features


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def test_the_browser_chromium_runs_has_the_merged_switch_last() -> None:
    """What Chromium actually got: its command line, read from /proc while it runs."""
    from playwright.sync_api import sync_playwright

    launch = _settings()["PLAYWRIGHT_LAUNCH_OPTIONS"]
    # Only the browser this test starts: a browser an earlier test of this worker process started may
    # still be shutting down among our descendants.
    before = set(_descendants(os.getpid()))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch)
        try:
            lines = []
            for pid in _descendants(os.getpid()):
                if pid in before:
                    continue
                try:
                    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if b"--remote-debugging-pipe" in argv:
                    lines.append([a.decode() for a in argv if a])
        finally:
            browser.close()
    [argv] = lines
    switches = [a for a in argv if a.startswith("--disable-features=")]
    assert len(switches) == 2  # Playwright's, then ours
    last = set(switches[-1].split("=", 1)[1].split(","))
    assert set(switches[0].split("=", 1)[1].split(",")) <= last  # nothing Playwright turned off comes back
    assert {"AutofillServerCommunication", "OptimizationHints", "MediaRouter"} <= last
    assert any(a.startswith("--proxy-server=http://127.0.0.1:") for a in argv)  # the refuse-all proxy


def test_a_plain_render_reaches_only_the_pages_own_origin() -> None:
    quiet_scrapy_logs()
    settings = _settings()
    page_proxy = settings["PLAYWRIGHT_CONTEXTS"]["default"]["proxy"]["server"]
    browser_wide = settings["PLAYWRIGHT_LAUNCH_OPTIONS"]["proxy"]["server"]
    before = (len(browser_proxy.forwarded(page_proxy)), len(browser_proxy.refusals(page_proxy)),
              len(browser_proxy.refusals(browser_wide)))
    with serving(Shop) as shop:
        port = shop.server_address[1]
        page = fetch_page(FetchJob(watch_id=1, url=f"http://localhost:{port}/p", render="browser",
                                   obey_robots=False), settings)
    assert page.error is None and b"Kestrel K12" in page.body
    forwarded = browser_proxy.forwarded(page_proxy)[before[0]:]
    assert forwarded and set(forwarded) == {("localhost", port)}
    assert browser_proxy.refusals(page_proxy)[before[1]:] == []  # nothing of Chromium's own in the page's proxy
    # What Chromium 156 still tries with every switch off (update.googleapis.com, accounts.google.com)
    # leaves through no door: the browser-wide proxy refused it, and let nothing through, ever.
    tried = {host for host, _ in browser_proxy.refusals(browser_wide)[before[2]:]}
    assert all(host.endswith((".google.com", ".googleapis.com", ".gstatic.com")) for host in tried), tried
    assert browser_proxy.forwarded(browser_wide) == []
