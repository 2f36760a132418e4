"""The alert outbox: every delivery is written here before it is sent, and marked after.

A digest channel's window (`Channel.every` / `Channel.at`) is one delivery row that collects the
window's changes until `window_end`; `revision` counts its appends, so an append and a claim that
raced are told apart (each is a conditional UPDATE on it). Which change went to which channel is
kept in `alert_delivery_changes`, unique per (change, channel): a change alerts a channel once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class AlertDelivery(Base):
    """One message to one channel. `dedup_key` is unique: a change alerts a channel once."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
        Index("ix_alert_deliveries_window", "channel", "window_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str | None] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(10), default="warning")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    change_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    body_format: Mapped[str] = mapped_column(String(10), default="text")  # text | markdown | html
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A digest window: the row collects changes until window_end (None: an immediate or per-run message).
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(default=0, server_default="0")


class AlertDeliveryChange(Base):
    """A change routed to a channel, and the delivery that carries it (one per change and channel)."""

    __tablename__ = "alert_delivery_changes"
    __table_args__ = (UniqueConstraint("change_id", "channel", name="uq_alert_delivery_changes_change_channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("alert_deliveries.id"), index=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"))
    channel: Mapped[str] = mapped_column(String(200))
