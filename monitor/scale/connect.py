"""Where the shared queue and store are: RIVALWATCH_QUEUE_URL (Redis) and RIVALWATCH_DATABASE_URL.

The queue URL is a redis-py URL with one extra query parameter, `prefix` (default "rivalwatch"):
every key this deployment writes starts with it, so two deployments (or two test runs) can share
one Redis without colliding, e.g. ``redis://10.0.0.5:6379/0?prefix=shop-a``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
from sqlalchemy.engine import make_url

QUEUE_ENV = "RIVALWATCH_QUEUE_URL"
DEFAULT_PREFIX = "rivalwatch"


class ScaleError(Exception):
    """A role cannot start; the message says what to set."""


@dataclass(frozen=True)
class QueueConfig:
    url: str  # the redis-py URL, without our `prefix` parameter
    prefix: str

    def client(self) -> redis.Redis:
        # Timeouts so a Redis that vanishes raises (and the role waits and reconnects) instead of hanging.
        return redis.Redis.from_url(
            self.url,
            decode_responses=True,
            socket_timeout=15,
            socket_connect_timeout=5,
            health_check_interval=15,
        )


def queue_config(explicit: str | None = None, role: str = "worker") -> QueueConfig:
    url = explicit or os.environ.get(QUEUE_ENV)
    if not url:
        raise ScaleError(
            f"the {role} role needs the shared queue: set {QUEUE_ENV}=redis://HOST:6379/0 "
            "(optionally ?prefix=NAME to keep this deployment's keys apart)"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ScaleError(f"{QUEUE_ENV} must be a redis:// URL, got {parts.scheme}://")
    query = parse_qsl(parts.query)
    prefix = next((v for k, v in query if k == "prefix"), DEFAULT_PREFIX)
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    return QueueConfig(urlunsplit(parts._replace(query=rest)), prefix)


def require_shared_store(role: str, database_url: str) -> None:
    """Roles on several machines share one store: SQLite (a local file) cannot be it."""
    backend = make_url(database_url).get_backend_name()
    if backend != "postgresql":
        raise ScaleError(
            f"the {role} role needs PostgreSQL shared by every machine, but the store is {backend} "
            f"({database_url}); set RIVALWATCH_DATABASE_URL=postgresql://USER@HOST/DB "
            "(or run everything in one process: serve --role all)"
        )
