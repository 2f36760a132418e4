"""Streaming anomaly-model state per series (e.g. one product's price), so each new point is scored
from the past only without replaying the history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class SeriesState(Base):
    __tablename__ = "series_states"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # e.g. "price:42"
    watch_id: Mapped[int | None] = mapped_column(ForeignKey("watches.id"), index=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_value: Mapped[float | None]
    last_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
