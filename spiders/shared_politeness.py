"""Politeness shared by every crawl worker: per-site concurrency and per-slot delays held in Redis.

Scrapy's own limits (CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_SLOTS delays) hold within one process;
with several workers on several machines each would allow its own share. This downloader middleware
asks Redis before every request instead: a sorted set per site holds one lease per request in flight
(score = when the lease expires, so a worker that dies frees its places by itself), and a key per
site holds when its next request may start (the slot's delay, e.g. a search engine's `min_delay`).
One Lua script checks and takes places atomically, on Redis's clock, so machines' clocks do not matter.

The calls are asynchronous (redis.asyncio on the reactor's asyncio loop): a round trip to Redis never
holds up the reactor's other work. Within one crawl, the requests waiting for a site queue up locally
and one task per site asks Redis for as many places as are waiting (one round trip for many); a
place given back while requests of the site wait here rides on that task's next ask (the script frees
it before it counts, so one round trip per download rather than two) and wakes the task at once; a
place freed by another worker is seen at the next try (every POLL seconds while the site is full).

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
from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    # Loaded when the middleware is switched on: a crawl without shared politeness (every `run`) never
    # imports redis (6 MB).
    import redis
    import redis.asyncio as aioredis

log = logging.getLogger(__name__)

# KEYS: the site's leases, the site's next start, the site's wanting crawls. ARGV: cap, delay ms,
# lease ms, the asking crawl's id, how many tokens it gives back, those tokens, then one token per
# place wanted (each "<crawl id>:<random>"). The tokens given back are freed first.
# Takes as many places as are free, but no more than the asking crawl's fair share: the cap divided
# among the crawls that want places of the site now (each asking marks itself wanting for WANT_MS),
# so a crawl that holds every place cannot starve another one (places are not revoked: they drain
# as downloads end). One place only when the site has a delay, which spaces every start. Returns
# {places taken, ms until worth trying again}: {0, -1} when the site (or the share) is full, {0, ms}
# while its delay runs.
TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local back = tonumber(ARGV[5])
if back > 0 then redis.call('ZREM', KEYS[1], unpack(ARGV, 6, 5 + back)) end
local first = 6 + back
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZADD', KEYS[3], now + 500, ARGV[4])
redis.call('PEXPIRE', KEYS[3], 1000)
local cap = tonumber(ARGV[1])
local holders = redis.call('ZRANGE', KEYS[1], 0, -1)
local free = cap - #holders
if free <= 0 then return {0, -1} end
local share = math.ceil(cap / redis.call('ZCARD', KEYS[3]))
local me = ARGV[4] .. ':'
for _, h in ipairs(holders) do
  if string.sub(h, 1, #me) == me then share = share - 1 end
end
free = math.min(free, share)
if free <= 0 then return {0, -1} end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nxt > now then return {0, nxt - now} end
local delay = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
if delay > 0 then free = 1 end
local n = math.min(free, #ARGV - first + 1)
for i = 0, n - 1 do redis.call('ZADD', KEYS[1], now + lease, ARGV[first + i]) end
redis.call('PEXPIRE', KEYS[1], lease)
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000) end
return {n, 0}
"""

META = "rivalwatch_shared_lease"
POLL = 0.02  # seconds between tries while a site is full (a place another worker frees is seen then)
REDIS_RETRY = 1.0  # seconds to wait when Redis is unreachable (the crawl pauses, it does not fail)


def _keys(prefix: str, site: str) -> list[str]:
    return [f"{prefix}:site:{site}:leases", f"{prefix}:site:{site}:next", f"{prefix}:site:{site}:wanting"]


def _wait(reply: Any) -> tuple[int, float]:
    """The script's reply as (places taken, seconds to wait before trying again)."""
    taken, wait_ms = int(reply[0]), int(reply[1])
    if taken:
        return taken, 0.0
    return 0, POLL * (1 + random.random()) if wait_ms < 0 else wait_ms / 1000


class SiteGate:
    """The Redis side, blocking, without Scrapy: take and give back one place of a site."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._take = client.register_script(TAKE)

    def keys(self, site: str) -> list[str]:
        return _keys(self.prefix, site)

    def try_take(self, site: str, token: str, cap: int, delay: float, lease: float, crawl: str = "") -> float:
        """0 when taken (for `crawl`, by default a crawl of its own); else seconds to wait before trying again."""
        crawl = crawl or token
        args = [cap, int(delay * 1000), int(lease * 1000), crawl, 0, f"{crawl}:{token}"]
        reply = self._take(keys=self.keys(site), args=args)
        taken, wait = _wait(reply)
        return 0.0 if taken else wait

    def give_back(self, site: str, token: str, crawl: str = "") -> None:
        self.client.zrem(self.keys(site)[0], f"{crawl or token}:{token}")

    def in_flight(self, site: str) -> int:
        return int(self.client.zcard(self.keys(site)[0]))


class AsyncSiteGate:
    """The same gate on redis.asyncio, taking several places in one round trip."""

    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._take = client.register_script(TAKE)

    async def take(
        self,
        site: str,
        crawl: str,
        tokens: list[str],
        cap: int,
        delay: float,
        lease: float,
        back: list[str] | None = None,
    ) -> tuple[int, float]:
        """(how many of `tokens` (each "<crawl>:..."), in order, hold a place now; seconds to wait when none
        does), the places of the tokens `back` given back first."""
        back = back or []
        args = [cap, int(delay * 1000), int(lease * 1000), crawl, len(back), *back, *tokens]
        reply = await self._take(keys=_keys(self.prefix, site), args=args)
        return _wait(reply)

    async def give_back(self, site: str, *tokens: str) -> None:
        await self.client.zrem(_keys(self.prefix, site)[0], *tokens)


class _Site:
    """One site's requests waiting in this crawl, and the task asking Redis for their places."""

    def __init__(self) -> None:
        self.waiting: deque[asyncio.Future[str]] = deque()
        self.freed = asyncio.Event()  # a place was given back here: try again now, not after POLL
        self.back: list[str] = []  # tokens given back, freed by the task's next ask
        self.task: asyncio.Task[None] | None = None

    @property
    def asking(self) -> bool:
        return self.task is not None and not self.task.done()


class SharedPolitenessMiddleware:
    def __init__(
        self, gate: AsyncSiteGate, cap: int, delay: float, slots: dict[str, Any], lease: float
    ) -> None:
        self.gate = gate
        self.cap = cap
        self.delay = delay
        self.slots = slots
        self.lease = lease
        self._sites: dict[str, _Site] = {}
        self._crawl = uuid.uuid4().hex[:12]  # this crawl's id: its tokens start with it
        self._limits_of: dict[str, tuple[int, float]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPolitenessMiddleware:
        s = crawler.settings
        url = s.get("RIVALWATCH_SHARED_POLITENESS_URL")
        if not url:
            raise NotConfigured
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(
            url, decode_responses=True, socket_timeout=10, socket_connect_timeout=5
        )
        gate = AsyncSiteGate(client, s.get("RIVALWATCH_SHARED_POLITENESS_PREFIX") or "rivalwatch")
        cap = s.getint("RIVALWATCH_SHARED_DOMAIN_CONCURRENCY") or s.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        # A lease outlives any download (timeout + retries' own requests take new leases).
        lease = s.getfloat("DOWNLOAD_TIMEOUT") + 30
        mw = cls(gate, max(1, cap), s.getfloat("DOWNLOAD_DELAY"), s.getdict("DOWNLOAD_SLOTS"), lease)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    async def spider_closed(self) -> None:
        for name, site in self._sites.items():
            if site.task is not None:
                site.task.cancel()
            back, site.back = site.back, []
            if back:
                try:
                    await self.gate.give_back(name, *back)
                except redis.RedisError:  # the leases expire by themselves
                    pass
        await self.gate.client.aclose()

    def _limits(self, request: Request) -> tuple[str, int, float]:
        slot = request.meta.get("download_slot")
        if slot and slot in self.slots:
            spec = self.slots[slot]
            return f"slot:{slot}", int(spec.get("concurrency") or self.cap), float(spec.get("delay") or 0)
        return urlparse_cached(request).netloc, self.cap, self.delay

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        name, cap, delay = self._limits(request)
        self._limits_of[name] = (cap, delay)
        site = self._sites.setdefault(name, _Site())
        place: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        site.waiting.append(place)
        if site.task is None or site.task.done():
            site.task = asyncio.ensure_future(self._admit(name, site))
        token = await place
        request.meta[META] = (name, token)

    async def _admit(self, name: str, site: _Site) -> None:
        """While requests of the site wait here: take places for them, oldest first."""
        import redis

        cap, delay = self._limits_of[name]
        while site.waiting or site.back:
            if not site.waiting:  # given back after the last ask and nobody here waits: free them now
                back, site.back = site.back, []
                try:
                    await self.gate.give_back(name, *back)
                except redis.RedisError:  # the leases expire by themselves
                    pass
                continue
            tokens = [f"{self._crawl}:{uuid.uuid4().hex[:12]}" for _ in range(min(len(site.waiting), cap))]
            site.freed.clear()
            back, site.back = site.back, []
            try:
                taken, wait = await self.gate.take(name, self._crawl, tokens, cap, delay, self.lease, back)
            except redis.RedisError as exc:
                log.warning("shared politeness: Redis unreachable (%s); waiting", exc)
                site.back[:0] = back  # still held: given back with the next ask (or they expire)
                taken, wait = 0, REDIS_RETRY
            for token in tokens[:taken]:
                place = site.waiting.popleft() if site.waiting else None
                if place is not None and not place.done():
                    place.set_result(token)
                else:  # its request went away meanwhile: the place is not needed
                    await self._release(name, token)
            if not taken:
                try:
                    await asyncio.wait_for(site.freed.wait(), wait)
                except TimeoutError:
                    pass

    async def _release(self, name: str, token: str) -> None:
        import redis

        site = self._sites.get(name)
        if site is not None and site.asking:  # the site's task frees it with its next ask, now
            site.back.append(token)
            site.freed.set()
            return
        try:
            await self.gate.give_back(name, token)
        except redis.RedisError:  # the lease expires by itself
            pass
        if site is not None:
            site.freed.set()

    async def _give_back(self, request: Request) -> None:
        held = request.meta.pop(META, None)
        if held is not None:
            await self._release(*held)

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        await self._give_back(request)
        return response

    async def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        await self._give_back(request)
