"""AutoThrottle for a monitor: full speed on a healthy site, backing off on errors and slow answers.

Scrapy's AutoThrottle spaces a site's requests by latency / AUTOTHROTTLE_TARGET_CONCURRENCY and never
lowers the delay on a non-200 response. Three changes for checking many pages of a site:

- A 304 Not Modified (what our conditional requests ask for on every unchanged page) and a 404/410 (a
  product that is gone) are healthy answers, not errors that fake a low latency.
- A healthy answer faster than AUTOTHROTTLE_SLOW_LATENCY halves the delay, down to none: on a fast
  site the per-domain concurrency is the limit, as without AutoThrottle. Latency measured on a busy
  crawler is mostly its own queueing, so the latency-based delay would slow the crawl for nothing.
- An answer that says "too many requests" or "unavailable" (429, 503) doubles the delay (at least
  AUTOTHROTTLE_BACKOFF_DELAY); a slow answer spaces requests by latency / target, as Scrapy does.
"""

from __future__ import annotations

from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response

HEALTHY = frozenset({200, 304, 404, 410})
OVERLOADED = frozenset({429, 503})
NO_DELAY_BELOW = 0.001  # seconds: a smaller delay is only a timer per request


class ConditionalAwareThrottle(AutoThrottle):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.slow_latency = crawler.settings.getfloat("AUTOTHROTTLE_SLOW_LATENCY", 1.0)
        self.backoff_delay = crawler.settings.getfloat("AUTOTHROTTLE_BACKOFF_DELAY", 1.0)

    def _adjust_delay(self, slot: Slot, latency: float, response: Response) -> None:
        if response.status in OVERLOADED:
            slot.delay = min(self.maxdelay, max(self.mindelay, self.backoff_delay, slot.delay * 2))
            return
        healthy = response.status in HEALTHY
        if healthy and latency < self.slow_latency:
            new_delay = slot.delay / 2 if slot.delay / 2 >= NO_DELAY_BELOW else 0.0
            slot.delay = max(self.mindelay, new_delay)
            return
        target_delay = latency / self.target_concurrency
        new_delay = max(target_delay, (slot.delay + target_delay) / 2.0)
        new_delay = min(max(self.mindelay, new_delay), self.maxdelay)
        if not healthy and new_delay <= slot.delay:
            return
        slot.delay = new_delay
