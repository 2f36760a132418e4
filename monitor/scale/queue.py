"""The queue of due watches: a Redis Stream read by the workers' consumer group (redis-py).

At-least-once with acknowledgements: the scheduler adds one entry per (watch, due time) — the
`ENQUEUE` script adds it only if that pair was not queued already; a worker reads entries with
XREADGROUP, which makes them pending on that worker, and acknowledges (XACK, then XDEL so the stream
holds only what is not done) once the checks are stored. While it crawls, a worker touches its
entries (XCLAIM to itself) so they stay young; the entries of a worker that died grow idle and,
after `lease` seconds, another worker takes them over with XAUTOCLAIM. A redelivered entry is
checked once: the worker compares its due time with the watch's (`Job.still_due`), and a watch
checked meanwhile has moved on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import redis

GROUP = "workers"
LINGER = 0.1  # seconds a read waits for more entries after the first arrived

# KEYS: the pair's marker, the stream. ARGV: marker TTL (s), watch id, due time.
ENQUEUE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', 'watch', ARGV[2], 'due', ARGV[3])
end
return false
"""


def due_text(due_at: datetime | None) -> str:
    """A due time as the queue writes it: UTC ISO 8601, or "new" for a watch never checked."""
    if due_at is None:
        return "new"
    if due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=UTC)
    return due_at.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class Job:
    message_id: str
    watch_id: int
    due: str  # due_text of the watch's due time when it was queued

    def still_due(self, next_due_at: datetime | None) -> bool:
        """The watch has not been checked since this job was queued (its due time has not moved)."""
        return due_text(next_due_at) == self.due


class WatchQueue:
    def __init__(self, client: redis.Redis, prefix: str, marker_ttl: int = 6 * 3600) -> None:
        self.client = client
        self.prefix = prefix
        self.stream = f"{prefix}:due"
        self.marker_ttl = marker_ttl
        self._enqueue = client.register_script(ENQUEUE)

    def _marker(self, watch_id: int, due: str) -> str:
        return f"{self.prefix}:queued:{watch_id}:{due}"

    def ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def enqueue(self, due: list[tuple[int, datetime | None]]) -> int:
        """Queue each (watch id, due time) not queued yet; returns how many were added."""
        pipe = self.client.pipeline(transaction=False)
        for watch_id, due_at in due:
            text = due_text(due_at)
            self._enqueue(
                keys=[self._marker(watch_id, text), self.stream],
                args=[self.marker_ttl, watch_id, text],
                client=pipe,
            )
        return sum(1 for r in pipe.execute() if r)

    def read(self, consumer: str, count: int, block_ms: int | None, lease_ms: int) -> list[Job]:
        """Up to `count` jobs for `consumer`: first those a dead worker held past the lease, then new ones
        (waiting up to `block_ms` for the first; None: not at all)."""
        _next, claimed, *_deleted = self.client.xautoclaim(
            self.stream, GROUP, consumer, min_idle_time=lease_ms, start_id="0-0", count=count
        )
        entries = [e for e in claimed if e and e[1]]
        block: int | None = None if entries else block_ms
        for _ in range(2):
            if len(entries) >= count:
                break
            reply = self.client.xreadgroup(
                GROUP, consumer, {self.stream: ">"}, count=count - len(entries), block=block
            )
            fresh = [e for _stream, got in cast(list[tuple[str, list[Any]]], reply or []) for e in got]
            if not fresh:
                break
            entries.extend(fresh)
            if block is None:  # a read that did not wait: what it found was queued already
                break
            # The first entry of a pass wakes a blocked read: wait a moment for the rest of the pass,
            # so a crawl starts with a full batch rather than one watch.
            time.sleep(LINGER)
            block = None
        return [Job(mid, int(fields["watch"]), fields["due"]) for mid, fields in entries]

    def touch(self, consumer: str, jobs: list[Job]) -> None:
        """Still working on these: reset their idle time so no other worker takes them over."""
        if jobs:
            self.client.xclaim(
                self.stream,
                GROUP,
                consumer,
                min_idle_time=0,
                message_ids=[j.message_id for j in jobs],
                justid=True,
            )

    def done(self, jobs: list[Job]) -> None:
        """Acknowledge and drop: the stream keeps only what is waiting or being worked on."""
        if not jobs:
            return
        ids = [j.message_id for j in jobs]
        pipe = self.client.pipeline(transaction=True)
        pipe.xack(self.stream, GROUP, *ids)
        pipe.xdel(self.stream, *ids)
        pipe.delete(*(self._marker(j.watch_id, j.due) for j in jobs))
        pipe.execute()

    def depth(self) -> int:
        """Jobs waiting or in progress."""
        return int(self.client.xlen(self.stream))

    def lag(self, now: float | None = None) -> float:
        """Seconds the oldest job has been in the queue (0 when it is empty)."""
        oldest = self.client.xrange(self.stream, count=1)
        if not oldest:
            return 0.0
        added_ms = int(str(oldest[0][0]).split("-", 1)[0])
        return max(0.0, (now or time.time()) - added_ms / 1000)
