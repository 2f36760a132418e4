"""Who is running: each scheduler, worker and dispatcher writes a heartbeat hash in Redis with a TTL.

`rivalwatch status` lists them (host, pid, role, last heartbeat, what it is doing); a member that
dies simply stops beating and its hash expires after `TTL` seconds. The scheduler also reads them to
find crawl runs that no live worker holds any more (`open_runs`).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import cast

import redis

TTL = 10  # seconds a heartbeat stays without renewal (members beat every 2 s)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Member:
    role: str
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    id: str = ""
    started_at: str = field(default_factory=_now)
    heartbeat_at: str = ""
    doing: str = "starting"  # what it is doing right now, in words
    run_id: int = 0  # the crawl run a worker has open (0: none)
    done: int = 0  # checks (worker), alerts sent (dispatcher), jobs queued (scheduler)

    def __post_init__(self) -> None:
        self.id = self.id or f"{self.role}-{self.host}-{self.pid}-{uuid.uuid4().hex[:6]}"

    def heartbeat_age(self, now: datetime | None = None) -> float:
        beat = datetime.fromisoformat(self.heartbeat_at) if self.heartbeat_at else None
        return ((now or datetime.now(UTC)) - beat).total_seconds() if beat else float("inf")


class Members:
    def __init__(self, client: redis.Redis, prefix: str, ttl: int = TTL) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl

    def _key(self, member_id: str) -> str:
        return f"{self.prefix}:member:{member_id}"

    def beat(self, member: Member) -> None:
        member.heartbeat_at = _now()
        values = {k: str(v) for k, v in asdict(member).items()}
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self._key(member.id), mapping=values)  # type: ignore[arg-type]  (redis-py's mapping type)
        pipe.expire(self._key(member.id), self.ttl)
        pipe.execute()

    def leave(self, member: Member) -> None:
        self.client.delete(self._key(member.id))

    def all(self) -> list[Member]:
        out = []
        for key in self.client.scan_iter(match=self._key("*"), count=500):
            raw = cast(dict[str, str], self.client.hgetall(key))  # decode_responses=True
            if not raw:
                continue  # expired between SCAN and HGETALL
            out.append(
                Member(
                    role=raw.get("role", "?"),
                    host=raw.get("host", "?"),
                    pid=int(raw.get("pid") or 0),
                    id=raw.get("id", ""),
                    started_at=raw.get("started_at", ""),
                    heartbeat_at=raw.get("heartbeat_at", ""),
                    doing=raw.get("doing", ""),
                    run_id=int(raw.get("run_id") or 0),
                    done=int(raw.get("done") or 0),
                )
            )
        return sorted(out, key=lambda m: (m.role, m.host, m.pid))

    def open_runs(self) -> set[int]:
        """Crawl runs that live workers hold open."""
        return {m.run_id for m in self.all() if m.run_id}
