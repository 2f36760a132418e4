"""A long-running `serve` once warm: checks/s of the single-process service on 2,000 static product pages.

Issue 18's bar: "a long-running `serve` checking >= 500 pages a second on the same pages once warm".
The pages are static files (8 to 13 KB, JSON-LD, like the peer benchmark's) served by Debian's nginx on
127.0.0.1, so the web server costs the measured cores next to nothing and answers conditional requests
(ETag, Last-Modified) as a real shop's server does. One run:
  bare       a Scrapy spider that only fetches every page (`bench/crawl.py --child-bare`): the baseline
  warm-up    `rivalwatch serve --role all` starts, migrates its SQLite store and checks every page once
             (not measured); it then keeps running for every round below
  unchanged  every watch is made due at once; nothing changed on the pages (304s or the same bodies)
  changed    the same, after 10 % of the pages got a new price (those are fetched, extracted, stored,
             scored and alerted-on; the rest unchanged)
Each round's rate is its checks divided by the time from "all due" to its last check (the service
was already up: start-up is not in it, which is what "once warm" means); rounds are repeated
--rounds times and the median is printed, with the ratio to the bare fetch measured in the same run,
the service's CPU seconds per 1,000 checks and its peak RSS (VmHWM, the extraction worker's too).

python bench/serve_warm.py                 # 2,000 pages, 3 rounds of each
python bench/serve_warm.py --pages 500 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.lib.roles import start_role, stop_all  # noqa: E402

WORDS = (
    "durable lightweight stainless steel warranty shipping returns ergonomic design premium materials "
    "everyday use tested certified quality comfort battery wireless compact classic modern"
).split()


def page(i: int, price_round: int) -> str:
    """One product page: JSON-LD offer, a visible price and stock line, a few KB of description."""
    rng = random.Random(i)
    name = (
        f"{rng.choice(['Acme', 'Globex', 'Initech', 'Hooli'])} {rng.choice(['Kettle', 'Lamp', 'Tent'])} {i}"
    )
    price = round(rng.uniform(9, 499) * (1 + 0.05 * price_round), 2)
    stock = "InStock" if rng.random() < 0.85 else "OutOfStock"
    offer = {
        "@type": "Offer",
        "price": f"{price:.2f}",
        "priceCurrency": "USD",
        "availability": f"https://schema.org/{stock}",
    }
    ld = {
        "@context": "https://schema.org/",
        "@type": "Product",
        "name": name,
        "sku": f"SKU-{i:06d}",
        "offers": offer,
    }
    text = "\n".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 70))) + ".</p>"
        for _ in range(rng.randint(13, 20))
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{name} | Shop</title>'
        f'<script type="application/ld+json">{json.dumps(ld)}</script></head><body><h1>{name}</h1>'
        f'<p class="price">${price:.2f}</p><p class="stock">{"In stock" if stock == "InStock" else "Out of stock"}</p>'
        f"{text}</body></html>"
    )


def write_site(root: Path, n: int, bumped: set[int], price_round: int) -> None:
    for i in range(n):
        body = page(i, price_round if i in bumped else 0)
        path = root / "p" / f"{i}.html"
        if not path.exists() or path.read_text() != body:
            path.write_text(body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(tmp: Path, site: Path, port: int) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is not installed (apt-get install nginx-light)")
    conf = tmp / "nginx.conf"
    temp = tmp / "nginx-tmp"
    temp.mkdir()
    conf.write_text(
        f"""worker_processes 1; daemon off; pid {tmp}/nginx.pid; error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{ default_type text/html; access_log off; sendfile on; keepalive_requests 100000;
  client_body_temp_path {temp}/b; proxy_temp_path {temp}/p; fastcgi_temp_path {temp}/f;
  uwsgi_temp_path {temp}/u; scgi_temp_path {temp}/s;
  server {{ listen 127.0.0.1:{port}; root {site}; location / {{ try_files $uri =404; }} }} }}
"""
    )
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("nginx did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of the children it reaped (the extraction worker)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_hwm_mb(pid: int) -> float:
    """Peak RSS (VmHWM) of a process plus its live children (the extraction worker)."""
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    total = 0.0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def bare_fetch(urls: list[str], tmp: Path) -> float:
    """Pages/s of bench/crawl.py's bare Scrapy spider on these URLs, in a process of its own."""
    urls_file = tmp / "urls.json"
    urls_file.write_text(json.dumps(urls))
    out = subprocess.run(
        [sys.executable, str(REPO / "bench" / "crawl.py"), "--child-bare", str(urls_file)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"the bare spider failed:\n{out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["pages"] / result["seconds"]


def main() -> None:  # noqa: C901  (one bench, its rounds in order)
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per round at most")
    parser.add_argument("--default-settings", action="store_true", help="the watchlist's defaults, not tuned")
    args = parser.parse_args()

    import yaml
    from sqlalchemy import create_engine, func, select, update

    from models import Watch
    from models.crawl import Observation

    with tempfile.TemporaryDirectory(prefix="rw-bench-serve-") as tmp_name:
        tmp = Path(tmp_name)
        tmp.chmod(0o755)  # nginx's workers run as another user when we are root: they must read the site
        site = tmp / "site"
        (site / "p").mkdir(parents=True)
        write_site(site, args.pages, set(), 0)
        port = free_port()
        nginx = start_nginx(tmp, site, port)
        service = None
        try:
            urls = [f"http://127.0.0.1:{port}/p/{i}.html" for i in range(args.pages)]
            bare = bare_fetch(urls, tmp)
            settings: dict[str, object] = {
                "allow_private_addresses": True,
                "database_url": f"sqlite:///{tmp}/rw.db",
            }
            if not args.default_settings:
                # As the peer benchmark's "tuned" rivalwatch: one local site may take 16 at once.
                settings.update(
                    {"concurrency_per_domain": 16, "concurrent_requests": 16, "autothrottle": False}
                )
            data = {
                "settings": {**settings, "default_interval": "1d"},
                "competitors": [{"name": "Local", "domains": ["127.0.0.1"], "robots": "ignore"}],
                "products": [{"url": u} for u in urls],
            }
            config, log = tmp / "watchlist.yaml", tmp / "serve.log"
            config.write_text(yaml.safe_dump(data, sort_keys=False))
            env = dict(os.environ, RIVALWATCH_SERVICE_STATE=str(tmp / "service.json"))
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
            engine = create_engine(f"sqlite:///{tmp}/rw.db")

            def checked_since(t0: datetime) -> tuple[int, datetime | None]:
                try:
                    with engine.connect() as conn:
                        n, last = conn.execute(
                            select(
                                func.count(func.distinct(Observation.watch_id)),
                                func.max(Observation.fetched_at),
                            ).where(Observation.fetched_at >= t0)
                        ).one()
                        return int(n or 0), last
                except Exception:  # noqa: BLE001  (the store is not made yet)
                    return 0, None

            service = start_role("all", config, log, env, "--tick", "0.2", "--spread-rate", "1000000")
            deadline = time.monotonic() + args.timeout
            while checked_since(datetime(2000, 1, 1, tzinfo=UTC))[0] < args.pages:
                if service.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the service did not check every page: {log.read_text()[-3000:]}")
                time.sleep(0.5)
            print(
                f"{args.pages} product pages on nginx; {os.cpu_count()} cores; bare Scrapy fetch {bare:.1f} pages/s; "
                f"settings {'default' if args.default_settings else 'tuned (16 at once, no AutoThrottle)'}"
            )

            def one_round(name: str) -> dict[str, float]:
                time.sleep(1.0)  # the warm-up's or last round's writes settle; the service idles
                cpu0 = cpu_seconds(service.pid)
                t0 = datetime.now(UTC)
                with engine.begin() as conn:
                    conn.execute(update(Watch).values(next_due_at=t0 - timedelta(seconds=1)))
                deadline = time.monotonic() + args.timeout
                while (seen := checked_since(t0))[0] < args.pages:
                    if service.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(
                            f"{name}: the service stopped or timed out: {log.read_text()[-3000:]}"
                        )
                    time.sleep(0.1)
                last = seen[1]
                assert last is not None
                seconds = (last - t0).total_seconds() or 1e-9
                with engine.connect() as conn:
                    unchanged = conn.scalar(
                        select(func.count()).where(
                            Observation.fetched_at >= t0, Observation.unchanged.is_(True)
                        )
                    )
                cpu = cpu_seconds(service.pid) - cpu0
                out = {
                    "rate": args.pages / seconds,
                    "seconds": seconds,
                    "unchanged": float(unchanged or 0),
                    "cpu_s_per_1000": cpu * 1000 / args.pages,
                    "load_1min": os.getloadavg()[0],
                }
                print(
                    f"{name:<10} {args.pages} checks in {seconds:5.2f}s = {out['rate']:6.1f} checks/s "
                    f"({int(out['unchanged'])} unchanged; {out['cpu_s_per_1000']:.2f} CPU s per 1000 checks; "
                    f"load {out['load_1min']:.1f})"
                )
                return out

            rows: dict[str, list[dict[str, float]]] = {"unchanged": [], "changed": []}
            for r in range(args.rounds):
                rows["unchanged"].append(one_round("unchanged"))
                bumped = set(range(0, args.pages, 10))
                write_site(site, args.pages, bumped, r + 1)
                rows["changed"].append(one_round("changed"))
            hwm = tree_hwm_mb(service.pid)
            summary = {}
            for name, runs in rows.items():
                rate = statistics.median(x["rate"] for x in runs)
                summary[name] = {"rate": rate, "ratio_to_bare": rate / bare}
                print(
                    f"median {name:<10} {rate:6.1f} checks/s = {rate / bare:.2f}x the bare fetch   (bar >= 500 checks/s)"
                )
            print(f"peak RSS of the service and its extraction worker: {hwm:.0f} MB")
            print(json.dumps({"bare": bare, **summary, "peak_rss_mb": hwm}))
        finally:
            if service is not None:
                stop_all([service], timeout=60)
            nginx.terminate()
            nginx.wait(10)


if __name__ == "__main__":
    main()
