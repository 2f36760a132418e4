"""AutoThrottle that counts a 304 Not Modified as a healthy answer.

Scrapy's AutoThrottle never lowers a site's delay on a non-200 response, because error pages are
small and would fake low latency. A 304 is not an error: it is what our conditional requests ask
for on every unchanged page. Without this, a crawl of mostly unchanged pages never gets past
AUTOTHROTTLE_START_DELAY.
"""

from __future__ import annotations

from scrapy.core.downloader import Slot
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response

HEALTHY = frozenset({200, 304})


class ConditionalAwareThrottle(AutoThrottle):
    def _adjust_delay(self, slot: Slot, latency: float, response: Response) -> None:
        target_delay = latency / self.target_concurrency
        new_delay = max(target_delay, (slot.delay + target_delay) / 2.0)
        new_delay = min(max(self.mindelay, new_delay), self.maxdelay)
        if response.status not in HEALTHY and new_delay <= slot.delay:
            return
        slot.delay = new_delay
