"""What a page-content watch saw: the filtered text of each good observation, and each stored diff.

The text itself is kept in `bodies` under its hash (zlib, once per distinct text), so a page that
did not change costs one small row per check.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class PageText(Base):
    __tablename__ = "page_texts"
    __table_args__ = (Index("ix_page_texts_watch_time", "watch_id", "observed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"))
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"), unique=True)
    observed_at: Mapped[datetime] = mapped_column(default=utcnow)
    text_hash: Mapped[str] = mapped_column(ForeignKey("bodies.hash"))
    lines: Mapped[int] = mapped_column(default=0)
    # Fingerprint of the filters that produced the text: a filter edit re-baselines, it is no change.
    filter_key: Mapped[str] = mapped_column(String(64))


class PageDiff(Base):
    """The line diff of one content change: what `rivalwatch diff WATCH` shows."""

    __tablename__ = "page_diffs"
    __table_args__ = (Index("ix_page_diffs_watch_time", "watch_id", "observed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"))
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"), index=True)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id"))
    observed_at: Mapped[datetime] = mapped_column(default=utcnow)
    old_text_hash: Mapped[str | None] = mapped_column(ForeignKey("bodies.hash"))
    new_text_hash: Mapped[str] = mapped_column(ForeignKey("bodies.hash"))
    added_lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    removed_lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    unified: Mapped[str] = mapped_column(Text, default="")
