"""Bring the store in line with the watchlist: competitors and watches upserted, removed ones deactivated.

History of a deactivated watch is kept; putting its URL back in the watchlist reactivates it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Competitor, Watch
from monitor.config import Watchlist


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    deactivated: int


def sync_watchlist(session: Session, watchlist: Watchlist) -> SyncReport:
    competitors = {c.name: c for c in session.scalars(select(Competitor))}
    for cfg in watchlist.competitors:
        row = competitors.get(cfg.name)
        if row is None:
            row = Competitor(name=cfg.name)
            session.add(row)
            competitors[cfg.name] = row
        row.domains, row.tags, row.robots = list(cfg.domains), list(cfg.tags), cfg.robots
    session.flush()

    existing = {(w.kind, w.url): w for w in session.scalars(select(Watch))}
    seen: set[tuple[str, str]] = set()
    added = updated = 0
    for p in watchlist.products:
        key = ("product", p.url)
        seen.add(key)
        comp_name = watchlist.competitor_for(p)
        comp = competitors.get(comp_name)
        if comp is None:
            # A watch whose host matches no configured competitor gets one named after the host.
            comp = Competitor(name=comp_name, domains=[comp_name], tags=[], robots="obey")
            session.add(comp)
            session.flush()
            competitors[comp_name] = comp
        options = {
            "selectors": dict(p.selectors),
            "our_price": str(p.our_price) if p.our_price is not None else None,
            "map_price": str(p.map_price) if p.map_price is not None else None,
            "render": p.render,
            "wait_for": p.wait_for,
            "screenshot": p.screenshot,
        }
        interval = p.interval if p.interval is not None or p.cron else watchlist.settings.default_interval
        row = existing.get(key)
        if row is None:
            row = Watch(kind="product", url=p.url)
            session.add(row)
            added += 1
        elif (row.options, row.label, row.interval_s, row.cron, row.competitor_id, row.tags, row.active) != (
            options,
            p.label,
            interval,
            p.cron,
            comp.id,
            list(p.tags),
            True,
        ):
            updated += 1
        row.label, row.options, row.tags = p.label, options, list(p.tags)
        row.interval_s, row.cron, row.competitor_id, row.active = interval, p.cron, comp.id, True
    deactivated = 0
    for key, row in existing.items():
        if key[0] == "product" and key not in seen and row.active:
            row.active = False
            deactivated += 1
    session.flush()
    return SyncReport(added, updated, deactivated)
