"""The demo market's bad-input endpoints, its subprocess mode with day control, and its CLI."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from monitor.demo import DemoMarket
from monitor.demo.process import DemoProcess

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def market():
    with DemoMarket(seed=3, n_products=20) as m:
        yield m


def fetch(url: str, method: str = "GET", timeout: float = 30) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.mark.parametrize("code", [500, 503, 403, 429])
def test_error_statuses(market, code):
    status, headers, body = fetch(market.base_urls["alpha"] + f"/bad/{code}")
    assert status == code and str(code).encode() in body
    if code in (429, 503):
        assert headers["Retry-After"] == "1"


def test_captcha_and_login_walls_are_200_pages_without_prices(market):
    for what, marker in (("captcha", b"g-recaptcha"), ("login", b'type="password"')):
        status, headers, body = fetch(market.base_urls["beta"] + f"/bad/{what}")
        assert status == 200 and headers["Content-Type"].startswith("text/html") and marker in body
        assert b"itemprop" not in body and b"ld+json" not in body


def test_non_html_and_empty_responses(market):
    base = market.base_urls["gamma"]
    status, headers, body = fetch(base + "/bad/binary")
    assert status == 200 and headers["Content-Type"] == "image/png" and body.startswith(b"\x89PNG\r\n\x1a\n")
    status, headers, body = fetch(base + "/bad/json")
    assert status == 200 and headers["Content-Type"] == "application/json" and json.loads(body)["products"]
    status, headers, body = fetch(base + "/bad/empty")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and body == b""


def test_broken_encoding_page_still_carries_its_price(market):
    status, headers, body = fetch(market.base_urls["alpha"] + "/bad/encoding")
    assert status == 200 and "utf-8" in headers["Content-Type"] and b'charset="utf-8"' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("utf-8", errors="replace")
    data = json.loads(Selector(text=text).css('script[type="application/ld+json"]::text').get())
    expected = market.truth(0)["alpha"][market.catalogue.products[0].id].price
    assert Decimal(data["offers"]["price"]) == expected


def test_huge_page_is_streamed_with_its_length(market):
    parts = urlsplit(market.base_urls["alpha"])
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.request("GET", "/bad/huge?mb=20")
    resp = conn.getresponse()
    length = int(resp.getheader("Content-Length"))
    assert resp.status == 200 and length >= 20 * 1024 * 1024 - 200_000
    received = 0
    while chunk := resp.read(1 << 20):
        received += len(chunk)
    assert received == length
    # The connection stays usable afterwards (keep-alive).
    conn.request("GET", "/robots.txt")
    assert conn.getresponse().status == 200
    conn.close()


def test_slow_page_does_not_block_other_requests(market):
    base = market.base_urls["gamma"]
    done = threading.Event()
    result = {}

    def slow():
        result["slow"] = fetch(base + "/bad/slow?s=3")
        done.set()

    worker = threading.Thread(target=slow)
    worker.start()
    status, _, _ = fetch(base + "/robots.txt")
    fast_finished_first = not done.is_set()
    worker.join(30)
    assert status == 200 and fast_finished_first
    status, _, body = result["slow"]
    assert status == 200 and b"price-now" in body


def test_slow_page_times_out_a_client_with_a_short_timeout(market):
    with pytest.raises(OSError):  # socket.timeout / URLError, as a crawler would see it
        urllib.request.urlopen(market.base_urls["beta"] + "/bad/slow?s=5", timeout=0.5).read()


def test_redirects(market):
    base = market.base_urls["alpha"]
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", "/bad/redirect?to=http://169.254.169.254/latest/meta-data/")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 302 and resp.getheader("Location") == "http://169.254.169.254/latest/meta-data/"
    conn.request("GET", "/bad/loop")
    resp = conn.getresponse()
    assert resp.status == 302 and resp.getheader("Location") == "/bad/loop"
    conn.close()


def test_malformed_request_gets_400(market):
    parts = urlsplit(market.base_urls["alpha"])
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.sock = None
    conn.connect()
    conn.sock.sendall(b"NONSENSE\r\n\r\n")
    assert conn.sock.recv(100).startswith(b"HTTP/1.1 400")
    conn.close()


def test_in_process_day_control_endpoint_moves_every_shop(market):
    alpha, gamma = market.base_urls["alpha"], market.base_urls["gamma"]
    status, _, body = fetch(alpha + "/__demo/day?d=4", method="POST")
    assert status == 200 and json.loads(body) == {"day": 4}
    assert market.day == 4
    assert json.loads(fetch(gamma + "/__demo/day")[2]) == {"day": 4}
    assert json.loads(fetch(gamma + "/__demo/day?d=next", method="POST")[2]) == {"day": 5}
    assert fetch(gamma + "/__demo/day?d=-1", method="POST")[0] == 400
    market.set_day(0)


def test_subprocess_mode_serves_and_changes_day():
    with DemoProcess(seed=11, n_products=20) as proc:
        assert set(proc.base_urls) == {"alpha", "beta", "gamma", "huali"}
        shop, pid, url = proc.product_urls(shops=("beta",))[0]
        status, _, body = fetch(url)
        assert status == 200
        price = Selector(text=body.decode()).css('[itemprop="price"]::attr(content)').get()
        assert Decimal(price) == proc.truth(0)["beta"][pid].price
        # Find a beta product whose price differs on day 5, move the market, and see it.
        t5 = proc.truth(5)["beta"]
        pid, row = next(
            (p, r)
            for p, r in t5.items()
            if r.exists and proc.truth(0)["beta"].get(p) and proc.truth(0)["beta"][p].price != r.price
        )
        proc.set_day(5)
        assert proc.day == 5
        status, _, body = fetch(proc.url("beta", row.path))
        assert (
            Decimal(Selector(text=body.decode()).css('[itemprop="price"]::attr(content)').get()) == row.price
        )
        # The server-side truth agrees with the local one.
        served = json.loads(fetch(proc.base_urls["gamma"] + "/__demo/truth")[2])
        assert served["day"] == 5
        local = proc.truth(5)["gamma"]
        assert {p: Decimal(v["price"]) for p, v in served["products"].items()} == {
            p: r.price for p, r in local.items()
        }


def test_serve_cli_writes_port_file_and_stops_on_sigterm(tmp_path):
    port_file = tmp_path / "ports.json"
    cmd = [sys.executable, "-m", "monitor.demo", "serve", "--products", "10", "--shops", "alpha,gamma"]
    proc = subprocess.Popen([*cmd, "--port-file", str(port_file)], cwd=REPO, stdout=subprocess.PIPE)
    try:
        line = proc.stdout.readline()
        urls = json.loads(port_file.read_text())
        assert json.loads(line) == urls and set(urls) == {"alpha", "gamma"}
        assert all(re.fullmatch(r"http://127\.0\.0\.1:\d+", u) for u in urls.values())
        assert fetch(urls["gamma"] + "/robots.txt")[0] == 200
    finally:
        proc.terminate()
        assert proc.wait(20) == 0
        proc.stdout.close()


def test_truth_cli_prints_json_lines():
    out = subprocess.run(
        [sys.executable, "-m", "monitor.demo", "truth", "--products", "10", "--day", "3", "--shops", "huali"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and {r["shop"] for r in rows} == {"huali"} and {r["currency"] for r in rows} == {"CNY"}
    assert all(r["availability"] in {"InStock", "OutOfStock", "PreOrder", "BackOrder"} for r in rows)
