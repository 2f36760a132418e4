"""What a product page said: one row per good observation whose content was new."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, ObservedRow, utcnow


class ProductState(ObservedRow, Base):
    __tablename__ = "product_states"
    __table_args__ = (Index("ix_product_states_watch_time", "watch_id", "observed_at"),)

    observed_at: Mapped[datetime] = mapped_column(default=utcnow)
    price: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(10))
    availability: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(Text)
    sku: Mapped[str | None] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(200))
    # What the catalogue's matching reads (monitor.kinds.product.identifiers): GTIN-14 digits, the
    # manufacturer's part number, and the shipping cost where the page states one.
    gtin: Mapped[str | None] = mapped_column(String(14))
    mpn: Mapped[str | None] = mapped_column(String(200))
    shipping: Mapped[Decimal | None]
    shipping_currency: Mapped[str | None] = mapped_column(String(10))
    sources: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


def latest_states(
    session: Session, watch_ids: Iterable[int], *, priced: bool = False
) -> dict[int, ProductState]:
    """Each watch's latest state (with a price, when `priced`), one query for all of them."""
    ids = list(watch_ids)
    if not ids:
        return {}
    query = select(ProductState).where(ProductState.watch_id.in_(ids))
    if priced:
        query = query.where(ProductState.price.is_not(None))
    rows = session.scalars(query.order_by(ProductState.watch_id, ProductState.id))
    return {row.watch_id: row for row in rows}
