"""Overlapping cron-style runs over one store: a shop of product pages on 127.0.0.1, a watchlist of
them, and two `rivalwatch run` processes started together after some prices moved.

Used by tests/test_overlapping_runs.py (a few hundred watches) and bench/overlap.py (the bar: 2,000
due watches, 200 price moves, exactly 2,000 observations and 200 changes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

RIVALWATCH = str(Path(sys.executable).with_name("rivalwatch"))


class PriceShop:
    """Product pages `/p/<i>` with a JSON-LD price each; `move` changes some of them."""

    def __init__(self, n: int, delay_s: float = 0.0) -> None:
        self.prices = {i: Decimal(100 + i) + Decimal("0.99") for i in range(n)}
        self.delay_s = delay_s
        self.hits = 0
        # Requests past `hold_after` hits wait until `released` is set: a test can hold a crawl
        # in its middle for as long as it needs, whatever the machine's load.
        self.hold_after: int | None = None
        self.released = threading.Event()
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def page(self, i: int) -> bytes:
        product = {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": f"Widget {i}",
            "sku": f"W{i}",
            "offers": {
                "@type": "Offer",
                "price": str(self.prices[i]),
                "priceCurrency": "EUR",
                "availability": "https://schema.org/InStock",
            },
        }
        return (
            f"<html><head><title>Widget {i}</title>"
            f'<script type="application/ld+json">{json.dumps(product)}</script></head>'
            f"<body><h1>Widget {i}</h1><p class=price>{self.prices[i]} €</p></body></html>"
        ).encode()

    def move(self, count: int) -> list[int]:
        """Lower the price of `count` products (spread over the range); returns which."""
        step = max(1, len(self.prices) // count)
        moved = list(range(0, step * count, step))[:count]
        for i in moved:
            self.prices[i] = self.prices[i] - Decimal(10)
        return moved

    @property
    def origin(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def serving(self) -> Iterator[PriceShop]:
        shop = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                with shop._lock:
                    shop.hits += 1
                    held = shop.hold_after is not None and shop.hits > shop.hold_after
                if held:
                    shop.released.wait(120)
                if shop.delay_s:
                    time.sleep(shop.delay_s)
                parts = self.path.strip("/").split("/")
                if (
                    len(parts) == 2
                    and parts[0] == "p"
                    and parts[1].isdigit()
                    and int(parts[1]) in shop.prices
                ):
                    body, status = shop.page(int(parts[1])), 200
                else:
                    body, status = b"not here", 404
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        try:
            yield self
        finally:
            self.released.set()
            self.server.shutdown()
            self.server.server_close()


def write_watchlist(path: Path, shop: PriceShop, database_url: str, concurrency: int = 32) -> Path:
    data = {
        "settings": {
            "database_url": database_url,
            "allow_private_addresses": True,
            "default_interval": "1d",
            "retries": 0,
            # Two runs at 16 requests each on a loaded 2-core machine: an answer may take seconds, and a
            # check that times out is a failure (no change), not what the overlap is about.
            "download_timeout": 30,
            "extract_workers": 0,
            "autothrottle": False,
            "concurrent_requests": concurrency,
            "concurrency_per_domain": concurrency,
        },
        "competitors": [{"name": "Shop", "domains": [shop.origin.split("://", 1)[1]]}],
        "products": [{"url": f"{shop.origin}/p/{i}", "competitor": "Shop"} for i in shop.prices],
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class RunResult:
    returncode: int
    stdout: str
    stderr: str


def start_run(config: Path, database_url: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "RIVALWATCH_DATABASE_URL": database_url}
    return subprocess.Popen(
        [RIVALWATCH, "run", "-c", str(config), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 600) -> RunResult:
    out, err = proc.communicate(timeout=timeout)
    return RunResult(proc.returncode, out, err)


def overlapping_runs(
    config: Path, database_url: str, runs: int = 2, stagger_s: float = 0.0
) -> list[RunResult]:
    """`runs` processes of `rivalwatch run` on one store, started `stagger_s` apart, awaited."""
    procs = []
    for k in range(runs):
        if k and stagger_s:
            time.sleep(stagger_s)
        procs.append(start_run(config, database_url))
    return [finish(p) for p in procs]


def make_all_due(factory) -> None:  # noqa: ANN001
    """Every watch due a second ago (as if its interval had passed)."""
    from sqlalchemy import update

    from models import Watch

    with factory.begin() as s:
        s.execute(update(Watch).values(next_due_at=datetime.now(UTC) - timedelta(seconds=1)))


def counts_since(factory, since_run: int) -> tuple[dict[int, int], int]:  # noqa: ANN001
    """Observations per watch and the number of changes of the runs after `since_run`."""
    from sqlalchemy import func, select

    from models import Change, Watch
    from models.crawl import Observation

    with factory() as s:
        per_watch = {w: 0 for w in s.scalars(select(Watch.id))}
        rows = s.execute(
            select(Observation.watch_id, func.count())
            .where(Observation.run_id > since_run)
            .group_by(Observation.watch_id)
        ).all()
        per_watch.update({w: n for w, n in rows})
        changes = s.scalar(select(func.count()).select_from(Change).where(Change.run_id > since_run)) or 0
    return per_watch, changes
