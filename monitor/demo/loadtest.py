"""How many requests per second the demo server sustains: a keep-alive asyncio client against it.

The server runs in a subprocess by default (as benchmarks use it), so client and server each get
a core of their own. The client is lean (raw streams, no HTTP library) because on a 2-core machine
a heavy client would measure itself. Prints the first pass over all pages (each rendered on
first request) and the steady state (pages served from the per-day cache).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from urllib.parse import urlsplit

from monitor.demo.market import DemoMarket
from monitor.demo.process import DemoProcess


async def _worker(host: str, port: int, paths: list[str], stop_at: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for path in itertools.cycle(paths):
            if time.perf_counter() >= stop_at:
                return
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: loadtest\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            counts[0 if status == 200 else 1] += 1
    finally:
        writer.close()


async def _load(urls: list[str], seconds: float, connections: int) -> tuple[int, int, float]:
    by_origin: dict[tuple[str, int], list[str]] = {}
    for url in urls:
        parts = urlsplit(url)
        by_origin.setdefault((parts.hostname or "", parts.port or 80), []).append(
            parts.path + ("?" + parts.query if parts.query else "")
        )
    origins = list(by_origin.items())
    counts = [0, 0]
    start = time.perf_counter()
    stop_at = start + seconds
    tasks = []
    for i in range(connections):
        (host, port), paths = origins[i % len(origins)]
        share = paths[i // len(origins) :: max(1, connections // len(origins))] or paths
        tasks.append(_worker(host, port, share, stop_at, counts))
    await asyncio.gather(*tasks)
    return counts[0], counts[1], time.perf_counter() - start


def run_loadtest(n_products: int, seconds: float, connections: int, in_process: bool = False) -> float:
    market = DemoMarket(7, n_products) if in_process else DemoProcess(7, n_products)
    with market:
        urls = [u for _, _, u in market.product_urls()]
        # Pass 1: every page once (rendered on first request).
        t0 = time.perf_counter()
        asyncio.run(_first_pass(urls, connections))
        first = time.perf_counter() - t0
        print(
            f"first pass: {len(urls)} distinct product pages in {first:.2f}s = {len(urls) / first:,.0f} pages/s (rendering)"
        )
        ok, bad, elapsed = asyncio.run(_load(urls, seconds, connections))
        rate = (ok + bad) / elapsed
        mode = "in-process thread" if in_process else "subprocess"
        print(
            f"steady state: {ok + bad:,} requests in {elapsed:.2f}s over {connections} keep-alive connections "
            f"= {rate:,.0f} requests/s ({bad} non-200; server: {mode}; {n_products} products x {len(market.base_urls)} shops)"
        )
        return rate


async def _first_pass(urls: list[str], connections: int) -> tuple[int, int, float]:
    counts = [0, 0]
    chunks = [urls[i::connections] for i in range(connections)]

    async def fetch_all(chunk: list[str]) -> None:
        if not chunk:
            return
        parts = [urlsplit(u) for u in chunk]
        conns: dict[tuple[str, int], tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
        for p in parts:
            key = (p.hostname or "", p.port or 80)
            if key not in conns:
                conns[key] = await asyncio.open_connection(*key)
            reader, writer = conns[key]
            target = p.path + ("?" + p.query if p.query else "")
            writer.write(f"GET {target} HTTP/1.1\r\nHost: {key[0]}:{key[1]}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (int(line[15:]) for line in head.split(b"\r\n") if line[:15].lower() == b"content-length:"), 0
            )
            await reader.readexactly(length)
            counts[0 if head[9:12] == b"200" else 1] += 1
        for _, writer in conns.values():
            writer.close()

    await asyncio.gather(*(fetch_all(c) for c in chunks))
    return counts[0], counts[1], 0.0
