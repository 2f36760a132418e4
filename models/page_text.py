"""What a page-content watch saw: the filtered text of each good observation, and each stored diff.

The text itself is kept in `bodies` under its hash (zlib, once per distinct text), so a page that
did not change costs one small row per check.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, ObservedAtRow, utcnow
from models.crawl import Body


class PageText(ObservedAtRow, Base):
    __tablename__ = "page_texts"

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


def latest_texts(session: Session, watch_ids: Iterable[int]) -> dict[int, tuple[PageText, str]]:
    """Each watch's latest text row and the text itself (one query per table for all watches)."""
    ids = list(watch_ids)
    if not ids:
        return {}
    latest: dict[int, PageText] = {
        t.watch_id: t
        for t in session.scalars(
            select(PageText).where(PageText.watch_id.in_(ids)).order_by(PageText.watch_id, PageText.id)
        )
    }
    hashes = {t.text_hash for t in latest.values()}
    texts = {b.hash: b.raw().decode() for b in session.scalars(select(Body).where(Body.hash.in_(hashes)))}
    return {w: (t, texts[t.text_hash]) for w, t in latest.items() if t.text_hash in texts}
