"""What a product page said: one row per good observation whose content was new."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Row, Select, String, Text, func, select, union
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, ObservedAtRow


class ProductState(ObservedAtRow, Base):
    __tablename__ = "product_states"

    price: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(10))
    availability: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(Text)
    sku: Mapped[str | None] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(200))
    # What the catalogue's matching reads (spiders.extract.product_identifiers): GTIN-14 digits, the
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
    rows = session.scalars(select(ProductState).where(ProductState.id.in_(_newest_ids(ids, priced=priced))))
    return {row.watch_id: row for row in rows}


def latest_and_priced(
    session: Session, watch_ids: Iterable[int]
) -> tuple[dict[int, Row[Any]], dict[int, Row[Any]]]:
    """`latest_states` and `latest_states(priced=True)` in one query: the two are most often the same
    row, so each row is loaded once, and only each watch's newest rows are read, not its history.
    Plain rows with the state's columns as attributes, read only: a crawl plan reads thousands, and
    building ORM objects for them took most of a crawl's planning."""
    ids = list(watch_ids)
    if not ids:
        return {}, {}
    newest = union(_newest_ids(ids, priced=False), _newest_ids(ids, priced=True))
    latest: dict[int, Row[Any]] = {}
    priced: dict[int, Row[Any]] = {}
    columns = ProductState.__table__.columns
    rows = session.execute(select(*columns).where(ProductState.id.in_(newest)).order_by(ProductState.id))
    for row in rows:  # ascending id: the newest row of each watch comes last and wins
        latest[row.watch_id] = row
        if row.price is not None:
            priced[row.watch_id] = row
    return latest, priced


def _newest_ids(ids: list[int], *, priced: bool) -> Select[int]:
    """The id of each watch's newest state (with a price, when `priced`): ids grow with time, as in
    the watch's history order."""
    query = select(func.max(ProductState.id)).where(ProductState.watch_id.in_(ids))
    if priced:
        query = query.where(ProductState.price.is_not(None))
    return query.group_by(ProductState.watch_id)
