"""The one address policy: decisions checked by calling it (no traffic leaves 127.0.0.1), and its
wiring into the crawl over loopback servers: local names, failed lookups and DNS rebinding refused
with a reason, `allow_private_addresses` or `allow_private_hosts` the only way out."""

from __future__ import annotations

import pytest
import yaml
from local_http import PageHandler, serving
from sqlalchemy import select

from models.crawl import Observation
from monitor.crawl.runner import run_cycle
from monitor.watchlist import load_watchlist_text
from spiders import address_policy as policy
from spiders.crawl_settings import CrawlLimits, crawl_settings
from spiders.engine import fetch_page, quiet_scrapy_logs
from spiders.fetch import FetchJob

PRODUCT = b"""<html><body><h1 itemprop="name">Kestrel K12</h1>
<span itemprop="price" content="19.99">19.99</span><meta itemprop="priceCurrency" content="USD"></body></html>"""

REFUSED = [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
    "100.64.0.1", "100.100.100.200",  # shared address space: a cloud metadata service lives here
    "192.0.0.1", "192.0.0.170", "198.18.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "::1", "::", "fe80::1", "fc00::1", "ff02::1", "ff0e::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1",  # IPv4-mapped and IPv4-compatible
    "2002:7f00:1::", "2002:a9fe:a9fe::1",  # 6to4 of 127.0.0.1 and of 169.254.169.254
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34",
          "2002:5db8:d822::1"]  # 6to4 of a public address


@pytest.mark.parametrize("address", REFUSED)
def test_anything_not_globally_routable_is_refused(address: str) -> None:
    decision = policy.decide("shop.example", [address])
    assert not decision and f"shop.example resolves to {address}, not a public address" in decision.reason
    assert not policy.decide("shop.example", ["93.184.216.34", address]), "one private answer is enough"
    assert policy.decide_without_lookup(address) == decision or not policy.decide_without_lookup(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert policy.decide("shop.example", [address])


def test_a_failed_lookup_is_refused_and_local_names_whatever_they_resolve_to(monkeypatch) -> None:  # noqa: ANN001
    assert "could not be resolved" in policy.decide("shop.example", []).reason
    for name in ("localhost", "localhost.", "rw.localhost", "RW.LocalHost.", "a.b.localhost"):
        decision = policy.decide(name, ["93.184.216.34"])
        assert not decision and "local name" in decision.reason, name
    monkeypatch.setattr(policy, "_system_lookup", lambda host: ())  # as a failed lookup answers (no DNS asked)
    assert policy.check("no-such-host.invalid").reason.endswith("could not be resolved, so its address cannot be checked")
    monkeypatch.undo()
    for spelling in ("2130706433", "0x7f.0.0.1", "0177.0.0.1", "127.1"):  # what inet_aton reads as 127.0.0.1
        assert not policy.check(spelling), spelling


def test_the_only_ways_out_are_allow_private_and_the_allow_list() -> None:
    assert policy.decide("rw.localhost", [], allow_private=True)
    assert policy.decide("rw.localhost.", [], allow_hosts=["rw.localhost"])
    assert policy.decide("db.internal", ["10.0.0.5"], allow_hosts=["DB.internal"])
    assert not policy.decide("other.internal", ["10.0.0.5"], allow_hosts=["db.internal"])
    assert not policy.decide("sub.db.internal", ["10.0.0.5"], allow_hosts=["db.internal"])


def test_answers_are_not_kept_for_the_life_of_the_process(monkeypatch) -> None:  # noqa: ANN001
    answers = iter([("93.184.216.34",), ("127.0.0.1",)])
    monkeypatch.setattr(policy, "_system_lookup", lambda host: next(answers))
    monkeypatch.setattr(policy, "RESOLVE_TTL", 0.0)
    assert policy.check("rebind.test")
    assert not policy.check("rebind.test")


class _Counting(PageHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).hits.append(self.path)
        self.send_page(200, PRODUCT)


def _settings(**limits) -> dict:  # noqa: ANN003
    return crawl_settings(CrawlLimits(user_agent="rw-test", retries=0, download_timeout=5, **limits), False)


def _job(url: str) -> FetchJob:
    return FetchJob(watch_id=1, kind="product", url=url)


def test_local_names_and_unresolvable_hosts_are_refused_before_anything_is_sent() -> None:
    quiet_scrapy_logs()
    _Counting.hits = []
    with serving(_Counting) as server:
        port = server.server_address[1]
        for url in (f"http://rw.localhost:{port}/", f"http://localhost.:{port}/", f"http://localhost:{port}/"):
            page = fetch_page(_job(url), _settings())
            assert page.error and "local name" in page.error and "allow_private_addresses" in page.error, url
        page = fetch_page(_job(f"http://[::ffff:127.0.0.1]:{port}/"), _settings())
        assert page.error and "not a public address" in page.error
        assert _Counting.hits == []
        # The narrower way out: this one host may be private (the reactor's resolver trusts it too).
        page = fetch_page(_job(f"http://localhost:{port}/p"), _settings(allow_private_hosts=("localhost",)))
        assert page.error is None and page.status == 200
        assert _Counting.hits == ["/robots.txt", "/p"]


def test_dns_rebinding_is_refused_on_the_address_connected_to(monkeypatch) -> None:  # noqa: ANN001
    """A name that answers a public address to the guard and loopback when Twisted connects: the
    resolver refuses the second answer, so the loopback server hears nothing."""
    quiet_scrapy_logs()
    calls: list[str] = []

    def lookup(host: str) -> tuple[str, ...]:
        calls.append(host)
        return ("93.184.216.34",) if len(calls) == 1 else ("127.0.0.1",)

    monkeypatch.setattr(policy, "_system_lookup", lookup)
    monkeypatch.setattr(policy, "RESOLVE_TTL", 0.0)
    _Counting.hits = []
    with serving(_Counting) as server:
        job = FetchJob(watch_id=1, url=f"http://rebind.test:{server.server_address[1]}/", obey_robots=False)
        page = fetch_page(job, _settings())
    assert len(calls) == 2, "the guard and the connection each asked"
    assert page.error and "rebind.test resolves to 127.0.0.1, not a public address" in page.error
    assert _Counting.hits == []


def test_a_watch_of_a_local_name_is_a_failed_observation_with_its_reason(store) -> None:  # noqa: ANN001
    quiet_scrapy_logs()
    _engine, factory = store
    _Counting.hits = []
    with serving(_Counting) as server:
        url = f"http://rw.localhost:{server.server_address[1]}/product"
        data = {"settings": {"retries": 0, "download_timeout": 5}, "products": [{"url": url}]}
        summary = run_cycle(load_watchlist_text(yaml.safe_dump(data)), factory, force=True, send_alerts=False)
    assert summary.stats.failed == 1 and summary.stats.ok == 0
    with factory() as s:
        observation = s.scalars(select(Observation)).one()
    assert observation.status == "failed"
    assert observation.error_reason and "rw.localhost is a local name" in observation.error_reason
    assert _Counting.hits == []


class _Chunked(PageHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<p>filler</p>" * 8192
        try:
            for _ in range(200):  # 20 MB, no Content-Length to refuse it by
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the crawler hung up at the cap


def test_a_chunked_body_over_the_cap_is_a_page_too_large() -> None:
    quiet_scrapy_logs()
    with serving(_Chunked) as server:
        job = FetchJob(watch_id=1, url=f"http://127.0.0.1:{server.server_address[1]}/", obey_robots=False)
        page = fetch_page(job, _settings(max_page_mb=1, allow_private_addresses=True))
    assert page.error and page.error.startswith("page too large"), page.error
