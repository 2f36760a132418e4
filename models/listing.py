"""What a listing page showed: one snapshot per good observation of a listing watch, and its cards.

A listing watch is one observation per crawl however many pages it read; the snapshot holds the
merged, ordered cards of all of them, so "what did the category look like on Tuesday" is one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, ObservedAtRow


class ListingSnapshot(ObservedAtRow, Base):
    __tablename__ = "listing_snapshots"

    item_count: Mapped[int] = mapped_column(default=0)
    pages_fetched: Mapped[int] = mapped_column(default=1)
    # Why the crawl stopped: last_page, max_pages, no_results, ... (max_pages: there may be more).
    stop_reason: Mapped[str | None] = mapped_column(String(40))
    # SHA-256 of each page body read, in order (the bodies themselves are in `bodies`).
    page_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)

    items: Mapped[list[ListingSnapshotItem]] = relationship(
        back_populates="snapshot", order_by="ListingSnapshotItem.position"
    )


class ListingSnapshotItem(Base):
    """One product card, in page order across all pages (`position` starts at 1)."""

    __tablename__ = "listing_snapshot_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("listing_snapshots.id"), index=True)
    position: Mapped[int]
    url: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(10))
    sponsored: Mapped[bool] = mapped_column(default=False)

    snapshot: Mapped[ListingSnapshot] = relationship(back_populates="items")


def latest_items(session: Session, watch_ids: Iterable[int]) -> dict[int, list[ListingSnapshotItem]]:
    """Each watch's cards of its latest snapshot, in order: one query for the snapshots, one for the cards."""
    ids = list(watch_ids)
    if not ids:
        return {}
    latest: dict[int, int] = {}
    for watch_id, snap_id in session.execute(
        select(ListingSnapshot.watch_id, ListingSnapshot.id)
        .where(ListingSnapshot.watch_id.in_(ids))
        .order_by(ListingSnapshot.watch_id, ListingSnapshot.id)
    ):
        latest[watch_id] = snap_id
    items: dict[int, list[ListingSnapshotItem]] = {snap: [] for snap in latest.values()}
    if latest:
        rows = session.scalars(
            select(ListingSnapshotItem)
            .where(ListingSnapshotItem.snapshot_id.in_(list(latest.values())))
            .order_by(ListingSnapshotItem.snapshot_id, ListingSnapshotItem.position)
        )
        for row in rows:
            items[row.snapshot_id].append(row)
    return {watch_id: items[snap] for watch_id, snap in latest.items()}
