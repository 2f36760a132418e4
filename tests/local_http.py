"""Small web servers on 127.0.0.1 for the tests that crawl over real HTTP: a request handler that
answers with a page and logs nothing, and the server of a handler, serving in a thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PageHandler(BaseHTTPRequestHandler):
    """A handler whose answers are whole pages (`send_page`); it writes no access log."""

    def send_page(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    """`handler` served on a free port of 127.0.0.1 until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def origin(server: ThreadingHTTPServer) -> str:
    """``http://127.0.0.1:<port>`` of a server started by `serving`."""
    return f"http://127.0.0.1:{server.server_address[1]}"
