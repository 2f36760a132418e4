"""Bring the store in line with the watchlist: competitors and watches upserted, removed ones deactivated.

Done when a process starts (`run`, `serve`, the demo) and when the service reloads its watchlist,
never per crawl. History of a deactivated watch is kept; putting its URL back reactivates it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Competitor, Watch
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
        row.domains, row.tags, row.robots = list(cfg.domains), list(cfg.tags), cfg.robots
    session.flush()
    return competitors


def sync_watchlist(session: Session, watchlist: Watchlist) -> SyncReport:
    competitors = _competitors(session, watchlist)
    existing = {(w.kind, w.url): w for w in session.scalars(select(Watch))}
    seen: set[tuple[str, str]] = set()
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
        row = existing.get(key)
        wanted = (spec.options, spec.label, spec.interval_s, spec.cron, comp_id, list(spec.tags), True)
        if row is None:
            row = Watch(kind=spec.kind, url=spec.url)
            session.add(row)
            added += 1
        elif (row.options, row.label, row.interval_s, row.cron, row.competitor_id, row.tags, row.active) != wanted:
            updated += 1
        else:
            continue  # as the watchlist says already: no UPDATE (a new dict marks a JSON column changed)
        row.label, row.options, row.tags = spec.label, dict(spec.options), list(spec.tags)
        row.interval_s, row.cron, row.competitor_id, row.active = spec.interval_s, spec.cron, comp_id, True
    deactivated = 0
    for key, row in existing.items():
        if key not in seen and row.active:
            row.active = False
            deactivated += 1
    session.flush()
    return SyncReport(added, updated, deactivated)
