"""A crawl holds each site to CONCURRENT_REQUESTS_PER_DOMAIN (spiders.downloader).

Scrapy 2.19's downloader started a slot's whole queue at once (30 requests at once to a site capped
at 4); a real server on 127.0.0.1 counts the requests it is answering at the same time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
import scrapy
from local_http import PageHandler

from spiders.engine import CrawlEngine


class _Counting(PageHandler):
    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    busy = 0
    most = 0

    def do_GET(self) -> None:  # noqa: N802
        cls = type(self)
        with cls.lock:
            cls.busy += 1
            cls.most = max(cls.most, cls.busy)
        time.sleep(0.02)  # long enough for requests to overlap
        with cls.lock:
            cls.busy -= 1
        self.send_page(200, b"<html><body>ok</body></html>", "text/html")


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Pages(scrapy.Spider):
    name = "pages"

    def __init__(self, urls: list[str], seen: list[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls, self.seen = urls, seen

    async def start(self):  # noqa: ANN201
        for url in self.urls:
            yield scrapy.Request(url, dont_filter=True)

    def parse(self, response):  # noqa: ANN001, ANN201
        self.seen.append(response.status)


@pytest.mark.parametrize("autothrottle", [True, False])
def test_a_site_never_gets_more_requests_at_once_than_its_concurrency(site: str, autothrottle: bool) -> None:
    _Counting.busy = _Counting.most = 0
    seen: list[int] = []
    settings = {
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 3,
        "AUTOTHROTTLE_ENABLED": autothrottle,
        "ROBOTSTXT_OBEY": False,
        "RIVALWATCH_ALLOW_PRIVATE_ADDRESSES": True,
    }
    CrawlEngine().crawl(_Pages, settings, urls=[f"{site}/p/{i}" for i in range(60)], seen=seen)
    assert seen == [200] * 60
    assert 1 <= _Counting.most <= 3
