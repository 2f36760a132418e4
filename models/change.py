"""What moved: changes detected between two good observations, written with the observation."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

FIELD_MAX = 40  # `field` is String(40): a long name (a domain) is cut; `details` keep it whole


class DetectedLike(Protocol):
    """What a detector's change record carries (monitor.changes.record.DetectedChange)."""

    @property
    def kind(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def field(self) -> str | None: ...
    @property
    def old(self) -> str | None: ...
    @property
    def new(self) -> str | None: ...
    @property
    def magnitude(self) -> float | None: ...
    @property
    def details(self) -> dict[str, Any]: ...


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_detected", "detected_at"),
        # the change feed by competitor (dashboard, API): the change's own competitor, newest first
        Index("ix_changes_competitor_detected", "competitor_id", "detected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"), index=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"), index=True)
    competitor_id: Mapped[int | None] = mapped_column(ForeignKey("competitors.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(40))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    magnitude: Mapped[float | None]
    anomaly_score: Mapped[float | None]
    anomaly_explanation: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    @staticmethod
    def values_of(
        change: DetectedLike,
        *,
        watch_id: int,
        observation_id: int,
        competitor_id: int | None,
        run_id: int | None,
        detected_at: datetime,
    ) -> dict[str, Any]:
        """The row for a detected change; the anomaly score rides in its details when one was computed."""
        details = dict(change.details)
        return {
            "watch_id": watch_id,
            "observation_id": observation_id,
            "competitor_id": competitor_id,
            "run_id": run_id,
            "detected_at": detected_at,
            "kind": change.kind,
            "summary": change.summary,
            "field": (change.field or "")[:FIELD_MAX] or None,
            "old": change.old,
            "new": change.new,
            "magnitude": change.magnitude,
            "anomaly_score": details.get("anomaly_score"),
            "anomaly_explanation": details.get("anomaly_explanation"),
            "details": details,
        }
