"""The one store writer: every kind's outcomes reach the store through here, in one transaction a batch.

Per batch of outcomes (any kind): the bodies once per content (one query for the hashes already
stored, then one insert that ignores a hash another process stored meanwhile), the observations,
the changes (one constructor, `Change.values_of`), the kind's own rows (`RowPlan`s, parents before
the rows that point at them), the anomaly feed's series states, and each watch's schedule: its
counters, its last error, its validators for conditional requests, and its next run through the one
backoff policy (`monitor.backoff`). Every count goes to Scrapy's `crawler.stats` as well.

Core executemany statements, not the ORM's unit of work: a crawl writes thousands of rows a minute,
and the unit of work would cost more CPU than fetching the pages.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Select, String, Table, any_, bindparam, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models import Body, Change, CrawlRun, Watch
from models.crawl import Observation
from monitor.backoff import next_check_at
from monitor.crawl.claims import DEFAULT_LEASE, release, renew
from monitor.kinds.base import SeriesFeed
from monitor.kinds.outcome import Memory, Outcome, RowPlan

log = logging.getLogger("rivalwatch.writer")

# Pauses between attempts at one batch when the store is busy or away (about 15 s in all).
RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0)


class Counters(Protocol):
    """Scrapy's stats collector (`crawler.stats`), or anything counting the same way."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


class LocalCounters:
    """Counts kept when no crawler is attached (a sink fed by hand: tests, previews)."""

    def __init__(self) -> None:
        self.values: dict[str, float] = defaultdict(float)

    def inc_value(self, key: str, count: float = 1, start: float = 0) -> None:
        self.values[key] = self.values.get(key, start) + count


@dataclass(frozen=True)
class WatchState:
    """A watch's counters right after an outcome, for its row (taken when the outcome is accepted,
    so two checks of one watch in one batch each write what was true after them)."""

    failures: int
    gone: int
    body_hash: str | None
    interval_s: float
    retry_first_s: float

    @classmethod
    def of(cls, memory: Memory) -> WatchState:
        return cls(
            memory.consecutive_failures,
            memory.consecutive_gone,
            memory.body_hash,
            memory.interval_s,
            memory.retry_first_s,
        )


Pending = tuple[Outcome[Any], WatchState]


def watch_values(outcome: Outcome[Any], state: WatchState) -> dict[str, Any]:
    """The watch's row after an outcome: a 404 is not retried sooner (it counts towards "gone")."""
    retrying = state.failures if not outcome.ok and not outcome.gone_hit else 0
    values: dict[str, Any] = {
        "b_id": outcome.watch_id,
        "last_checked_at": outcome.fetched_at,
        "consecutive_failures": state.failures,
        "consecutive_gone": state.gone,
        "next_due_at": next_check_at(
            outcome.fetched_at,
            state.interval_s,
            failures=retrying,
            retry_first=state.retry_first_s,
            retry_after=outcome.retry_after_s,
        ),
    }
    if outcome.ok:
        values.update(
            last_good_at=outcome.fetched_at,
            last_error=None,
            last_body_hash=state.body_hash,
            etag=outcome.etag,
            last_modified=outcome.last_modified,
        )
    else:
        values["last_error"] = outcome.reason
    return values


def insert_ignoring_duplicates(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows whose key another writer may have inserted since we looked: theirs stands."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Here, not at the top: the PostgreSQL dialect costs every SQLite run's start-up ~25 ms.
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(table).on_conflict_do_nothing(), rows)
    elif dialect == "sqlite":
        session.execute(sqlite_insert(table).on_conflict_do_nothing(), rows)
    else:
        session.execute(insert(table), rows)


def _insert_returning_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows that all name the same columns (None stands for NULL) and return their ids in the
    rows' order: a Core statement on the table, not the ORM's bulk insert of its class, which sorts
    every row's values through the mapper first (a fifth of the cost of a row on SQLite)."""
    return list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))


def known_bodies(dialect: str, hashes: set[str]) -> Select[str]:
    """The query for which of `hashes` the store has. On PostgreSQL the hashes go as one array
    (`= ANY(...)`), so the statement's text is the same whatever the batch: psycopg parses a statement
    once and caches it, but only up to 4 KB of text, and `IN` with a batch of hashes is a longer text for
    each count of them, parsed again on every batch (about 3 % of a crawl worker's CPU)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return select(Body.hash).where(
            Body.hash == any_(bindparam("hashes", sorted(hashes), type_=ARRAY(String)))
        )
    return select(Body.hash).where(Body.hash.in_(hashes))


class StoreWriter:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        run_id: int | None,
        competitor_of: dict[int, int | None],
        counters: Counters | None = None,
        *,
        owner: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.session_factory = session_factory
        self.run_id = run_id
        self.competitor_of = competitor_of
        self.counters: Counters = counters or LocalCounters()
        self.write_seconds = 0.0
        # The claims this crawl holds (`monitor.crawl.claims`): released watch by watch as written,
        # the rest renewed once half the lease is spent.
        self.owner = owner
        self.lease = lease
        self._renewed_at: datetime | None = None
        self.retry_pauses: tuple[float, ...] = RETRY_PAUSES

    def write(self, batch: Sequence[Pending], series: SeriesFeed | None = None) -> None:
        """Write a batch in one transaction; raises (writing nothing) when the store refuses it."""
        if not batch:
            return
        started = time.perf_counter()
        for attempt, pause in enumerate((*self.retry_pauses, None)):
            try:
                self._write_once(batch, series)
                break
            except (OperationalError, InterfaceError) as exc:
                # A store that is busy, restarting or briefly unreachable: the same batch again,
                # whole, a little later (a transaction rolled back wrote nothing).
                if pause is None:
                    raise
                log.warning(
                    "store write of %d checks failed (%s); retry %d in %.1fs",
                    len(batch),
                    str(exc.orig or exc).splitlines()[0],
                    attempt + 1,
                    pause,
                )
                time.sleep(pause)
        self.write_seconds += time.perf_counter() - started
        self._count(batch)

    def _write_once(self, batch: Sequence[Pending], series: SeriesFeed | None) -> None:
        with self.session_factory.begin() as session:
            stored = self._bodies(session, batch)
            observation_ids = self._observations(session, batch, stored)
            change_ids = self._changes(session, batch, observation_ids)
            self._kind_rows(session, batch, observation_ids, change_ids)
            if series is not None:
                series.write(session, batch[-1][0].fetched_at)
            self._watches(session, batch)
            self._claims(session, batch)

    # ---- the steps, in the order rows point at each other --------------------------------------
    def _bodies(self, session: Session, batch: Sequence[Pending]) -> set[str]:
        """Store new bodies; returns every hash the batch's observations may point at."""
        blobs: dict[str, tuple[bytes, str | None]] = {}
        wanted: set[str] = set()
        for outcome, _ in batch:
            blobs.update(outcome.bodies)
            if outcome.screenshot:
                blobs.setdefault(Body.hash_of(outcome.screenshot), (outcome.screenshot, "image/png"))
            if outcome.content_hash:
                wanted.add(outcome.content_hash)
        ask = set(blobs) | wanted
        dialect = session.get_bind().dialect.name
        known = set(session.scalars(known_bodies(dialect, ask))) if ask else set()
        new = [
            {
                "hash": digest,
                "size": len(raw),
                "content_type": (ctype or None) and ctype[:200],
                "data": Body.compress(raw),
                "created_at": batch[0][0].fetched_at,
            }
            for digest, (raw, ctype) in blobs.items()
            if digest not in known
        ]
        if new:
            insert_ignoring_duplicates(session, Body.__table__, new)  # type: ignore[arg-type]
        self.counters.inc_value("rivalwatch/bodies/new", len(new))
        self.counters.inc_value("rivalwatch/bodies/known", len(blobs) - len(new))
        return known | {b["hash"] for b in new}

    def _observations(self, session: Session, batch: Sequence[Pending], stored: set[str]) -> list[int]:
        rows = [
            {
                "watch_id": o.watch_id,
                "run_id": self.run_id,
                "fetched_at": o.fetched_at,
                "status": o.status,
                "http_status": o.http_status,
                "elapsed_ms": o.elapsed_ms,
                "error_reason": o.reason,
                "content_hash": o.content_hash if o.content_hash in stored else None,
                "unchanged": o.unchanged,
                "final_url": o.url,
                "screenshot_hash": Body.hash_of(o.screenshot) if o.screenshot else None,
            }
            for o, _ in batch
        ]
        return _insert_returning_ids(session, Observation.__table__, rows)  # type: ignore[arg-type]

    def _changes(
        self, session: Session, batch: Sequence[Pending], observation_ids: list[int]
    ) -> list[list[int]]:
        """Insert every change; returns each outcome's change ids, in its changes' order."""
        rows = []
        for (o, _), obs_id in zip(batch, observation_ids, strict=True):
            for c in o.changes:
                competitor = (
                    c.competitor_id if c.competitor_id is not None else self.competitor_of.get(o.watch_id)
                )
                rows.append(
                    Change.values_of(
                        c,
                        watch_id=o.watch_id,
                        observation_id=obs_id,
                        competitor_id=competitor,
                        run_id=self.run_id,
                        detected_at=o.fetched_at,
                    )
                )
        ids = _insert_returning_ids(session, Change.__table__, rows) if rows else []  # type: ignore[arg-type]
        out, at = [], 0
        for o, _ in batch:
            out.append(ids[at : at + len(o.changes)])
            at += len(o.changes)
        return out

    def _kind_rows(
        self,
        session: Session,
        batch: Sequence[Pending],
        observation_ids: list[int],
        change_ids: list[list[int]],
    ) -> None:
        plans: dict[type, list[tuple[RowPlan, dict[str, Any]]]] = defaultdict(list)
        for (o, _), obs_id, changes in zip(batch, observation_ids, change_ids, strict=True):
            for plan in o.rows:
                values = dict(plan.values)
                columns = plan.model.__table__.columns  # type: ignore[attr-defined]
                if "observation_id" in columns:
                    values["observation_id"] = obs_id
                if "watch_id" in columns:
                    values.setdefault("watch_id", o.watch_id)
                for column, index in plan.change_refs:
                    values[column] = changes[index]
                plans[plan.model].append((plan, values))
        for model, group in plans.items():
            rows = [values for _, values in group]
            if not any(plan.children for plan, _ in group):
                session.execute(insert(model), rows)
                continue
            parent_ids = list(
                session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows)  # type: ignore[attr-defined]
            )
            children: dict[type, list[dict[str, Any]]] = defaultdict(list)
            for (plan, _), parent_id in zip(group, parent_ids, strict=True):
                for child, fk, child_rows in plan.children:
                    children[child].extend({**row, fk: parent_id} for row in child_rows)
            for child, child_rows in children.items():
                if child_rows:
                    session.execute(insert(child), child_rows)

    def _watches(self, session: Session, batch: Sequence[Pending]) -> None:
        # One row per watch (the last outcome wins), grouped by the columns set, for executemany.
        last: dict[int, dict[str, Any]] = {}
        for outcome, state in batch:
            last[outcome.watch_id] = watch_values(outcome, state)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for values in last.values():
            groups[tuple(sorted(values))].append(values)
        table = Watch.__table__
        for columns, rows in groups.items():
            assignments = {k: bindparam(k) for k in columns if k != "b_id"}
            session.execute(update(table).where(table.c.id == bindparam("b_id")).values(assignments), rows)  # type: ignore[attr-defined]

    def _claims(self, session: Session, batch: Sequence[Pending]) -> None:
        if self.owner is None:
            return
        release(session, self.owner, {o.watch_id for o, _ in batch})
        now = batch[-1][0].fetched_at
        if self._renewed_at is None or now - self._renewed_at >= self.lease / 2:
            renew(session, self.owner, now + self.lease)
            if self.run_id is not None:
                session.execute(
                    update(CrawlRun).where(CrawlRun.id == self.run_id).values(lease_until=now + self.lease)
                )
            self._renewed_at = now

    def _count(self, batch: Sequence[Pending]) -> None:
        for outcome, _ in batch:
            self.counters.inc_value(f"rivalwatch/observations/{outcome.status}")
            if outcome.unchanged:
                self.counters.inc_value("rivalwatch/observations/unchanged")
            if outcome.changes:
                self.counters.inc_value("rivalwatch/changes", len(outcome.changes))
