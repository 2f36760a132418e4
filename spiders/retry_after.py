"""`Retry-After`: a server that says when to come back is not asked again at once.

Scrapy's retry middleware retries a 429 or 503 right away, whatever the server asked. This one
leaves a response that carries `Retry-After` alone (the watch's next run honours it, see
`spiders.extract.retry_after`) and retries everything else as Scrapy does.
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware

from spiders.extract.retry_after import LATER


class RetryAfterMiddleware(RetryMiddleware):
    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if response.status in LATER and response.headers.get(b"Retry-After"):
            return response  # asked to come back later: not now
        return super().process_response(request, response)
