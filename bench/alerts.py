"""Alert throughput: rivalwatch's outbox (enqueue + dispatch with claims and marks) against bare Apprise
sending the same messages to the same local endpoint (impersonated WeCom bot), in the same run."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import apprise  # noqa: E402
from test_outbox_helpers import T0, new_run, price_change, seed_watch, watchlist  # noqa: E402

from alerts.dispatcher import dispatch_pending  # noqa: E402
from alerts.outbox import enqueue_run_alerts  # noqa: E402
from models.db import open_store  # noqa: E402
from monitor.demo.impersonators import ServiceImpersonator, point_apprise_at  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500
with ServiceImpersonator() as fake, point_apprise_at(fake):
    app = apprise.Apprise()
    plugin = apprise.Apprise.instantiate("wecombot://benchkey")
    plugin.request_rate_per_sec = 0
    app.add(plugin)
    t = time.perf_counter()
    for i in range(N):
        assert app.notify(title=f"[warning] ShopA: Price drop · W{i}", body=f"W{i}: price 10 → 9 (-10.0%)")
    bare = N / (time.perf_counter() - t)

    _, factory = open_store(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    wl = watchlist('  - {name: wecom, url: "wecombot://benchkey", mode: immediate, min_interval: 0}\n',
                   "  - {name: drops, when: price_drop}\n")
    run_id = new_run(factory, lambda s: [(seed_watch(s, url=f"https://shop-a.example/p/{i}", label=f"W{i}"),
                                          price_change("10", "9", f"W{i}")) for i in range(N)])
    t = time.perf_counter()
    with factory.begin() as s:
        assert enqueue_run_alerts(s, run_id, wl, now=T0) == N
    enqueue_rate = N / (time.perf_counter() - t)
    t = time.perf_counter()
    report = dispatch_pending(factory, wl, env={}, now=T0)
    ours = N / (time.perf_counter() - t)
    assert report.sent == N and len(fake.accepted("wecombot")) == 2 * N
print(f"messages: {N}")
print(f"bare Apprise notify:        {bare:8.1f} msg/s")
print(f"rivalwatch enqueue:         {enqueue_rate:8.1f} deliveries/s (rules + render + insert)")
print(f"rivalwatch dispatch:        {ours:8.1f} msg/s (claim + send + mark)")
print(f"ratio dispatch / bare:      {ours / bare:8.2f}")
