"""Only one scheduler acts at a time: a Redis lock with a lease (redis-py's `Lock`: SET NX PX, renewed).

The scheduler that holds the lock renews it every tick; one that dies stops renewing, the lease runs
out, and a standby scheduler's next attempt takes the lock over. A holder that finds its lock lost
(a pause longer than the lease) stops acting until it wins the lock again.
"""

from __future__ import annotations

import redis
from redis.exceptions import LockError


class Leadership:
    def __init__(self, client: redis.Redis, prefix: str, lease: float) -> None:
        self._lock = client.lock(f"{prefix}:scheduler", timeout=lease, blocking=False, thread_local=False)
        self.leading = False

    def hold(self) -> tuple[bool, bool]:
        """Renew the lease when we hold it, try to take it when we do not: (leading, just won it)."""
        if self.leading:
            try:
                self._lock.reacquire()
                return True, False
            except LockError:
                self.leading = False
        self.leading = bool(self._lock.acquire(blocking=False))
        return self.leading, self.leading

    def release(self) -> None:
        if self.leading:
            try:
                self._lock.release()
            except LockError:
                pass
            self.leading = False
