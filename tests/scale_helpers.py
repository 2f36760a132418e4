"""What the scale-out tests share: a PostgreSQL schema and a Redis key prefix of their own, role processes.

Both servers are real, on 127.0.0.1. When one is unreachable the tests skip, except under CI=true
where they fail (a scale-out test that silently skips guards nothing).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pg_fixture import PG_URL, fresh_schema

from bench.lib.roles import RIVALWATCH, start_role  # noqa: F401  (the scale-out tests' role processes)

REDIS_URL = os.environ.get("RIVALWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unreachable(what: str, reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required under CI=true but unreachable: {reason}")
    pytest.skip(f"{what} unreachable: {reason}")


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose connections use a fresh schema (dropped afterwards): shared by processes."""
    with fresh_schema("rw_scale") as schema:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture()
def queue_url() -> Iterator[str]:
    """A Redis URL with a random key prefix; the prefix's keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        unreachable(f"Redis at {REDIS_URL}", str(exc))
    prefix = f"rwtest-{secrets.token_hex(5)}"
    try:
        yield f"{REDIS_URL}?prefix={prefix}"
    finally:
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
        client.close()


def role_env(pg: str, queue: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(RIVALWATCH_DATABASE_URL=pg, RIVALWATCH_QUEUE_URL=queue)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def pid_with_local_port(pids: list[int], port: int) -> int | None:
    """Which of `pids` owns the TCP socket bound to 127.0.0.1:`port` (read from /proc, Linux)."""
    # Every socket on that local port that a process still owns: a connection in TIME_WAIT from an earlier
    # use of the same ephemeral port is listed too, with inode 0.
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for line in fh.readlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[9] != "0":
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            links = {os.readlink(fd) for fd in fd_dir.iterdir()}
        except OSError:
            continue
        if links & inodes:
            return pid
    return None
