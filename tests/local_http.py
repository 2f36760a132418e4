"""Small web servers on 127.0.0.1 for the tests that crawl over real HTTP: a request handler that
answers with a page and logs nothing, the server of a handler, serving in a thread, and a watchlist
of watches on its paths."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from monitor.watchlist import load_watchlist_text
from monitor.watchlist.schema import Watchlist


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


def pages_handler(pages: Mapping[str, str]) -> type[PageHandler]:
    """A handler answering each path of `pages` with its page (200), any other with 404; the
    mapping is read at each request, so a test may change the pages between crawls."""

    class Pages(PageHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = pages.get(self.path)
            self.send_page(200 if body else 404, (body or "no").encode())

    return Pages


def origin(server: ThreadingHTTPServer) -> str:
    """``http://127.0.0.1:<port>`` of a server started by `serving`."""
    return f"http://127.0.0.1:{server.server_address[1]}"


def local_watchlist(base: str, products: Iterable[str] = (), listings: Iterable[str] = (), retries: int = 0) -> Watchlist:
    """Watches on paths of the server at `base`: private addresses allowed (it is on 127.0.0.1), no
    retries unless asked, extraction in the crawler and no AutoThrottle (nothing waits but the pages)."""
    lines = [
        f"settings: {{allow_private_addresses: true, retries: {retries}, extract_workers: 0, autothrottle: false}}"
    ]
    for section, paths in (("products", list(products)), ("listings", list(listings))):
        if paths:
            lines += [f"{section}:", *(f'  - {{url: "{base}{path}"}}' for path in paths)]
    return load_watchlist_text("\n".join(lines) + "\n")
