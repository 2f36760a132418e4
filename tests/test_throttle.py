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


def test_a_healthy_fast_site_is_crawled_without_delay_after_a_few_answers() -> None:
    throttle = _throttle()
    slot = Slot(concurrency=4, delay=0.1, randomize_delay=False)
    for _ in range(12):
        throttle._adjust_delay(slot, 0.05, Response("http://x.test/", status=200))
    assert slot.delay == 0.0


def test_too_many_requests_doubles_the_delay_from_at_least_the_backoff_delay() -> None:
    throttle = _throttle()
    slot = Slot(concurrency=4, delay=0.0, randomize_delay=False)
    throttle._adjust_delay(slot, 0.01, Response("http://x.test/", status=429))
    assert slot.delay == 1.0
    throttle._adjust_delay(slot, 0.01, Response("http://x.test/", status=503))
    assert slot.delay == 2.0
    throttle._adjust_delay(slot, 0.01, Response("http://x.test/", status=500))
    assert slot.delay == 2.0  # an error page never lowers it


def test_slow_answers_space_requests_by_latency_over_target_concurrency() -> None:
    throttle = _throttle()
    slot = Slot(concurrency=4, delay=0.0, randomize_delay=False)
    throttle._adjust_delay(slot, 4.0, Response("http://x.test/", status=200))
    assert slot.delay == 4.0 / throttle.target_concurrency
