"""kill -9 of a process with an extraction pool leaves no worker behind (a worker ends when its input closes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

CHILD = """
import sys, time
from monitor.crawl.pool import shared_pool
pool = shared_pool(2)

page = (b"<html><title>Kettle</title><body><h1>Kettle</h1><p>$19.99</p></body></html>", "http://x/p", None, None)
for f in [pool.submit([page]) for _ in range(4)]:
    f.result()
print(" ".join(str(p.pid) for p in pool._procs), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie waiting for init to reap it has exited


def test_kill_9_of_the_parent_takes_its_extraction_workers_with_it() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(Path(__file__).resolve().parents[1]), os.environ["PYTHONPATH"]))}
    proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    workers = [int(p) for p in proc.stdout.readline().split()]
    assert len(workers) == 2 and all(_alive(p) for p in workers)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 15
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in workers if _alive(p)]
    for p in left:  # do not leave them behind on failure either
        os.kill(p, signal.SIGKILL)
    assert left == []
