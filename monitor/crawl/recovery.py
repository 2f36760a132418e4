"""Recovery of crawl runs whose process died mid-crawl, whatever started them (`run`, `serve`, a worker).

A run records the host and pid of its process, and a lease it renews with every batch it writes. A
run still "running" is dead when its process is gone (same host: the pid no longer runs) or, seen
from another host, when its lease ran out. Its observations and changes were committed batch by
batch; here their alerts are queued (`enqueue_run_alerts` skips what was already queued, so nothing
goes out twice), its claims are let go, and it is closed "interrupted".
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import CrawlRun
from models.crawl import Observation
from monitor.crawl.claims import release, run_owner


@dataclass(frozen=True)
class Recovered:
    run_id: int
    observations: int
    alerts_queued: int


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    try:  # a zombie (exited, not yet reaped) is dead too
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def run_is_dead(run: CrawlRun, now: datetime, host: str | None = None) -> bool:
    """Whether a "running" run's process is gone (see the module doc). A run of this very process is
    alive; a run from before runs recorded their process (no pid) is taken for dead."""
    host = host or socket.gethostname()
    if run.pid is None:
        return True
    if run.host == host:
        return run.pid != os.getpid() and not pid_alive(run.pid)
    return run.lease_until is not None and run.lease_until < now


def close_interrupted(session: Session, run: CrawlRun, watchlist, now: datetime) -> Recovered:  # noqa: ANN001
    """Queue a dead run's alerts, let go of its claims, count what it stored, close it."""
    from alerts.outbox import enqueue_run_alerts  # the alert stack only when a run is to be closed

    queued = (
        enqueue_run_alerts(session, run.id, watchlist, now=now)
        if watchlist.channels and watchlist.rules
        else 0
    )
    release(session, run_owner(run.id))
    counts = dict(
        session.execute(
            select(Observation.status, func.count())
            .where(Observation.run_id == run.id)
            .group_by(Observation.status)
        ).all()
    )
    run.ok, run.failed = counts.get("ok", 0), counts.get("failed", 0)
    run.status, run.finished_at = "interrupted", now
    return Recovered(run.id, run.ok + run.failed, queued)


def recover_interrupted_runs(
    session: Session,
    watchlist,  # noqa: ANN001
    now: datetime,
    run_ids: set[int] | None = None,
) -> list[Recovered]:
    """Every run left "running" by a process that died: its alerts queued, its claims released, closed.

    `run_ids`: runs already known dead (the scheduler of a scaled-out deployment knows a worker died
    when its heartbeat stops, before the run's own lease runs out); only those are closed."""
    query = select(CrawlRun).where(CrawlRun.status == "running").order_by(CrawlRun.id)
    if run_ids is not None:
        return [
            close_interrupted(session, run, watchlist, now)
            for run in session.scalars(query.where(CrawlRun.id.in_(run_ids)))
        ]
    return [
        close_interrupted(session, run, watchlist, now)
        for run in session.scalars(query)
        if run_is_dead(run, now)
    ]
