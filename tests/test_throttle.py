"""AutoThrottle speeds up on 304 answers (unchanged pages), and still never on error pages."""

from __future__ import annotations

from scrapy.core.downloader import Slot
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from spiders.throttle import ConditionalAwareThrottle


def _throttle() -> ConditionalAwareThrottle:
    crawler = get_crawler(settings_dict={"AUTOTHROTTLE_ENABLED": True, "AUTOTHROTTLE_START_DELAY": 0.5})
    throttle = ConditionalAwareThrottle(crawler)
    throttle.mindelay, throttle.maxdelay = 0.0, 60.0
    return throttle


def test_304_lowers_the_delay_like_a_200_and_a_500_does_not() -> None:
    throttle = _throttle()
    for status, lowered in ((304, True), (200, True), (500, False)):
        slot = Slot(concurrency=4, delay=0.5, randomize_delay=False)
        throttle._adjust_delay(slot, 0.01, Response("http://x.test/", status=status))
        assert (slot.delay < 0.5) is lowered, status
