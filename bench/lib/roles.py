"""`rivalwatch serve` role processes, started and stopped the same way by the scale-out bench and the
scale-out tests."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

RIVALWATCH = str(Path(sys.executable).with_name("rivalwatch"))


def start_role(role: str, config: Path, log: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    """`rivalwatch serve --role ROLE` on `config`, its log appended to `log`."""
    return subprocess.Popen(
        [RIVALWATCH, "serve", "-c", str(config), "--role", role, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("a"),
    )


def stop_all(procs: list[subprocess.Popen], timeout: float) -> None:
    """SIGTERM to every process still running (each drains as in production), then wait for each;
    one that has not stopped within `timeout` seconds is killed."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
