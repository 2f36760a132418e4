"""Declarative base and column types shared by every model."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Index, MetaData, Numeric, TypeDecorator
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# SQLite has no decimal type; SQLAlchemy rounds to the column's scale on the way back, which is what we want.
warnings.filterwarnings("ignore", category=SAWarning, message=".*Decimal objects natively.*")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Money = Numeric(20, 6, asdecimal=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money}


class ObservedRow:
    """The columns every kind's own row starts with: one row per observation of one watch."""

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"))
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"), unique=True)


class ObservedAtRow(ObservedRow):
    """A kind's row of what one good observation saw, at `observed_at`. Such rows are read per watch,
    the latest first, so each table of them has its (watch, time) index, named after the table."""

    __tablename__: str  # each table's own
    observed_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        return (Index(f"ix_{cls.__tablename__}_watch_time", "watch_id", "observed_at"),)
