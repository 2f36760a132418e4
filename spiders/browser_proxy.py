"""The policy proxy of the browser path: every request Chromium makes goes through it.

Chromium resolves and follows on its own what Scrapy never sees: redirects (which Playwright's
request routing does not even show), frames, scripts, `fetch()`, workers, WebSockets. So a browser
crawl's context is given this proxy (a Playwright context proxy), and the proxy applies the one
address policy (spiders.address_policy) to each request or CONNECT tunnel, then connects to the
very address it checked: a name cannot answer public to the check and loopback to the connection.
A refused request gets a 403 that says why; nothing is sent to the refused host.

It also bounds what one connection may carry back (the crawl's max_page_mb) and how long it may be
silent (download_timeout): a response whose Content-Length is over the cap gets a 413 saying so, one
that streams past it (chunked) is cut off at the cap, so a 50 MB page is never rendered. An HTTPS
tunnel is capped as a whole (the proxy cannot see the responses inside it).

The browser as a whole gets one more: a proxy that refuses everything (`refuse_all`), for Chromium's
own background requests, which do not come from a crawl's context (spiders.chromium_switches).
Each proxy keeps the hosts it forwarded to and refused (`forwarded`, `refusals`), for logs and tests.

One proxy per policy (allow_private, allow list, caps), each listening on 127.0.0.1 in a daemon
thread with its own asyncio loop, started the first time a crawl needs it and kept for the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

from spiders import address_policy as policy

HEAD_LIMIT = 64 * 1024  # bytes of a request line and headers
CHUNK = 64 * 1024


@dataclass(frozen=True)
class ProxyPolicy:
    allow_private: bool = False
    allow_hosts: tuple[str, ...] = ()
    max_bytes: int = 10 * 1024 * 1024  # what one connection may bring back
    idle_timeout: float = 30.0  # seconds without a byte either way before a connection is dropped
    refuse_all: bool = False  # the browser-wide proxy: no request of Chromium's own goes anywhere


REFUSE_ALL = policy.Decision(False, "a request of Chromium's own (not of a page): rivalwatch sends none")


def _host_port(authority: str, default: int) -> tuple[str, int]:
    parts = urlsplit(f"//{authority}")
    return parts.hostname or "", parts.port or default


class _Proxy:
    def __init__(self, rules: ProxyPolicy) -> None:
        self.rules = rules
        self.refused: deque[tuple[str, str]] = deque(maxlen=1000)  # (host, reason), for tests and logs
        self.forwarded: deque[tuple[str, int]] = deque(maxlen=1000)  # (host, port) let through

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._handle(reader, writer)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.rules.idle_timeout)
        request_line, _, headers = head.partition(b"\r\n")
        method, target, version = request_line.split(b" ", 2)
        tunnel = method.upper() == b"CONNECT"
        if tunnel:
            host, port = _host_port(target.decode("latin-1"), 443)
            forward = b""
        else:
            url = urlsplit(target.decode("latin-1"))
            if url.scheme != "http" or not url.hostname:
                await self._refuse(writer, 400, f"the proxy takes absolute http:// URLs, not {target[:80]!r}")
                return
            host, port = url.hostname, url.port or 80
            path = (url.path or "/") + (f"?{url.query}" if url.query else "")
            kept = [
                line for line in headers.split(b"\r\n")
                if line and not line.lower().startswith((b"proxy-", b"connection:", b"keep-alive:"))
            ]
            forward = b"\r\n".join([b" ".join([method, path.encode("latin-1"), version]), *kept,
                                    b"Connection: close", b"", b""])
        addresses, decision = await asyncio.get_running_loop().run_in_executor(None, self._check, host)
        if not decision:
            self.refused.append((host, decision.reason))
            await self._refuse(writer, 403, decision.reason)
            return
        self.forwarded.append((host, port))
        up_reader, up_writer = await asyncio.wait_for(
            asyncio.open_connection(addresses[0], port), self.rules.idle_timeout
        )
        try:
            if tunnel:
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
            else:
                up_writer.write(forward)
                await up_writer.drain()
                if not await self._head_within_cap(up_reader, writer):
                    return
            await asyncio.gather(
                self._pipe(reader, up_writer, None),
                self._pipe(up_reader, writer, self.rules.max_bytes),
            )
        finally:
            up_writer.close()

    async def _head_within_cap(self, up_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Pass the response head on, unless its Content-Length is over the cap: then a 413 that
        says so, and nothing of the body (a response cut off mid-way leaves Chromium waiting)."""
        head = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), self.rules.idle_timeout)
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length" and value.strip().isdigit():
                size = int(value.strip())
                if size > self.rules.max_bytes:
                    await self._refuse(
                        writer, 413, f"page too large: {size / 1e6:.1f} MB, over the max_page_mb cap "
                        f"of {self.rules.max_bytes / 1e6:.1f} MB"
                    )
                    return False
        writer.write(head)
        await writer.drain()
        return True

    def _check(self, host: str) -> tuple[tuple[str, ...], policy.Decision]:
        """Resolve once and decide on that answer: the address connected to is the one checked."""
        if self.rules.refuse_all:
            return (), REFUSE_ALL
        addresses = policy.resolve(host)
        return addresses, policy.decide(host, addresses, self.rules.allow_private, self.rules.allow_hosts)

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, cap: int | None) -> None:
        carried = 0
        try:
            while True:
                data = await asyncio.wait_for(src.read(CHUNK), self.rules.idle_timeout)
                if not data:
                    break
                carried += len(data)
                if cap is not None and carried > cap:
                    break  # over the page size cap: the browser sees a truncated response, not 50 MB
                dst.write(data)
                await dst.drain()
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                if dst.can_write_eof():
                    dst.write_eof()
            if cap is not None:
                dst.close()

    async def _refuse(self, writer: asyncio.StreamWriter, status: int, reason: str) -> None:
        body = reason.encode("utf-8", "replace")
        writer.write(
            f"HTTP/1.1 {status} Refused by rivalwatch\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
        )
        await writer.drain()


class _Proxies:
    """The process's policy proxies, one per policy, served from one daemon thread's event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ports: dict[ProxyPolicy, int] = {}
        self.proxies: dict[int, _Proxy] = {}

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="browser-policy-proxy", daemon=True).start()
            self._loop = loop
        return self._loop

    def port_for(self, rules: ProxyPolicy) -> int:
        with self._lock:
            if rules in self._ports:
                return self._ports[rules]
            loop = self._ensure_loop()
            proxy = _Proxy(rules)

            async def start() -> int:
                server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0, limit=HEAD_LIMIT)
                return server.sockets[0].getsockname()[1]

            port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
            self._ports[rules] = port
            self.proxies[port] = proxy
            return port


_proxies = _Proxies()


def proxy_url(
    allow_private: bool = False, allow_hosts: Collection[str] = (), max_bytes: int = 10 * 1024 * 1024,
    idle_timeout: float = 30.0, refuse_all: bool = False,
) -> str:
    """The http:// address of the policy proxy for these rules (started on first use)."""
    rules = ProxyPolicy(allow_private, tuple(sorted(allow_hosts)), int(max_bytes), float(idle_timeout), refuse_all)
    return f"http://127.0.0.1:{_proxies.port_for(rules)}"


def refusals(url: str) -> list[tuple[str, str]]:
    """What the proxy at `url` refused so far: (host, reason), oldest first."""
    proxy = _proxies.proxies.get(urlsplit(url).port or 0)
    return list(proxy.refused) if proxy else []


def forwarded(url: str) -> list[tuple[str, int]]:
    """What the proxy at `url` let through so far: (host, port), oldest first."""
    proxy = _proxies.proxies.get(urlsplit(url).port or 0)
    return list(proxy.forwarded) if proxy else []
