"""Scrapy's downloader, holding each site to its concurrency (CONCURRENT_REQUESTS_PER_DOMAIN).

Scrapy 2.19 starts each download from a slot's queue as an asyncio task and counts it as
transferring only once the task runs; so one pass over a slot's queue (after AutoThrottle's first
delay, or whenever several requests wait) starts every waiting request at once. We saw 30 requests
at once to a site capped at 4. Beyond politeness, that costs CPU: the connection pool keeps
CONCURRENT_REQUESTS_PER_DOMAIN idle connections a site, closes the extra ones as they come back,
and three of four requests of a 2,000-page crawl opened a new TCP connection. Here a request counts
as transferring from the moment it leaves the queue (`Downloader._download` adds it again, a no-op,
and removes it when its answer is in).
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class SlotCappedDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        # Scrapy's own loop (scrapy/core/downloader/__init__.py), with the one line marked below.
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # ours: counted before its task runs
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break
