"""Bring the store in line with the watchlist: competitors and watches upserted, removed ones deactivated.

Done when a process starts (`run`, `serve`, the demo) and when the service reloads its watchlist,
never per crawl. History of a deactivated watch is kept; putting its URL back reactivates it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import Competitor, Watch
from monitor.kinds.base import WatchSpec
from monitor.watchlist import Watchlist


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    deactivated: int


def _competitors(session: Session, watchlist: Watchlist) -> dict[str, Competitor]:
    competitors = {c.name: c for c in session.scalars(select(Competitor))}
    for cfg in watchlist.competitors:
        row = competitors.get(cfg.name)
        if row is None:
            row = Competitor(name=cfg.name)
            session.add(row)
            competitors[cfg.name] = row
        wanted = (list(cfg.domains), list(cfg.tags), cfg.robots)
        if (row.domains, row.tags, row.robots) != wanted:
            # Assigned only when it differs: a new list marks a JSON column changed, and an UPDATE of
            # every competitor on every start is a write (and a SQLite lock) for nothing.
            row.domains, row.tags, row.robots = wanted
    session.flush()
    return competitors


def sync_watchlist(session: Session, watchlist: Watchlist) -> SyncReport:
    competitors = _competitors(session, watchlist)
    # The store's watches as plain rows, not ORM objects: a watchlist as the store has it already
    # (every `run` and `serve` start) then costs one SELECT and no identity map; only the watches to
    # change are loaded as objects.
    stored = {
        (kind, url): (watch_id, (options, label, interval_s, cron, competitor_id, tags, active))
        for watch_id, kind, url, options, label, interval_s, cron, competitor_id, tags, active in session.execute(
            select(
                Watch.id,
                Watch.kind,
                Watch.url,
                Watch.options,
                Watch.label,
                Watch.interval_s,
                Watch.cron,
                Watch.competitor_id,
                Watch.tags,
                Watch.active,
            )
        )
    }
    seen: set[tuple[str, str]] = set()
    to_write: list[tuple[int | None, WatchSpec, int | None]] = []
    added = updated = 0
    for spec in watchlist.watch_specs():
        key = (spec.kind, spec.url)
        seen.add(key)
        comp = None
        if spec.competitor:
            comp = competitors.get(spec.competitor)
            if comp is None:
                # A watch whose host matches no configured competitor gets one named after the host.
                comp = Competitor(name=spec.competitor, domains=[spec.competitor], tags=[], robots="obey")
                session.add(comp)
                session.flush()
                competitors[spec.competitor] = comp
        comp_id = comp.id if comp else None
        row = stored.get(key)
        wanted = (spec.options, spec.label, spec.interval_s, spec.cron, comp_id, list(spec.tags), True)
        if row is None:
            added += 1
        elif row[1] != wanted:
            updated += 1
        else:
            continue  # as the watchlist says already: no UPDATE (a new dict marks a JSON column changed)
        to_write.append((row[0] if row else None, spec, comp_id))
    gone = [watch_id for key, (watch_id, values) in stored.items() if key not in seen and values[-1]]
    loaded = _watches(session, [watch_id for watch_id, _, _ in to_write if watch_id is not None] + gone)
    new_rows = []
    for watch_id, spec, comp_id in to_write:
        values = {
            "label": spec.label,
            "options": dict(spec.options),
            "tags": list(spec.tags),
            "interval_s": spec.interval_s,
            "cron": spec.cron,
            "competitor_id": comp_id,
            "active": True,
        }
        if watch_id is None:
            new_rows.append({"kind": spec.kind, "url": spec.url, **values})
        else:
            for name, value in values.items():
                setattr(loaded[watch_id], name, value)
    for watch_id in gone:
        loaded[watch_id].active = False
    session.flush()
    if new_rows:
        # New watches in one executemany, not one ORM object each: a first run of a 2,000-watch
        # watchlist spent most of its sync building and flushing them.
        session.execute(insert(Watch), new_rows)
    return SyncReport(added, updated, len(gone))


def _watches(session: Session, ids: list[int]) -> dict[int, Watch]:
    """The watches of these ids as ORM objects, fetched in chunks (a bound parameter each)."""
    found: dict[int, Watch] = {}
    for start in range(0, len(ids), 500):
        for watch in session.scalars(select(Watch).where(Watch.id.in_(ids[start : start + 500]))):
            found[watch.id] = watch
    return found
