"""Alert channels under the address policy: a channel URL that names a private or local server is
refused (a failed delivery naming the channel and saying how to allow it, not retried), unless the
watchlist's allow_private_addresses / allow_private_hosts allows it; the address actually connected to
is what is decided (redirects, DNS rebinding), and the operator's SMTP relay stays outside it."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import select

from alerts.channel_addresses import AddressRules, check_named_host
from alerts.channels import build, send
from alerts.dispatcher import dispatch_pending, send_test_messages
from models import AlertDelivery
from monitor.config.alerting import Channel
from monitor.demo.mailbox import LocalMailbox
from monitor.report import build_and_deliver
from monitor.watchlist import load_watchlist_text
from tests.local_http import PageHandler, serving
from tests.test_outbox_helpers import T0

HOW = "set settings.allow_private_addresses: true (or list the host in settings.allow_private_hosts)"


class Receiver(PageHandler):
    """A json:// receiver: records each POST it gets, answers 200."""

    hits: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        type(self).hits.append(json.loads(self.rfile.read(length) or b"{}"))
        self.send_page(200, b"ok", "text/plain")


class Redirector(PageHandler):
    """Answers every POST with a 307 to `target` (the method and body are kept on the redirect)."""

    target: ClassVar[str] = ""

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(307)
        self.send_header("Location", type(self).target)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture()
def receiver() -> Iterator[tuple[type[Receiver], int]]:
    handler = type("OneReceiver", (Receiver,), {"hits": []})
    with serving(handler) as server:
        yield handler, server.server_address[1]


def _plugin(url: str) -> Any:  # noqa: ANN401 - an Apprise plugin
    [plugin] = list(build(Channel(name="c", url=url), {}))
    return plugin


def test_the_decision_on_a_channel_host_is_the_address_policy() -> None:
    strict = AddressRules()
    # Public addresses pass; private, loopback, link-local (cloud metadata), CGNAT and local names do not.
    for url in ("json://93.184.216.34/hook", "jsons://[2606:2800:220:1:248:1893:25c8:1946]/x"):
        assert check_named_host(_plugin(url), strict) is None, url
    for url, host in (
        ("json://127.0.0.1:8080/hook", "127.0.0.1"),
        ("form://10.1.2.3/x", "10.1.2.3"),
        ("xml://169.254.169.254/latest", "169.254.169.254"),
        ("json://100.64.0.1/", "100.64.0.1"),
        ("json://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ("ntfy://192.168.1.20/topic", "192.168.1.20"),
    ):
        refusal = check_named_host(_plugin(url), strict)
        assert refusal is not None and refusal.final, url
        assert refusal.reason == f"{host} is not a public address; {HOW} to send alerts to it", url
    local = check_named_host(_plugin("json://rw.localhost:9/"), strict)
    assert local is not None and "rw.localhost is a local name" in local.reason
    # The only ways out: allow_private_addresses, or the host in allow_private_hosts (that host only).
    assert check_named_host(_plugin("json://127.0.0.1:8080/hook"), AddressRules(allow_private=True)) is None
    only = AddressRules(allow_hosts=("127.0.0.1",))
    assert check_named_host(_plugin("json://127.0.0.1:8080/hook"), only) is None
    assert check_named_host(_plugin("json://10.1.2.3/hook"), only) is not None
    # Token services (slack://TA/TB/TC, wecombot://KEY): the host is a token, the server the service's own.
    assert check_named_host(_plugin("wecombot://somekey123"), strict) is None


def test_a_local_receiver_hears_nothing_unless_the_watchlist_allows_it(receiver) -> None:  # noqa: ANN001
    handler, port = receiver
    channel = Channel(name="hook", url=f"json://127.0.0.1:{port}/alerts")
    refused = send(channel, "Price drop", "Widget 100 -> 80", env={})
    assert not refused.ok and refused.final
    assert refused.error == (
        f"channel 'hook': refused by the address policy: 127.0.0.1 is not a public address; {HOW} to send alerts to it"
    )
    assert handler.hits == []
    assert send(channel, "Price drop", "Widget 100 -> 80", env={}, rules=AddressRules(allow_hosts=("127.0.0.1",))).ok
    assert send(channel, "Price drop", "Widget 100 -> 80", env={}, rules=AddressRules(allow_private=True)).ok
    assert [h["title"] for h in handler.hits] == ["Price drop", "Price drop"]


def _watchlist(port: int, settings: str) -> Any:  # noqa: ANN401
    return load_watchlist_text(
        f"""
settings: {{{settings}}}
competitors: [{{name: ShopA, domains: [shop-a.example]}}]
channels:
  - {{name: hook, url: "json://127.0.0.1:{port}/alerts", mode: immediate, min_interval: 0}}
rules:
  - {{name: drops, when: price_drop}}
""",
        "test.yaml",
    )


@pytest.mark.parametrize("settings", ["", "allow_private_hosts: [127.0.0.1]"])
def test_the_dispatcher_applies_the_watchlist_settings(store_sessions, receiver, settings) -> None:  # noqa: ANN001
    handler, port = receiver
    wl = _watchlist(port, settings)
    with store_sessions.begin() as session:
        session.add(
            AlertDelivery(
                channel="hook", dedup_key="rw-1", title="Price drop", body="Widget 100 -> 80",
                body_format="text", status="pending", next_attempt_at=T0, created_at=T0,
            )
        )
    report = dispatch_pending(store_sessions, wl, env={}, now=T0)
    with store_sessions() as session:
        row = session.scalars(select(AlertDelivery)).one()
    if settings:
        assert report.sent == 1 and row.status == "sent" and len(handler.hits) == 1
        return
    # Refused: failed at once (a retry would get the same answer), the reason in the outbox row.
    assert report.failed == 1 and row.status == "failed" and row.attempts == 1 and handler.hits == []
    assert row.last_error.startswith("channel 'hook': refused by the address policy: 127.0.0.1 is not a public")
    assert "allow_private_hosts" in row.last_error


def test_test_messages_and_the_report_use_the_watchlist_settings(store_sessions, receiver, tmp_path: Path) -> None:  # noqa: ANN001
    handler, port = receiver
    [refused] = send_test_messages(_watchlist(port, ""), env={})
    assert not refused.ok and "refused by the address policy" in (refused.error or "") and handler.hits == []
    [sent] = send_test_messages(_watchlist(port, "allow_private_hosts: [127.0.0.1]"), env={})
    assert sent.ok and len(handler.hits) == 1
    for settings, hits in (("", 1), ("allow_private_addresses: true", 2)):
        run = build_and_deliver(
            _watchlist(port, settings), store_sessions, now=T0, out_dir=tmp_path, send=["hook"], formats=["md"], env={}
        )
        [result] = run.results
        assert result.ok == bool(settings) and len(handler.hits) == hits
        if not settings:
            assert (result.error or "").startswith("channel 'hook': refused by the address policy: 127.0.0.1")


def test_a_redirect_to_a_private_address_is_refused_at_connect(receiver) -> None:  # noqa: ANN001
    handler, port = receiver
    redirector = type("OneRedirector", (Redirector,), {"target": f"http://localhost:{port}/inner"})
    with serving(redirector) as server:
        channel = Channel(name="hook", url=f"json://127.0.0.1:{server.server_address[1]}/")
        # 127.0.0.1 is allowed, localhost (where the redirect points) is not: the receiver hears nothing.
        result = send(channel, "t", "b", env={}, rules=AddressRules(allow_hosts=("127.0.0.1",)))
        assert not result.ok and handler.hits == []
        assert result.error == (
            f"channel 'hook': refused by the address policy: localhost is a local name; {HOW} to send alerts to it"
        )


def test_dns_rebinding_is_refused_on_the_address_connected_to(receiver, monkeypatch) -> None:  # noqa: ANN001
    """A name that answers a public address to the check before the send and loopback to the connect."""
    handler, port = receiver
    answers = iter(["93.184.216.34", "127.0.0.1"])
    lookups: list[str] = []
    system = socket.getaddrinfo

    def rebinding(host: Any, port_: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        if host != "rebind.example":
            return system(host, port_, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        lookups.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port_ or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    result = send(Channel(name="hook", url=f"json://rebind.example:{port}/"), "t", "b", env={})
    assert lookups == ["93.184.216.34", "127.0.0.1"]  # checked once before, once at the connect
    assert not result.ok and result.final and handler.hits == []
    assert "rebind.example resolves to 127.0.0.1, not a public address" in (result.error or "")


def test_a_name_that_does_not_resolve_is_refused_and_may_be_retried() -> None:
    # The test process answers "no such name" for every name off this machine (tests/offline_guard.py).
    result = send(Channel(name="hook", url="json://hooks.unresolvable.example/x"), "t", "b", env={})
    assert not result.ok and not result.final  # a lookup can fail for a while: the outbox retries it
    assert result.error == (
        "channel 'hook': refused by the address policy: hooks.unresolvable.example could not be resolved, "
        "so its address cannot be checked"
    )


def test_the_operators_smtp_relay_is_outside_the_policy(tmp_path: Path) -> None:
    with LocalMailbox(tmp_path / "mail") as box:
        result = send(Channel(name="mail", url=box.apprise_url()), "t", "<p>b</p>", "html", env={})
        assert result.ok and len(box.messages()) == 1
