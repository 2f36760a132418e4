"""The service under load: 5,000 product watches due every 10 minutes, against the local demo market.

The demo market runs in its own process (monitor.demo.process.DemoProcess); the service runs in this
process, as `rivalwatch serve` would, and alerts go to a local json:// receiver (an HTTP server in this
process). Time is compressed by --compress (default 10): every watch is due every 600/compress seconds,
so the default run asks the service for 5,000 checks a minute (83/s), ten times the real load; the
market moves a day each interval so prices change and alerts flow.

In the same run we measure the baseline: one `rivalwatch run --all` style cycle over the same 5,000
watches (run_cycle with force=True), which also stores day 0, so the service starts where a previous
run left off. Printed:
  schedule lag   how late checks happen relative to their next_due_at (fetch time - due time), p50/p95/max
  keeping up     checks done / checks that came due during the run
  throughput     the service's pages/s while crawling vs the baseline's pages/s (ratio)
  peak RSS       of this process (service + receiver) and of the extraction workers (target <= 400 MB)
  alerts/s       deliveries sent per second of dispatcher time, and in total

python bench/service.py                      # 5,000 watches, interval 60 s, 200 s of service
python bench/service.py --watches 1000 --seconds 100
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


class _Receiver(BaseHTTPRequestHandler):
    count = 0
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with _Receiver.lock:
            _Receiver.count += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def vm_hwm_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--watches", type=int, default=5000)
    parser.add_argument(
        "--compress", type=float, default=10.0, help="time compression (interval = 600 s / this)"
    )
    parser.add_argument(
        "--seconds", type=float, default=200.0, help="how long the service runs (> 2 intervals)"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import yaml

    from monitor.crawl.runner import run_cycle
    from monitor.demo.process import DemoProcess
    from monitor.service import Service, ServiceOptions
    from monitor.service.schedule import lag_percentiles
    from monitor.watchlist import load_watchlist
    from spiders.engine import quiet_scrapy_logs

    quiet_scrapy_logs(logging.CRITICAL)
    interval = 600.0 / args.compress
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    per_shop = args.watches // 4 + 50
    with (
        tempfile.TemporaryDirectory(prefix="rw-bench-service-") as tmp,
        DemoProcess(args.seed, per_shop) as market,
    ):
        urls = market.product_urls()[: args.watches]
        competitors = []
        for shop, base in market.base_urls.items():
            competitors.append({"name": shop, "domains": [base.split("://", 1)[1]]})
        data = {
            "settings": {
                "allow_private_addresses": True,
                "default_interval": f"{interval:g}s",
                "database_url": f"sqlite:///{tmp}/rw.db",
                "retries": 0,
            },
            "competitors": competitors,
            "products": [{"url": u, "competitor": shop} for shop, _pid, u in urls],
            "channels": [
                {"name": "hook", "url": f"json://127.0.0.1:{receiver.server_port}/", "mode": "immediate"}
            ],
            "rules": [
                {"name": "drop", "when": "price_drop", "threshold_pct": 1},
                {"name": "rise", "when": "price_rise", "threshold_pct": 1},
                {"name": "out", "when": "out_of_stock"},
            ],
        }
        config = Path(tmp) / "watchlist.yaml"
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        watchlist = load_watchlist(config)
        from models.db import open_store

        _engine, factory = open_store(watchlist.settings.database_url)
        print(
            f"{len(urls)} product watches on {len(market.base_urls)} demo shops (subprocess); interval "
            f"{interval:g}s (10 min compressed {args.compress:g}x: {len(urls) / interval:.0f} checks/s due)"
        )

        t = time.perf_counter()
        base = run_cycle(watchlist, factory, force=True, send_alerts=False, trigger="bench")
        base_seconds = time.perf_counter() - t
        base_rate = base.due / base_seconds
        print(
            f"baseline  run --all: {base.due} pages in {base_seconds:.1f}s = {base_rate:.0f} pages/s "
            f"({base.stats.failed} failed)"
        )

        stop = threading.Event()

        def advance() -> None:
            day = 0
            while not stop.wait(interval):
                day += 1
                market.set_day(day)

        mover = threading.Thread(target=advance, daemon=True)
        service = Service(config, ServiceOptions(dispatch_every=2.0))
        started = time.perf_counter()
        service.start()
        mover.start()
        time.sleep(args.seconds)
        stop.set()
        service.stop()
        wall = time.perf_counter() - started
        s = service.stats
        with factory() as session:
            from sqlalchemy import func, select

            from models import Watch

            still_due = session.scalar(
                select(func.count()).select_from(Watch).where(Watch.next_due_at <= service.clock())
            )
        lag = lag_percentiles(list(s.fetch_lags))
        start_lag = lag_percentiles(list(s.start_lags))
        rate = s.checks / s.crawl_seconds if s.crawl_seconds else 0.0
        workers = [vm_hwm_mb(p.pid) for p in multiprocessing.active_children()]
        print(
            f"service   {wall:.0f}s: {s.crawls} crawls, {s.checks} checks ({s.failed} failed), "
            f"{s.checks / wall:.1f} checks/s"
        )
        print(
            f"schedule lag (fetch - due)  p50 {lag['p50']:.2f}s  p95 {lag['p95']:.2f}s  max {lag['max']:.2f}s"
        )
        print(
            f"start lag (picked - due)    p50 {start_lag['p50']:.2f}s  p95 {start_lag['p95']:.2f}s  "
            f"max {start_lag['max']:.2f}s"
        )
        came_due = s.checks + still_due
        print(
            f"keeping up: {s.checks} checks of {came_due} that came due in the run "
            f"({s.checks / came_due if came_due else 1:.2f}); {still_due} overdue when it stopped"
        )
        print(
            f"throughput while crawling {rate:.0f} pages/s vs baseline {base_rate:.0f} pages/s: "
            f"ratio {rate / base_rate:.2f}; busy {s.crawl_seconds / wall:.0%} of the time"
        )
        print(
            f"peak RSS  service process {vm_hwm_mb():.0f} MB; extraction workers "
            f"{', '.join(f'{w:.0f}' for w in workers) or '-'} MB (target <= 400 MB)"
        )
        sent_rate = s.alerts_sent / s.dispatch_seconds if s.dispatch_seconds else 0.0
        print(
            f"alerts    {s.changes} changes, {s.alerts_queued} queued, {s.alerts_sent} sent "
            f"({_Receiver.count} received): {sent_rate:.0f} alerts/s while dispatching, "
            f"{s.alerts_sent / wall:.1f}/s over the run"
        )
        print(
            json.dumps(
                {
                    "lag_p50": lag["p50"],
                    "lag_p95": lag["p95"],
                    "lag_max": lag["max"],
                    "rss_mb": vm_hwm_mb(),
                    "alerts_per_s": sent_rate,
                    "ratio": rate / base_rate,
                }
            )
        )
    receiver.shutdown()


if __name__ == "__main__":
    main()
