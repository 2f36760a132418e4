"""The running service's heartbeat: a small JSON file `rivalwatch status` reads to report on it.

Written atomically (write + rename) every tick. Where: beside a SQLite store (`<db>.service.json`),
else `var/rivalwatch-service.json` (override: RIVALWATCH_SERVICE_STATE). A heartbeat older than
`STALE_AFTER` seconds, or naming a pid that is gone, means no service is running.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from models.db import database_url as resolve

STALE_AFTER = 30.0


@dataclass
class ServiceState:
    pid: int = field(default_factory=os.getpid)
    host: str = field(default_factory=socket.gethostname)
    config: str = ""
    started_at: str = ""
    heartbeat_at: str = ""
    status: str = "starting"  # starting | running | stopping | stopped
    watches: int = 0
    queue_depth: int = 0  # due now and waiting for a crawl
    in_flight: int = 0  # watches being crawled right now
    crawls_running: int = 0
    crawls_done: int = 0
    last_crawl_at: str | None = None
    last_run_id: int | None = None
    outbox_pending: int = 0
    last_dispatch_at: str | None = None
    last_reload_at: str | None = None
    last_reload_error: str | None = None
    last_report_at: str | None = None
    lag_p50: float = 0.0
    lag_p95: float = 0.0
    lag_max: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def heartbeat_age(self, now: datetime | None = None) -> float | None:
        if not self.heartbeat_at:
            return None
        now = now or datetime.now(UTC)
        return (now - datetime.fromisoformat(self.heartbeat_at)).total_seconds()

    def alive(self, now: datetime | None = None) -> bool:
        """Heartbeat fresh, status not stopped, and (on this host) the process exists."""
        age = self.heartbeat_age(now)
        if age is None or age > STALE_AFTER or self.status == "stopped":
            return False
        if self.host == socket.gethostname():
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
        return True


def state_path(database_url: str | None) -> Path:
    """Where the heartbeat of a service using this store lives."""
    override = os.environ.get("RIVALWATCH_SERVICE_STATE")
    if override:
        return Path(override)


    url = make_url(resolve(database_url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database)
        return db.with_name(db.name + ".service.json")
    return Path("var") / "rivalwatch-service.json"


def write_state(path: Path, state: ServiceState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(state), indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)


def read_state(path: Path) -> ServiceState | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    known = {k: v for k, v in data.items() if k in ServiceState.__dataclass_fields__}
    return ServiceState(**known)
