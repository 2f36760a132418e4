"""What is watched: competitors and their watches (the unit users think in)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, utcnow


class Competitor(Base):
    __tablename__ = "competitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    robots: Mapped[str] = mapped_column(String(10), default="obey")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    watches: Mapped[list[Watch]] = relationship(back_populates="competitor")


class Watch(Base):
    """One thing checked on a schedule: a product page, a listing, a site, a page, a keyword on an engine."""

    __tablename__ = "watches"
    __table_args__ = (UniqueConstraint("kind", "url", name="uq_watches_kind_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="product", index=True)
    url: Mapped[str] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(String(300))
    competitor_id: Mapped[int | None] = mapped_column(ForeignKey("competitors.id"), index=True)
    # Everything the crawler and the rules need that the user configured (selectors, our price, render...).
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    interval_s: Mapped[float | None]
    cron: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    # Set from the dashboard, not the watchlist (a reload keeps them): a paused watch is never due, a
    # muted one is checked and its changes stored, but it queues no alerts until muted_until.
    paused: Mapped[bool] = mapped_column(default=False, server_default="0")
    muted_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    last_checked_at: Mapped[datetime | None]
    last_good_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    consecutive_gone: Mapped[int] = mapped_column(default=0)
    # Validators for conditional requests: the server's ETag / Last-Modified of the last good body.
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_body_hash: Mapped[str | None] = mapped_column(String(64))
    # Who is checking it now, and until when (`monitor.crawl.claims`): overlapping runs never share a watch.
    claimed_by: Mapped[str | None] = mapped_column(String(100), index=True)
    claimed_until: Mapped[datetime | None]

    competitor: Mapped[Competitor | None] = relationship(back_populates="watches")


def due_watches(session: Session, now: datetime, *, force: bool = False, kind: str | None = None) -> list[Watch]:
    """Active, unpaused watches due at `now` (all of them when `force`), never-checked and oldest debt first."""
    query = select(Watch).where(Watch.active.is_(True), Watch.paused.is_(False))
    if kind is not None:
        query = query.where(Watch.kind == kind)
    if not force:
        query = query.where(or_(Watch.next_due_at.is_(None), Watch.next_due_at <= now))
    return list(session.scalars(query.order_by(Watch.next_due_at.is_not(None), Watch.next_due_at, Watch.id)))
