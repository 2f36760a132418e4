"""Browser throughput: rivalwatch's browser pipeline against bare scrapy-playwright on the same JS pages.

The demo market's "delta" shop renders its product pages only with JavaScript. It is served from a
subprocess on 127.0.0.1 and, in the same run, we time on the same 200 product pages:
  bare   a scrapy-playwright spider that loads each page in Chromium, waits for the price element
         and counts the response (the baseline: nothing extracted, nothing stored),
  ours   `rivalwatch run` on a fresh store with 200 `render: browser` product watches: Chromium,
         page plan (wait_for), extraction, change detection, observations, bodies and states stored.
Both use Debian's Chromium with the same launch options and the same concurrency (8 pages at once,
no AutoThrottle); each run is a fresh process, so both pay the browser start. Rounds alternate the
order; figures are medians. Peak memory is the largest resident set of the whole process tree
(Python and Chromium) seen while the crawl ran. Bar (issue 4): ours/bare >= 0.85.

    .venv/bin/python bench/browser.py [--pages 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.lib.crawls import bare_settings, timed_cycle  # noqa: E402

CONCURRENCY = 8
WAIT_FOR = ".pdp-price"


def child_bare(urls_file: str) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy_playwright.page import PageMethod

    from spiders import settings as ours

    urls = json.loads(Path(urls_file).read_text())
    stats: dict = {"n": 0, "priced": 0}

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):
            stats["t0"] = time.perf_counter()
            for url in urls:
                yield scrapy.Request(
                    url,
                    dont_filter=True,
                    meta={
                        "playwright": True,
                        "playwright_page_methods": [PageMethod("wait_for_selector", WAIT_FOR)],
                    },
                )

        def parse(self, response):
            stats["n"] += 1
            stats["priced"] += b"pdp-price" in response.body
            stats["t1"] = time.perf_counter()

    process = CrawlerProcess(
        bare_settings(
            CONCURRENCY,
            TWISTED_REACTOR="twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            DOWNLOAD_HANDLERS={
                "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
                "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
            },
            PLAYWRIGHT_LAUNCH_OPTIONS=ours.PLAYWRIGHT_LAUNCH_OPTIONS,
        )
    )
    process.crawl(Bare)
    process.start()
    print(json.dumps({"pages": stats["priced"], "fetched": stats["n"], "seconds": stats["t1"] - stats["t0"]}))


def child_ours(config: str) -> None:
    summary, seconds = timed_cycle(config)
    print(json.dumps({"pages": summary.stats.ok, "failed": summary.stats.failed, "seconds": seconds}))


def _tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants (Chromium's processes), from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_child(args: list[str]) -> tuple[dict, float]:
    proc = subprocess.Popen(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO
    )
    peak = [0.0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {err.decode(errors='replace')[-2000:]}")
    return json.loads(out.decode().strip().splitlines()[-1]), peak[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import yaml

    from monitor.demo.process import DemoProcess
    from monitor.demo.shops import DELTA_SELECTORS
    from spiders.browser import chromium_available

    if not chromium_available():
        sys.exit("Chromium is not installed (/usr/bin/chromium): `apt-get install -y chromium`")
    with (
        tempfile.TemporaryDirectory(prefix="rivalwatch-bench-browser-") as tmp,
        DemoProcess(seed=7, n_products=args.pages, shops=("alpha", "delta")) as market,
    ):
        urls = [url for shop, _pid, url in market.product_urls() if shop == "delta"][: args.pages]
        urls_file = Path(tmp) / "urls.json"
        urls_file.write_text(json.dumps(urls))
        print(
            f"{len(urls)} JS-rendered product pages of the demo shop 'delta' on 127.0.0.1; {CONCURRENCY} at once"
        )
        bare_s, ours_s, bare_mem, ours_mem = [], [], [], []
        for r in range(args.rounds):
            config = Path(tmp) / f"watchlist-{r}.yaml"
            config.write_text(
                yaml.safe_dump(
                    {
                        "settings": {
                            "allow_private_addresses": True,
                            "database_url": f"sqlite:///{tmp}/store-{r}.db",
                            "concurrent_requests": CONCURRENCY,
                            "concurrency_per_domain": CONCURRENCY,
                            "autothrottle": False,
                            "retries": 0,
                        },
                        "products": [
                            {
                                "url": u,
                                "render": "browser",
                                "wait_for": WAIT_FOR,
                                "selectors": DELTA_SELECTORS,
                            }
                            for u in urls
                        ],
                    }
                )
            )
            order = [("bare", str(urls_file)), ("ours", str(config))]
            for name, arg in order if r % 2 == 0 else order[::-1]:
                result, peak = run_child([f"--child-{name}", arg])
                if result["pages"] != len(urls):
                    raise SystemExit(f"{name}: only {result['pages']} of {len(urls)} pages read: {result}")
                pps = result["pages"] / result["seconds"]
                (bare_s if name == "bare" else ours_s).append(pps)
                (bare_mem if name == "bare" else ours_mem).append(peak)
                print(
                    f"  round {r + 1} {name:4s} {pps:6.2f} pages/s  ({result['seconds']:.1f}s, peak {peak:.0f} MB)"
                )
        bare, ours = statistics.median(bare_s), statistics.median(ours_s)
        print(
            f"bare scrapy-playwright  {bare:6.2f} pages/s   peak memory {max(bare_mem):.0f} MB (process tree)"
        )
        print(
            f"rivalwatch browser      {ours:6.2f} pages/s   peak memory {max(ours_mem):.0f} MB (process tree)"
        )
        print(f"ratio ours/bare         {ours / bare:.2f}   (bar >= 0.85)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child-bare":
        child_bare(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--child-ours":
        child_ours(sys.argv[2])
    else:
        main()
