"""A lean asyncio HTTP/1.1 server for the demo market: one event loop, one listening port per site.

Only what the demo needs, done properly: keep-alive (HTTP/1.1 default, HTTP/1.0 on request),
pipelined requests answered in order, GET/HEAD/POST with Content-Length bodies, conditional
requests (304), delayed answers that do not block other connections, and streamed bodies with
back-pressure. It runs either in a background thread of the caller's process (`ServerThread`) or
as the main loop of a subprocess (`serve_forever`), so benchmarks need not share the GIL with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from email.utils import formatdate

from monitor.demo.reply import Reply, as_304, not_modified

Handler = Callable[[str, str, bytes], Reply]  # (method, target, body) -> Reply


class SiteLoad:
    """Requests being answered per site right now and at most so far (what politeness tests read), and
    an extra `latency` (seconds) every answer waits, so crawls overlap the way real shops make them.
    Only the server's event loop writes it; readers in other threads see whole ints."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.current: dict[str, int] = {}
        self.peak: dict[str, int] = {}

    def enter(self, site: str) -> None:
        now = self.current.get(site, 0) + 1
        self.current[site] = now
        if now > self.peak.get(site, 0):
            self.peak[site] = now

    def leave(self, site: str) -> None:
        self.current[site] = self.current.get(site, 1) - 1

    def reset(self) -> None:
        self.peak = dict(self.current)
MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024
SERVER_NAME = "rivalwatch-demo/1"


class _Clock:
    """The Date header, formatted once per second rather than once per request."""

    def __init__(self) -> None:
        self._second = -1
        self._value = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second, self._value = second, formatdate(second, usegmt=True)
        return self._value


_clock = _Clock()


def _head(reply: Reply, keep_alive: bool, length: int) -> bytes:
    lines = [
        f"HTTP/1.1 {reply.status} {reply.reason}",
        f"Date: {_clock.now()}",
        f"Server: {SERVER_NAME}",
        f"Connection: {'keep-alive' if keep_alive else 'close'}",
    ]
    if reply.status != 304:
        lines.append(f"Content-Type: {reply.content_type}")
        lines.append(f"Content-Length: {length}")
    if reply.etag:
        lines.append(f"ETag: {reply.etag}")
    if reply.last_modified:
        lines.append(f"Last-Modified: {reply.last_modified}")
    lines.extend(f"{k}: {v}" for k, v in reply.headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _serve_connection(
    handler: Handler,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    site: str = "",
    load: SiteLoad | None = None,
) -> None:
    try:
        while True:
            try:
                raw = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            lines = raw.decode("latin-1").split("\r\n")
            try:
                method, target, version = lines[0].split(" ")
            except ValueError:
                writer.write(_head(Reply(400), False, 0))
                return
            headers: dict[str, str] = {}
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            conn = headers.get("connection", "").lower()
            keep_alive = conn != "close" if version == "HTTP/1.1" else conn == "keep-alive"
            if "chunked" in headers.get("transfer-encoding", "").lower():
                writer.write(_head(Reply(501), False, 0))
                return
            body = b""
            size = int(headers.get("content-length") or 0)
            if size > MAX_BODY:
                writer.write(_head(Reply(400), False, 0))
                return
            if size:
                body = await reader.readexactly(size)
            if load is not None:
                load.enter(site)
            try:
                await _answer(handler, method, target, body, headers, keep_alive, writer, load)
            finally:
                if load is not None:
                    load.leave(site)
            if not keep_alive:
                await writer.drain()
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _answer(
    handler: Handler,
    method: str,
    target: str,
    body: bytes,
    headers: dict[str, str],
    keep_alive: bool,
    writer: asyncio.StreamWriter,
    load: SiteLoad | None,
) -> None:
    try:
        reply = handler(method, target, body)
    except Exception as exc:  # a demo bug must show up as a 500, not a dropped connection
        reply = Reply(500, f"demo server error: {exc!r}\n".encode(), "text/plain")
    if reply.delay or (load is not None and load.latency):
        await asyncio.sleep(reply.delay + (load.latency if load is not None else 0.0))
    if not_modified(reply, headers.get("if-none-match"), headers.get("if-modified-since")):
        reply = as_304(reply)
    if reply.stream is not None:
        writer.write(_head(reply, keep_alive, reply.length or 0))
        if method != "HEAD":
            for chunk in reply.stream:
                writer.write(chunk)
                await writer.drain()
    else:
        head = _head(reply, keep_alive, len(reply.body))
        writer.write(head if method == "HEAD" or reply.status == 304 else head + reply.body)
        if writer.transport.get_write_buffer_size() > 256 * 1024:
            await writer.drain()


async def start_servers(
    handlers: dict[str, Handler], host: str, ports: dict[str, int], load: SiteLoad | None = None
) -> dict[str, asyncio.Server]:
    """Listen on one port per site (0 = ephemeral); returns the servers, already accepting."""
    servers = {}
    for name, handler in handlers.items():

        async def on_connect(r, w, h=handler, site=name):
            await _serve_connection(h, r, w, site, load)

        servers[name] = await asyncio.start_server(
            on_connect, host, ports.get(name, 0), limit=MAX_HEAD, backlog=1024, reuse_address=True
        )
    return servers


def bound_port(server: asyncio.Server) -> int:
    return server.sockets[0].getsockname()[1]


class ServerThread:
    """The servers on an event loop in a daemon thread of this process."""

    def __init__(
        self,
        handlers: dict[str, Handler],
        host: str = "127.0.0.1",
        ports: dict[str, int] | None = None,
        load: SiteLoad | None = None,
    ):
        self.handlers = handlers
        self.load = load
        self.host = host
        self.ports_wanted = ports or {}
        self.ports: dict[str, int] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stop: asyncio.Event | None = None

    def start(self) -> dict[str, int]:
        self._thread = threading.Thread(target=self._run, name="demo-market", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error:
            raise RuntimeError(f"demo market could not start: {self._error}") from self._error
        return self.ports

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        try:
            servers = await start_servers(self.handlers, self.host, self.ports_wanted, self.load)
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self.ports = {name: bound_port(s) for name, s in servers.items()}
        self._ready.set()
        await self._stop.wait()
        for s in servers.values():
            s.close()
        for s in servers.values():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(s.wait_closed(), 2)
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()

    def stop(self) -> None:
        if self._loop and self._stop and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread:
            self._thread.join(10)
            self._thread = None
