"""Every exception a spider callback raises becomes that request's failure, reported like one.

A callback reads what it fetched (a listing's cards, a site's links, a screenshot of the rendered
page); a page can make that raise (JSON nested 200,000 deep, a page too tall to capture). Left to
Scrapy, the exception is logged and the watch gets no item: no observation, no next run, so it is
due again at once and fetched again and again. Here the spider's own errback (`failed`, which every
spider has for transport failures) is handed the exception instead, so the watch gets its failed
observation with the reason, and its next run.
"""

from __future__ import annotations

from typing import Any

from scrapy.http import Response
from twisted.python.failure import Failure


class CallbackError(Exception):
    """What a callback raised, as a reason a person can read."""

    def __init__(self, exc: BaseException) -> None:
        name, text = type(exc).__name__, str(exc).splitlines()[0][:200] if str(exc) else ""
        hint = " (data nested too deep)" if isinstance(exc, RecursionError) else ""
        super().__init__(f"could not read the page{hint}: {name}{': ' + text if text else ''}")
        self.original = exc


class CallbackFailureMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> CallbackFailureMiddleware:
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> Any:
        spider = self.crawler.spider
        failed = getattr(spider, "failed", None)
        request = response.request
        if failed is None or request is None:
            return None  # a spider without an errback: Scrapy's own handling
        spider.logger.warning("callback failed on %s: %r", response.url, exception)
        failure = Failure(CallbackError(exception))
        failure.request = request  # type: ignore[attr-defined]  (what errbacks read, as Scrapy sets it)
        return failed(failure)
