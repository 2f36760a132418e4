"""What the crawl benchmarks run in their child processes: a forced rivalwatch cycle, and the
settings of the bare Scrapy spider it is measured against."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any


def bare_settings(concurrency: int, **extra: Any) -> dict[str, Any]:
    """Scrapy settings of a bare spider: quiet, no robots.txt, cookies or retries, `concurrency`
    requests at once (on one host too), and `extra` on top."""
    return {
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "COOKIES_ENABLED": False,
        "RETRY_ENABLED": False,
        **extra,
    }


def timed_cycle(config: str) -> tuple[Any, float]:
    """One forced crawl cycle of the watchlist at `config`, alerts off and Scrapy quiet: the
    cycle's summary and the seconds it took (the store opened beforehand)."""
    import logging

    from models.db import open_store
    from monitor.crawl.runner import run_cycle
    from monitor.watchlist import load_watchlist
    from spiders.engine import quiet_scrapy_logs

    quiet_scrapy_logs(logging.CRITICAL)
    watchlist = load_watchlist(config)
    _engine, factory = open_store(watchlist.settings.database_url)
    t0 = time.perf_counter()
    summary = run_cycle(watchlist, factory, force=True, send_alerts=False)
    return summary, time.perf_counter() - t0


def _tree(root: int) -> list[int]:
    """`root` and every process descended from it, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    # the command name (field 2) may hold spaces: the parent pid follows its ')'
                    parents[int(entry)] = int(f.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        tree += frontier
    return tree


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_process_tree(cmd: list[str], *, env: dict[str, str] | None = None, cwd: str | None = None,
                     every: float = 0.1) -> dict[str, Any]:
    """Run `cmd` to its end as a user would: wall seconds from start to exit, CPU seconds of it and
    every descendant it waited for, and the peak of the whole process tree's summed RSS (sampled
    every `every` seconds, as the peer benchmark does: an extraction worker counts)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    output, peak_kb = b"", 0
    while True:
        peak_kb = max(peak_kb, sum(_rss_kb(pid) for pid in _tree(proc.pid)))
        output += proc.stdout.read() or b""
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(every)
    wall = time.perf_counter() - t0
    os.set_blocking(proc.stdout.fileno(), True)
    output += proc.stdout.read() or b""
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"rc": proc.returncode, "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_tree_mb": peak_kb / 1024, "output": output.decode(errors="replace")}


def rivalwatch_command(*args: str) -> list[str]:
    """`rivalwatch ARGS` from this checkout (the command's own entry point, not an imported function)."""
    return [sys.executable, "-c", "import sys; from monitor.cli import main; sys.argv[0] = 'rivalwatch'; main()", *args]
