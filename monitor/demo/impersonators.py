"""A local HTTP server that answers like Slack, WeCom (group bot and app), ServerChan and WxPusher.

For demos and tests with no internet: `point_apprise_at(server)` moves the Apprise plugins' endpoint
class attributes to this server (and back afterwards), so the real plugins send real HTTP requests
and get each service's own success body. Every request is recorded (`requests`) with its parsed
payload; `fail_next(service, n)` makes the next n requests of a service fail (HTTP 500).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from monitor.demo.running import Running

# The bodies the real services answer a successful send with (Apprise checks some of them).
SUCCESS: dict[str, Any] = {
    "slack": "ok",
    "wecombot": {"errcode": 0, "errmsg": "ok"},
    "wechat": {"errcode": 0, "errmsg": "ok", "invaliduser": ""},
    "wechat_token": {"errcode": 0, "errmsg": "ok", "access_token": "LOCAL-ACCESS-TOKEN", "expires_in": 7200},
    "schan": {
        "code": 0,
        "message": "",
        "data": {"pushid": "1", "readkey": "local", "error": "SUCCESS", "errno": 0},
    },
    "wxpusher": {"code": 1000, "msg": "处理成功", "data": [], "success": True},
}


@dataclass
class Received:
    service: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    payload: Any = None  # parsed JSON or form, when it was one
    status: int = 200


@dataclass
class _State:
    requests: list[Received] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


# The service each path impersonates; the first prefix that matches wins (the token before the rest).
_SERVICES = (
    ("/slack/", "slack"),
    ("/wecom/", "wecombot"),
    ("/wechat/gettoken", "wechat_token"),
    ("/wechat/", "wechat"),
    ("/schan/", "schan"),
    ("/wxpusher/", "wxpusher"),
)


def _service_of(path: str) -> str:
    return next((service for prefix, service in _SERVICES if path.startswith(prefix)), "unknown")


class _Handler(BaseHTTPRequestHandler):
    state: _State  # set on the per-server subclass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # tests and demos read `requests`, not stderr

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        service = _service_of(parts.path)
        ctype = self.headers.get("Content-Type", "")
        payload: Any = None
        if body:
            try:
                payload = json.loads(body) if "json" in ctype or body[:1] in (b"{", b"[") else None
            except ValueError:
                payload = None
            if payload is None and "form" in ctype:
                payload = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(body.decode("utf-8")).items()}
        with self.state.lock:
            failing = self.state.failures.get(service, 0)
            if failing:
                self.state.failures[service] = failing - 1
            status = 500 if failing else (200 if service in SUCCESS else 404)
            self.state.requests.append(
                Received(
                    service,
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    dict(self.headers),
                    body,
                    payload,
                    status,
                )
            )
        answer = SUCCESS.get(service, {"error": "unknown endpoint"}) if status == 200 else {"error": "boom"}
        raw = (
            answer.encode("utf-8")
            if isinstance(answer, str)
            else json.dumps(answer, ensure_ascii=False).encode()
        )
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(answer, str) else "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = _handle


class ServiceImpersonator(Running):
    """The HTTP server; `with ServiceImpersonator() as fake, point_apprise_at(fake): ...`."""

    def __init__(self) -> None:
        self._state = _State()
        handler = type("Handler", (_Handler,), {"state": self._state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ServiceImpersonator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="rivalwatch-impersonator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=10)


    @property
    def requests(self) -> list[Received]:
        with self._state.lock:
            return list(self._state.requests)

    def accepted(self, service: str | None = None) -> list[Received]:
        """Requests answered with success (what the real service would have delivered)."""
        return [r for r in self.requests if r.status == 200 and (service is None or r.service == service)]

    def fail_next(self, service: str, times: int) -> None:
        with self._state.lock:
            self._state.failures[service] = times


@contextlib.contextmanager
def point_apprise_at(fake: ServiceImpersonator) -> Iterator[None]:
    """Point the Apprise plugins' endpoints at `fake`, restoring them afterwards."""
    from apprise.plugins.serverchan import NotifyServerChan
    from apprise.plugins.slack import NotifySlack
    from apprise.plugins.wechat import NotifyWeChat
    from apprise.plugins.wecombot import NotifyWeComBot
    from apprise.plugins.wxpusher import NotifyWxPusher

    base = fake.base_url
    moves = [
        (NotifySlack, "webhook_url", f"{base}/slack/services"),
        (NotifySlack, "api_url", f"{base}/slack/api/{{}}"),
        (NotifyWeComBot, "notify_url", f"{base}/wecom/cgi-bin/webhook/send?key={{key}}"),
        (NotifyWeChat, "token_url", f"{base}/wechat/gettoken"),
        (NotifyWeChat, "notify_url", f"{base}/wechat/message/send"),
        (NotifyServerChan, "notify_url", f"{base}/schan/{{token}}.send"),
        (NotifyWxPusher, "notify_url", f"{base}/wxpusher/api/send/message"),
    ]
    saved = [(cls, name, cls.__dict__[name]) for cls, name, _ in moves]
    for cls, name, value in moves:
        setattr(cls, name, value)
    try:
        yield
    finally:
        for cls, name, value in saved:
            setattr(cls, name, value)
