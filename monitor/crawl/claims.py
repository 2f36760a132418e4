"""Due watches claimed atomically, with a lease: two crawls over one store never check a watch twice.

A claim is two columns on the watch (`claimed_by`, `claimed_until`). `claim_due` sets both on the due
watches nobody holds (or whose holder's lease ran out) in one statement, and returns their ids:
- PostgreSQL: `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING id`, so two
  claimers running at the same instant each take rows the other did not lock;
- SQLite: the same single `UPDATE ... RETURNING`; SQLite takes its write lock before the statement
  reads, so the statement is atomic among processes (the connection waits on `busy_timeout`).
  Call it before anything else reads in the transaction (a read first would pin a snapshot that
  cannot be upgraded to a write once another process committed: SQLite refuses, it never doubles).

A holder renews its lease while it works (`renew`) and lets go of what it did not finish (`release`);
writing a watch's observation releases that watch. A holder that dies simply lets its lease run
out, or the next run releases its claims at once when it can tell the holder is dead
(`monitor.service.store_ops.recover_interrupted_runs`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from models import Watch

DEFAULT_LEASE = timedelta(minutes=30)


def run_owner(run_id: int) -> str:
    """The claim owner of a crawl run (`run` and `serve` claim under their run's id)."""
    return f"run:{run_id}"


def unclaimed(now: datetime):  # noqa: ANN201  (a SQL clause)
    """Nobody holds the watch at `now`: never claimed, released, or its holder's lease ran out."""
    return or_(Watch.claimed_until.is_(None), Watch.claimed_until <= now)


def claim_due(
    session: Session,
    now: datetime,
    owner: str,
    lease: timedelta = DEFAULT_LEASE,
    limit: int | None = None,
    *,
    force: bool = False,
    kinds: Collection[str] | None = None,
    watch_ids: Collection[int] | None = None,
) -> list[int]:
    """Claim up to `limit` active watches due at `now` (every active one when `force`) that nobody
    holds, for `owner` until `now + lease`. Returns their ids, never-checked and oldest debt first.

    Commits nothing: the claim holds once the caller's transaction commits (on PostgreSQL the rows
    stay locked until then, and a concurrent claimer skips them).
    """
    pick = select(Watch.id).where(Watch.active.is_(True), unclaimed(now))
    if not force:
        pick = pick.where(or_(Watch.next_due_at.is_(None), Watch.next_due_at <= now))
    if kinds is not None:
        pick = pick.where(Watch.kind.in_(list(kinds)))
    if watch_ids is not None:
        pick = pick.where(Watch.id.in_(list(watch_ids)))
    pick = pick.order_by(Watch.next_due_at.is_not(None), Watch.next_due_at, Watch.id)
    if limit is not None:
        pick = pick.limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    claimed = set(
        session.scalars(
            update(Watch)
            .where(Watch.id.in_(pick.scalar_subquery()))
            .values(claimed_by=owner, claimed_until=now + lease)
            .returning(Watch.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed:
        return []
    # RETURNING comes back in no particular order: the due order again, from the claimed rows.
    return [
        i
        for i in session.scalars(
            select(Watch.id)
            .where(Watch.claimed_by == owner)
            .order_by(Watch.next_due_at.is_not(None), Watch.next_due_at, Watch.id)
        )
        if i in claimed
    ]


def renew(session: Session, owner: str, until: datetime) -> int:
    """Extend every claim `owner` still holds to `until`; returns how many."""
    result = session.execute(
        update(Watch)
        .where(Watch.claimed_by == owner)
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount  # type: ignore[attr-defined]


def release(session: Session, owner: str, watch_ids: Collection[int] | None = None) -> int:
    """Let go of `owner`'s claims (only those of `watch_ids` when given); returns how many.

    A watch another owner claimed meanwhile (after this owner's lease ran out) stays theirs.
    """
    query = update(Watch).where(Watch.claimed_by == owner)
    if watch_ids is not None:
        query = query.where(Watch.id.in_(list(watch_ids)))
    result = session.execute(
        query.values(claimed_by=None, claimed_until=None).execution_options(synchronize_session=False)
    )
    return result.rowcount  # type: ignore[attr-defined]
