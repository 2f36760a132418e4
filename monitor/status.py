"""Queries behind `rivalwatch status`: per-watch state and overall health. Functions that return data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import AlertDelivery, Competitor, CrawlRun, ProductState, Watch


@dataclass(frozen=True)
class WatchRow:
    watch_id: int
    competitor: str
    label: str
    last_checked_at: datetime | None
    next_due_at: datetime | None
    value: str | None
    last_error: str | None
    failures: int


@dataclass(frozen=True)
class Health:
    watches: int
    failing: int
    due: int
    last_run_at: datetime | None
    pending: int
    failed_alerts: int
    sent: int


def watch_rows(session: Session) -> list[WatchRow]:
    names = {c.id: c.name for c in session.scalars(select(Competitor))}
    latest_ids = select(func.max(ProductState.id)).group_by(ProductState.watch_id).scalar_subquery()
    states = {
        s.watch_id: s for s in session.scalars(select(ProductState).where(ProductState.id.in_(latest_ids)))
    }
    rows = []
    for w in session.scalars(
        select(Watch).where(Watch.active.is_(True)).order_by(Watch.competitor_id, Watch.id)
    ):
        s = states.get(w.id)
        value = None
        if s is not None:
            price = (
                f"{s.price.normalize():f} {s.currency or ''}".strip() if s.price is not None else "no price"
            )
            value = f"{price} · {s.availability or '?'}"
        rows.append(
            WatchRow(
                w.id,
                names.get(w.competitor_id, "-"),
                w.label or w.url,
                w.last_checked_at,
                w.next_due_at,
                value,
                w.last_error,
                w.consecutive_failures,
            )
        )
    return rows


def health(session: Session, now: datetime) -> Health:
    active = Watch.active.is_(True)
    count = lambda q: session.scalar(q) or 0  # noqa: E731
    outbox = dict(
        session.execute(select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)).all()
    )
    return Health(
        watches=count(select(func.count()).select_from(Watch).where(active)),
        failing=count(select(func.count()).select_from(Watch).where(active, Watch.last_error.is_not(None))),
        due=count(
            select(func.count())
            .select_from(Watch)
            .where(active, or_(Watch.next_due_at.is_(None), Watch.next_due_at <= now))
        ),
        last_run_at=session.scalar(select(func.max(CrawlRun.started_at))),
        pending=outbox.get("pending", 0) + outbox.get("sending", 0),
        failed_alerts=outbox.get("failed", 0),
        sent=outbox.get("sent", 0),
    )
