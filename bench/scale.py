"""Scale-out throughput: checks/s of 1, 2 and 4 crawl workers vs one `serve --role all`, same 2,000 pages.

Everything is real and local: the demo market in its own process (monitor.demo.process), PostgreSQL
on 127.0.0.1 (a schema of this run's own), Redis on 127.0.0.1 (a key prefix of this run's own), and
each role a `rivalwatch serve` process. One run measures, in order, on the same 2,000 product pages:
  warm-up      `serve --role all` migrates the schema and stores day 0 (not measured)
  all          `serve --role all`, the single-process service
  workers=N    one scheduler and N workers (N = 1, 2, 4)
Each phase starts its processes and waits until they are up and idle (process start-up is not
counted; it is printed), then runs --rounds rounds on them (default 2; the last is the phase's
figure): a round moves the market a day, has the market render that day's pages (it renders a page
once per day and keeps it; --no-prerender: while the crawl runs), then makes every watch due at once.
The first round on fresh processes pays what a process pays once at its first real crawl; a service
runs for days, so the second round is its steady state. Pre-rendering keeps the market's page-making
off the measured cores, as a real shop's server is not on the crawler's machine; the market still
serves every request in the round and its CPU for that is counted. A round's rate is its checks
divided by the time from "all due" to its last fetch; each crawl run's timeline is printed on that
clock (opened: the queue's share of the lag; first fetch: the crawl's set-up). Memory: the peak RSS
(VmHWM) of each worker process.
CPU: the CPU seconds each crawling process, the scheduler and the demo market used per 1,000 checks
in the round (a measure of efficiency that other load on the machine changes little), the load
average when the round ended, and the cores busy during the round: this run's processes and the whole
machine (/proc/stat), so that a round starved by other work on a shared machine shows as such. The
CPU of the shared services is counted too: PostgreSQL's backends serving this run's roles (found by
their application_name, which names the role) and Redis (a redis-server of this run's own on a free
port, unless --shared-redis: then Redis's CPU is not attributable and is not shown). What 2 workers
can gain on 2 cores follows from these: a worker is one process (one core at most), everything else
shares the rest.

python bench/scale.py                    # 2,000 pages
python bench/scale.py --pages 500 --workers 1,2
python bench/scale.py --shared-redis    # the Redis of RIVALWATCH_TEST_REDIS_URL
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.lib.roles import start_role, stop_all  # noqa: E402

PG_URL = os.environ.get("RIVALWATCH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("RIVALWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def vm_hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time a live process has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_busy() -> tuple[float, float]:
    """(CPU seconds the whole machine has been busy, seconds of wall time on all cores) so far."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / tick, sum(fields[:8]) / tick


def _private_redis(tmp: str) -> tuple[subprocess.Popen, str]:
    """A redis-server of this run's own (no persistence), so its CPU is this run's alone."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--dir", tmp],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 30
    while True:
        try:
            redis.Redis.from_url(url).ping()
            return proc, url
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("the private redis-server did not start") from None
            time.sleep(0.1)


def _prerender(urls: list[str]) -> None:
    """Fetch every page once so the market renders (and keeps) today's pages before a phase."""

    def get(url: str) -> None:
        try:
            with urllib.request.urlopen(url, timeout=30) as reply:  # noqa: S310  (the local demo market)
                reply.read()
        except OSError:
            pass  # an error page is the market's answer too; the crawl meets it the same way

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(get, urls))


def _serve(role: str, config: Path, env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen:
    # Each role's connections carry the role in application_name: its PostgreSQL backends' CPU is its own.
    env = dict(env, RIVALWATCH_DATABASE_URL=f"{env['RIVALWATCH_DATABASE_URL']}-{role}")
    return start_role(role, config, log, env, "--tick", "0.2", "--spread-rate", "1000000", *extra)


def _stop(procs: list[subprocess.Popen]) -> None:
    stop_all(procs, timeout=60)


def main() -> None:  # noqa: C901  (one bench, its phases in order)
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--jobs", type=int, default=250, help="watches a worker takes per crawl")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--log", type=Path, default=None, help="keep the roles' JSON log here")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per phase at most")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="rounds per phase on the same processes; the last is the phase's figure (2: the first warms up)",
    )
    parser.add_argument(
        "--no-prerender", action="store_true", help="the market renders pages during the phase"
    )
    parser.add_argument("--shared-redis", action="store_true", help="use RIVALWATCH_TEST_REDIS_URL's Redis")
    args = parser.parse_args()
    redis_tmp = tempfile.TemporaryDirectory(prefix="rw-bench-redis-")
    redis_proc, redis_url = (None, REDIS_URL) if args.shared_redis else _private_redis(redis_tmp.name)

    import yaml
    from sqlalchemy import create_engine, func, select, text, update
    from sqlalchemy.orm import sessionmaker

    from models import CrawlRun, Watch
    from models.crawl import Observation
    from monitor.demo.process import DemoProcess
    from monitor.scale.connect import queue_config
    from monitor.scale.members import Members
    from monitor.service.state import read_state

    schema = f"rw_bench_{secrets.token_hex(4)}"
    prefix = f"rwbench-{secrets.token_hex(4)}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    pg = f"{PG_URL}?options=-csearch_path%3D{schema}"
    # The roles' connections carry the run's prefix (and their role) as application_name: their backends'
    # CPU is counted.
    env = dict(
        os.environ,
        RIVALWATCH_DATABASE_URL=f"{pg}&application_name={prefix}",
        RIVALWATCH_QUEUE_URL=f"{redis_url}?prefix={prefix}",
    )
    qcfg = queue_config(env["RIVALWATCH_QUEUE_URL"])
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    results: dict[str, dict[str, float]] = {}
    try:
        with (
            tempfile.TemporaryDirectory(prefix="rw-bench-scale-") as tmp,
            DemoProcess(args.seed, args.pages // 4 + 50) as market,
        ):
            urls = market.product_urls()[: args.pages]
            data = {
                "settings": {
                    "allow_private_addresses": True,
                    "default_interval": "1d",
                    "retries": 0,
                    "extract_workers": 0,  # each process extracts inline: one worker is one process
                    "autothrottle": False,
                    "concurrent_requests": 32,
                    "concurrency_per_domain": 8,
                },
                "competitors": [
                    {"name": s, "domains": [b.split("://", 1)[1]]} for s, b in market.base_urls.items()
                ],
                "products": [{"url": u, "competitor": shop} for shop, _pid, u in urls],
            }
            config, log = Path(tmp) / "watchlist.yaml", args.log or Path(tmp) / "roles.log"
            env["RIVALWATCH_SERVICE_STATE"] = str(Path(tmp) / "service.json")
            config.write_text(yaml.safe_dump(data, sort_keys=False))
            engine = create_engine(pg)
            factory = sessionmaker(engine)
            n = len(urls)
            print(
                f"{n} product pages on {len(market.base_urls)} demo shops; {os.cpu_count()} cores; load {os.getloadavg()}"
            )

            def checked_since(t0: datetime) -> int:
                try:
                    with factory() as s:
                        return (
                            s.scalar(
                                select(func.count(func.distinct(Observation.watch_id))).where(
                                    Observation.fetched_at >= t0
                                )
                            )
                            or 0
                        )
                except Exception:  # noqa: BLE001  (the schema is not migrated yet)
                    return 0

            def backends_cpu() -> dict[int, tuple[str, float]]:
                """(role, CPU seconds so far) of each PostgreSQL backend serving this run's roles."""
                with admin.connect() as conn:
                    rows = conn.execute(
                        text(
                            "SELECT pid, application_name FROM pg_stat_activity WHERE application_name LIKE :a"
                        ),
                        {"a": f"{prefix}-%"},
                    ).all()
                    return {pid: (app.rsplit("-", 1)[1], cpu_seconds(pid)) for pid, app in rows}

            def redis_calls() -> int:
                """Commands the run's own Redis has served so far (0 with --shared-redis)."""
                if redis_proc is None:
                    return 0
                stats = qcfg.client().info("commandstats")
                return sum(int(v["calls"]) for v in stats.values())

            def ready(start: list[tuple[str, tuple[str, ...]]]) -> bool:
                """Every process up and idle: what is measured is crawling, not Python starting."""
                if start[0][0] == "all":
                    state = read_state(Path(env["RIVALWATCH_SERVICE_STATE"]))
                    return state is not None and state.status == "running" and state.in_flight == 0
                members = Members(qcfg.client(), qcfg.prefix).all()
                idle = [m for m in members if m.role == "worker" and m.doing == "idle"]
                leading = [m for m in members if m.role == "scheduler" and m.doing.startswith("leading")]
                return len(idle) == len(start) - 1 and len(leading) == 1

            def measure(
                name: str, day: int, start: list[tuple[str, tuple[str, ...]]], procs: list[subprocess.Popen]
            ) -> dict[str, float]:
                """One round on running processes: the market moves a day, every watch comes due at once."""
                market.set_day(day)
                if not args.no_prerender:
                    _prerender([u for _shop, _pid, u in urls])
                cpu0 = [cpu_seconds(p.pid) for p in procs] + [cpu_seconds(market.pid)]
                pg0, redis0 = backends_cpu(), cpu_seconds(redis_proc.pid if redis_proc else None)
                calls0, (busy0, all0), clock0 = redis_calls(), machine_busy(), time.perf_counter()
                t0 = datetime.now(UTC)
                with factory.begin() as s:
                    s.execute(update(Watch).values(next_due_at=t0 - timedelta(seconds=1)))
                deadline = time.monotonic() + args.timeout
                while checked_since(t0) < n:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{name}: timed out; see {log}: {log.read_text()[-2000:]}")
                    if any(p.poll() is not None for p in procs):
                        raise SystemExit(f"{name}: a role exited; {log.read_text()[-3000:]}")
                    time.sleep(0.2)
                workers = [p for p, (role, _e) in zip(procs, start, strict=True) if role in ("worker", "all")]
                rss = [vm_hwm_mb(p.pid) for p in workers]
                cpu1 = [cpu_seconds(p.pid) for p in procs] + [cpu_seconds(market.pid)]
                pg1, redis1 = backends_cpu(), cpu_seconds(redis_proc.pid if redis_proc else None)
                (busy1, all1), clock1 = machine_busy(), time.perf_counter()
                pg_by_role: dict[str, float] = {}
                for pid, (role, c) in pg1.items():
                    pg_by_role[role] = pg_by_role.get(role, 0.0) + c - pg0.get(pid, (role, 0.0))[1]
                postgres = sum(pg_by_role.values())
                calls = redis_calls() - calls0
                cpu = [after - before for before, after in zip(cpu0, cpu1, strict=True)]
                roles = [role for role, _e in start]
                crawling = sum(c for c, r in zip(cpu[:-1], roles, strict=True) if r in ("worker", "all"))
                scheduling = sum(c for c, r in zip(cpu[:-1], roles, strict=True) if r == "scheduler")
                load = os.getloadavg()[0]
                # Cores in use while the round ran: this run's processes (roles, market, backends, Redis) and
                # the whole machine; on a shared machine the difference is what other work took.
                seconds = clock1 - clock0
                ours = (sum(cpu) + postgres + (redis1 - redis0)) / seconds
                machine = (busy1 - busy0) / (all1 - all0) * (os.cpu_count() or 1)
                with factory() as s:
                    first, last, count = s.execute(
                        select(
                            func.min(Observation.fetched_at), func.max(Observation.fetched_at), func.count()
                        ).where(Observation.fetched_at >= t0)
                    ).one()
                    runs = s.execute(
                        select(
                            CrawlRun.id,
                            CrawlRun.started_at,
                            func.count(Observation.id),
                            func.min(Observation.fetched_at),
                            func.max(Observation.fetched_at),
                        )
                        .join(Observation, Observation.run_id == CrawlRun.id)
                        .where(Observation.fetched_at >= t0)
                        .group_by(CrawlRun.id)
                        .order_by(CrawlRun.id)
                    ).all()
                window = (last - t0).total_seconds() or 1e-9  # from "all due" to the last check
                out = {
                    "checks": count,
                    "seconds": window,
                    "rate": count / window,
                    "rss_mb": max(rss),
                    "cpu_s_per_1000_crawling": crawling * 1000 / count,
                    "cpu_s_per_1000_scheduler": scheduling * 1000 / count,
                    "cpu_s_per_1000_market": cpu[-1] * 1000 / count,
                    "cpu_s_per_1000_postgres": postgres * 1000 / count,
                    **{
                        f"cpu_s_per_1000_postgres_{r}": c * 1000 / count
                        for r, c in sorted(pg_by_role.items())
                    },
                    "cpu_s_per_1000_redis": (redis1 - redis0) * 1000 / count if redis_proc else float("nan"),
                    "redis_calls_per_check": calls / count if redis_proc else float("nan"),
                    "load_1min": load,
                    "cores_this_run": ours,
                    "cores_machine": machine,
                }
                print(
                    f"{name:<11} {count} checks in {window:.1f}s = {count / window:6.1f} checks/s; peak RSS per "
                    f"crawling process {', '.join(f'{r:.0f}' for r in rss)} MB; CPU s per 1000 checks: crawling "
                    f"{out['cpu_s_per_1000_crawling']:.1f}, scheduler {out['cpu_s_per_1000_scheduler']:.1f}, "
                    f"market {out['cpu_s_per_1000_market']:.1f}, postgres {out['cpu_s_per_1000_postgres']:.1f} ("
                    + ", ".join(f"{r} {c * 1000 / count:.2f}" for r, c in sorted(pg_by_role.items()))
                    + f"), redis {out['cpu_s_per_1000_redis']:.1f}; Redis commands per check "
                    f"{out['redis_calls_per_check']:.1f}; cores busy: this run {ours:.2f}, whole machine "
                    f"{machine:.2f} of {os.cpu_count()}; load {load:.1f}"
                )
                # Where a round's time goes: the queue (due -> run opened), the crawl's set-up (-> first
                # fetch), the crawl itself; the same seconds-after-due clock for every crawl.
                for run_id, opened, k, a, b in runs:
                    print(
                        f"    run {run_id}: {k} checks; opened +{(opened - t0).total_seconds():.2f}s, "
                        f"first fetch +{(a - t0).total_seconds():.2f}s, last +{(b - t0).total_seconds():.2f}s"
                    )
                return out

            def phase(name: str, day: int, start: list[tuple[str, tuple[str, ...]]]) -> dict[str, float]:
                """Start the processes, wait until they are up and idle, measure `--rounds` rounds, stop."""
                wall = time.perf_counter()
                procs = [_serve(role, config, env, log, *extra) for role, extra in start]
                while not ready(start):
                    if any(p.poll() is not None for p in procs):
                        raise SystemExit(f"{name}: a role exited; {log.read_text()[-3000:]}")
                    time.sleep(0.2)
                wall = time.perf_counter() - wall
                try:
                    rounds = [measure(name, day + i, start, procs) for i in range(args.rounds)]
                finally:
                    _stop(procs)
                print(f"{name:<11} start-up (processes up and idle) {wall:.1f}s")
                return rounds[-1] | {"startup": wall}

            # The store and its schema, day 0 checked, by the single-process service (not measured).
            warm = [_serve("all", config, env, log)]
            while checked_since(datetime(2000, 1, 1, tzinfo=UTC)) < n:
                time.sleep(0.5)
            _stop(warm)
            results["all"] = phase("all", 1, [("all", ())])
            day = 1 + args.rounds
            for k in (int(x) for x in args.workers.split(",")):
                start = [("scheduler", ())] + [("worker", ("--jobs", str(args.jobs)))] * k
                results[f"workers={k}"] = phase(f"workers={k}", day, start)
                day += args.rounds
            one = results.get("workers=1", {}).get("rate")
            if one:
                for k in (int(x) for x in args.workers.split(",")):
                    r = results[f"workers={k}"]["rate"]
                    print(
                        f"speed-up workers={k} vs 1 worker: {r / one:.2f}x; vs serve --role all: {r / results['all']['rate']:.2f}x"
                    )
            print(json.dumps(results))
            engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(30)
        else:
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(match=f"{prefix}:*", count=1000):
                client.delete(key)
        redis_tmp.cleanup()


if __name__ == "__main__":
    main()
