"""Crawl throughput: rivalwatch's full pipeline against a bare Scrapy spider on the same 2,000 pages.

The demo market serves 4 shops x 500 product pages from a subprocess on 127.0.0.1. In the same run we time:
  bare   a Scrapy spider that only fetches every page (the baseline),
  cold   `rivalwatch run` on an empty store: fetch, extract, store, detect for every page,
  warm   the same watchlist again the next day: conditional requests and unchanged bodies skip extraction.
Each figure is the median of --rounds runs, each in a fresh process; pages/s counts the crawl itself
(the process start-up is printed separately). Bar (issue 2): cold/bare >= 0.75.

Whole process too (issue 18), as a user and the peer benchmark (`../shared/peerbench/run.sh`) see it:
`rivalwatch run --all` as its own command on a store of its own, cold then warm, timed from start to
exit (imports, migrations, the extraction worker's start) with the peak RSS of its whole process
tree (the worker included) sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.lib.crawls import bare_settings, rivalwatch_command, run_process_tree, timed_cycle  # noqa: E402

CONCURRENCY = 16


def child_bare(urls_file: str) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = json.loads(Path(urls_file).read_text())
    stats = {}

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):
            stats["t0"] = time.perf_counter()
            for url in urls:
                yield scrapy.Request(url, dont_filter=True)

        def parse(self, response):
            stats["n"] = stats.get("n", 0) + 1
            stats["t1"] = time.perf_counter()

    process = CrawlerProcess(bare_settings(CONCURRENCY))
    process.crawl(Bare)
    process.start()
    print(json.dumps({"pages": stats.get("n", 0), "seconds": stats["t1"] - stats["t0"]}))


def child_ours(config: str) -> None:
    summary, seconds = timed_cycle(config)
    me = resource.getrusage(resource.RUSAGE_SELF)
    print(f"main process CPU {me.ru_utime + me.ru_stime:.2f}s", file=sys.stderr)
    print(json.dumps({"pages": summary.stats.ok, "failed": summary.stats.failed, "seconds": seconds,
                      "unchanged": summary.stats.unchanged, "changes": len(summary.changes)}))


def run_child(args: list[str]) -> tuple[dict, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=REPO, check=False)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{out.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(out.stdout.strip().splitlines()[-1]), wall, cpu


def run_whole(config: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p))
    out = run_process_tree(rivalwatch_command("run", "-c", config, "--all", "--no-alerts"), env=env, cwd=str(REPO))
    if out["rc"] != 0:
        raise SystemExit(f"rivalwatch run failed:\n{out['output'][-3000:]}")
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    import yaml

    from monitor.demo.process import DemoProcess
    from monitor.demo.session import demo_watchlist

    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=500, help="products per shop (4 shops)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with DemoProcess(seed=7, n_products=args.products) as market, tempfile.TemporaryDirectory() as tmp:
        urls = [u for _s, _p, u in market.product_urls()]
        urls_file = Path(tmp) / "urls.json"
        urls_file.write_text(json.dumps(urls))
        data = demo_watchlist(market, "json://127.0.0.1:9/x")
        data["channels"], data["rules"] = [], []
        data["settings"].update(concurrent_requests=CONCURRENCY, concurrency_per_domain=CONCURRENCY,
                                autothrottle=False, retries=0)
        print(f"{len(urls)} product pages on {len(market.base_urls)} local shops; concurrency {CONCURRENCY}; "
              f"{args.rounds} rounds, medians")
        results: dict[str, list[tuple[dict, float, float]]] = {"bare": [], "cold": [], "warm": []}
        whole: dict[str, list[dict]] = {"cold": [], "warm": []}
        rss: dict[str, float] = {}
        for r in range(args.rounds):
            market.set_day(0)
            results["bare"].append(run_child(["--child-bare", str(urls_file)]))
            db = Path(tmp) / f"round{r}.db"
            data["settings"]["database_url"] = f"sqlite:///{db}"
            config = Path(tmp) / f"round{r}.yaml"
            config.write_text(yaml.safe_dump(data))
            results["cold"].append(run_child(["--child-ours", str(config)]))
            rss["cold"] = max(rss.get("cold", 0), peak_rss_mb())
            data["settings"]["database_url"] = f"sqlite:///{Path(tmp) / f'whole{r}.db'}"
            whole_config = Path(tmp) / f"whole{r}.yaml"
            whole_config.write_text(yaml.safe_dump(data))
            whole["cold"].append(run_whole(str(whole_config)))
            market.set_day(1)  # a new day: a few prices move, most pages are byte-for-byte the same
            results["warm"].append(run_child(["--child-ours", str(config)]))
            whole["warm"].append(run_whole(str(whole_config)))
        rows = {}
        for name, runs in results.items():
            pages = statistics.median(r[0]["pages"] for r in runs)
            seconds = statistics.median(r[0]["seconds"] for r in runs)
            wall = statistics.median(r[1] for r in runs)
            cpu_ms = statistics.median(r[2] for r in runs) / max(pages, 1) * 1000
            rows[name] = pages / seconds
            extra = ""
            if name != "bare":
                extra = (f"  unchanged {statistics.median(r[0]['unchanged'] for r in runs):.0f}"
                         f"  failed {statistics.median(r[0]['failed'] for r in runs):.0f}")
            print(f"  {name:5s} {pages:5.0f} pages in {seconds:6.2f}s = {rows[name]:6.1f} pages/s   "
                  f"process {wall:5.2f}s, CPU {cpu_ms:.2f} ms/page{extra}")
        print(f"peak RSS of a rivalwatch run (any child): {peak_rss_mb():.0f} MB")
        for name, runs in whole.items():
            wall = statistics.median(r["wall_s"] for r in runs)
            print(f"  whole process, `rivalwatch run --all` {name}: {len(urls) / wall:6.1f} checks/s "
                  f"({wall:5.2f}s start to exit, CPU {statistics.median(r['cpu_s'] for r in runs):5.2f}s), "
                  f"peak RSS of the process tree {max(r['peak_tree_mb'] for r in runs):.0f} MB")
        print(f"ratio cold/bare: {rows['cold'] / rows['bare']:.2f}   (bar >= 0.75)")
        print(f"ratio warm/bare: {rows['warm'] / rows['bare']:.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child-bare":
        child_bare(sys.argv[2])
    elif len(sys.argv) > 2 and sys.argv[1] == "--child-ours":
        child_ours(sys.argv[2])
    else:
        os.environ.setdefault("PYTHONHASHSEED", "0")
        main()
