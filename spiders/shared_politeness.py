"""Politeness shared by every crawl worker: per-site concurrency and per-slot delays held in Redis.

Scrapy's own limits (CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_SLOTS delays) hold within one process;
with several workers on several machines each would allow its own share. This downloader middleware
asks Redis before every request instead: a sorted set per site holds one lease per request in flight
(score = when the lease expires, so a worker that dies frees its places by itself), and a key per
site holds when its next request may start (the slot's delay, e.g. a search engine's `min_delay`).
One Lua script checks and takes both atomically, on Redis's clock, so machines' clocks do not matter.

A site is the request's host:port, or its `download_slot` when a spider names one (the keyword kind
names one per engine, with its delay and concurrency in DOWNLOAD_SLOTS). Switched on by the setting
RIVALWATCH_SHARED_POLITENESS_URL (a redis:// URL); off (NotConfigured) otherwise. Settings:
RIVALWATCH_SHARED_POLITENESS_PREFIX (key prefix), RIVALWATCH_SHARED_DOMAIN_CONCURRENCY (requests in
flight per site across all workers; default CONCURRENT_REQUESTS_PER_DOMAIN).
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from typing import Any

import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

log = logging.getLogger(__name__)

# KEYS: the site's leases, the site's next start. ARGV: token, cap, delay ms, lease ms.
# Returns 0 (taken), -1 (the site is full) or the milliseconds until the site's delay has passed.
TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nxt > now then return nxt - now end
local lease = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease)
local delay = tonumber(ARGV[3])
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000) end
return 0
"""

META = "rivalwatch_shared_lease"
POLL = 0.02  # seconds between tries while a site is full
REDIS_RETRY = 1.0  # seconds to wait when Redis is unreachable (the crawl pauses, it does not fail)


class SiteGate:
    """The Redis side, without Scrapy: take and give back one place of a site."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._take = client.register_script(TAKE)

    def keys(self, site: str) -> tuple[str, str]:
        return f"{self.prefix}:site:{site}:leases", f"{self.prefix}:site:{site}:next"

    def try_take(self, site: str, token: str, cap: int, delay: float, lease: float) -> float:
        """0 when taken; else seconds to wait before trying again."""
        got = int(
            self._take(keys=list(self.keys(site)), args=[token, cap, int(delay * 1000), int(lease * 1000)])
        )  # type: ignore[arg-type]
        if got == 0:
            return 0.0
        return POLL * (1 + random.random()) if got < 0 else got / 1000

    def give_back(self, site: str, token: str) -> None:
        self.client.zrem(self.keys(site)[0], token)

    def in_flight(self, site: str) -> int:
        return int(self.client.zcard(self.keys(site)[0]))


class SharedPolitenessMiddleware:
    def __init__(self, gate: SiteGate, cap: int, delay: float, slots: dict[str, Any], lease: float) -> None:
        self.gate = gate
        self.cap = cap
        self.delay = delay
        self.slots = slots
        self.lease = lease

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPolitenessMiddleware:
        s = crawler.settings
        url = s.get("RIVALWATCH_SHARED_POLITENESS_URL")
        if not url:
            raise NotConfigured
        client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=10, socket_connect_timeout=5)
        gate = SiteGate(client, s.get("RIVALWATCH_SHARED_POLITENESS_PREFIX") or "rivalwatch")
        cap = s.getint("RIVALWATCH_SHARED_DOMAIN_CONCURRENCY") or s.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        # A lease outlives any download (timeout + retries' own requests take new leases).
        lease = s.getfloat("DOWNLOAD_TIMEOUT") + 30
        return cls(gate, max(1, cap), s.getfloat("DOWNLOAD_DELAY"), s.getdict("DOWNLOAD_SLOTS"), lease)

    def _limits(self, request: Request) -> tuple[str, int, float]:
        slot = request.meta.get("download_slot")
        if slot and slot in self.slots:
            spec = self.slots[slot]
            return f"slot:{slot}", int(spec.get("concurrency") or self.cap), float(spec.get("delay") or 0)
        return urlparse_cached(request).netloc, self.cap, self.delay

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        site, cap, delay = self._limits(request)
        token = uuid.uuid4().hex
        while True:
            try:
                wait = self.gate.try_take(site, token, cap, delay, self.lease)
            except redis.RedisError as exc:
                log.warning("shared politeness: Redis unreachable (%s); waiting", exc)
                wait = REDIS_RETRY
            if wait == 0:
                break
            await asyncio.sleep(wait)
        request.meta[META] = (site, token)

    def _give_back(self, request: Request) -> None:
        held = request.meta.pop(META, None)
        if held is None:
            return
        try:
            self.gate.give_back(*held)
        except redis.RedisError:  # the lease expires by itself
            pass

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        self._give_back(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        self._give_back(request)
