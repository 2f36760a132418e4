"""Our own catalogue and where each product of ours stands: our products (from the watchlist, a CSV or a
product feed), their price history, the match of each competitor product watch to one of ours, the
exchange rates, every competitor price converted into the catalogue's currency, and the price matrix
(one cell per matched watch, one summary per product of ours) that the matrix rules compare against.

Not to be confused with `models.catalog` (competitors and their watches). The queries the CLI, the
report and the web share are in `models.catalogue_queries`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

# Exchange rates keep more digits than money: 1 EUR = 0.85870 GBP, 161.45 JPY, 17,845.32 IDR.
Rate = Numeric(24, 10, asdecimal=True)


class OurProduct(Base):
    """A product we sell; `sku` is its identity. Never deleted: a product dropped by its source is
    made inactive, so its history and its matches stay."""

    __tablename__ = "our_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(Text)
    brand: Mapped[str | None] = mapped_column(String(200))
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)  # GTIN-14 digits (EAN/UPC/ISBN padded)
    mpn: Mapped[str | None] = mapped_column(String(200))
    price: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3))
    map_price: Mapped[Decimal | None]
    cost_floor: Mapped[Decimal | None]
    category: Mapped[str | None] = mapped_column(String(300))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    availability: Mapped[str | None] = mapped_column(String(20))  # schema.org term; None: not said
    url: Mapped[str | None] = mapped_column(Text)  # our own product page
    source: Mapped[str] = mapped_column(String(300))  # "watchlist", or the import's name
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OurPriceHistory(Base):
    """One row each time our price, MAP, cost floor or stock changed (and when the product appeared)."""

    __tablename__ = "our_price_history"
    __table_args__ = (Index("ix_our_price_history_product_time", "our_product_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    our_product_id: Mapped[int] = mapped_column(ForeignKey("our_products.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    price: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3))
    map_price: Mapped[Decimal | None]
    cost_floor: Mapped[Decimal | None]
    availability: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(300))


class ProductMatch(Base):
    """A competitor product watch linked to a product of ours: accepted, proposed (below the
    confidence needed to apply it, waiting for a person), or rejected (never proposed again)."""

    __tablename__ = "product_matches"
    __table_args__ = (UniqueConstraint("watch_id", "our_product_id", name="uq_product_matches_watch_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"), index=True)
    our_product_id: Mapped[int] = mapped_column(ForeignKey("our_products.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))  # accepted | proposed | rejected
    method: Mapped[str] = mapped_column(String(20))  # watchlist | gtin | mpn | sku | title | user
    confidence: Mapped[float]
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decided_by: Mapped[str] = mapped_column(String(20), default="auto")  # auto | user | watchlist
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class MatchCheck(Base):
    """The page state and catalogue version a watch was last matched against (so matching runs once
    per new page content or catalogue change, not every cycle)."""

    __tablename__ = "match_checks"

    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"), primary_key=True)
    state_id: Mapped[int | None]
    catalogue_version: Mapped[int] = mapped_column(default=0)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class FxRate(Base):
    """One reference rate: 1 `base` = `rate` `currency` on `day` (the ECB publishes EUR-based rates)."""

    __tablename__ = "fx_rates"
    __table_args__ = (UniqueConstraint("day", "base", "currency", name="uq_fx_rates_day_base_currency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    base: Mapped[str] = mapped_column(String(3))
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Rate)
    source: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class PriceConversion(Base):
    """A competitor price (one product state) in the catalogue's currency, with the rate used and its
    day. A price whose currency has no rate on or before its day gets no row: never a guessed rate."""

    __tablename__ = "price_conversions"

    state_id: Mapped[int] = mapped_column(ForeignKey("product_states.id"), primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"), index=True)
    observed_at: Mapped[datetime]
    from_currency: Mapped[str] = mapped_column(String(3))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal]
    shipping: Mapped[Decimal | None]
    rate: Mapped[Decimal] = mapped_column(Rate)  # 1 from_currency = rate currency
    rate_day: Mapped[date] = mapped_column(Date)


class MatrixCell(Base):
    """A matched competitor watch's current place in the matrix (what the matrix rules compared last)."""

    __tablename__ = "matrix_cells"

    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"), primary_key=True)
    our_product_id: Mapped[int] = mapped_column(ForeignKey("our_products.id"), index=True)
    competitor_id: Mapped[int | None] = mapped_column(ForeignKey("competitors.id"))
    state_id: Mapped[int | None]
    observation_id: Mapped[int | None]
    observed_at: Mapped[datetime | None]
    price: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(10))
    converted: Mapped[Decimal | None]
    shipping: Mapped[Decimal | None]  # converted too; None: the page does not say
    rate: Mapped[Decimal | None] = mapped_column(Rate)
    rate_day: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)  # why there is no converted price
    availability: Mapped[str | None] = mapped_column(String(20))
    gone: Mapped[bool] = mapped_column(default=False)
    price_since: Mapped[datetime | None]  # since when the current price has held
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MatrixProduct(Base):
    """A product of ours as the matrix rules last saw it: who was cheapest, whether we were dearest."""

    __tablename__ = "matrix_products"

    our_product_id: Mapped[int] = mapped_column(ForeignKey("our_products.id"), primary_key=True)
    cheapest_watch_id: Mapped[int | None]
    most_expensive: Mapped[bool] = mapped_column(default=False)
    our_rank: Mapped[int | None]
    our_price: Mapped[Decimal | None]  # in the catalogue's currency, as last compared
    map_price: Mapped[Decimal | None]  # in the catalogue's currency
    note: Mapped[str | None] = mapped_column(Text)  # why our price could not be converted
    offers: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


CATALOGUE_META_FIRST_ROW: dict[str, int] = {
    "id": 1,
    "converted_upto": 0,
    "catalogue_version": 0,
    "rates_version": 0,
    "compared_catalogue": -1,
    "compared_rates": -1,
}


class CatalogueMeta(Base):
    """One row: what the catalogue refresh has done so far. Refreshes update it first, which
    serialises them (SQLite's write lock, PostgreSQL's row lock). The row exists from the store's
    start (`CATALOGUE_META_FIRST_ROW`, written by the baseline migration and by
    `models.db.create_new_store`), so the first refreshes of two workers lock it rather than race to
    create it."""

    __tablename__ = "catalogue_meta"

    id: Mapped[int] = mapped_column(primary_key=True)
    converted_upto: Mapped[int] = mapped_column(default=0)  # product_states.id already converted
    catalogue_version: Mapped[int] = mapped_column(default=0)  # bumped when our products change
    rates_version: Mapped[int] = mapped_column(default=0)  # bumped when rates are loaded
    # The versions the matrix was last compared at: every product is compared again when they differ.
    compared_catalogue: Mapped[int] = mapped_column(default=-1)
    compared_rates: Mapped[int] = mapped_column(default=-1)
    watchlist_digest: Mapped[str | None] = mapped_column(String(64))
    refreshed_at: Mapped[datetime | None]


class CatalogueImport(Base):
    """The last run of one configured source (a CSV, a product feed, a rates file or URL)."""

    __tablename__ = "catalogue_imports"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    last_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="never")  # ok | failed | never
    error: Mapped[str | None] = mapped_column(Text)
    items: Mapped[int] = mapped_column(default=0)
    digest: Mapped[str | None] = mapped_column(String(64))
