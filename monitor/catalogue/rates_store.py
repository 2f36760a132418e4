"""Exchange rates into the store, and the rate table every conversion reads back from it.

Rates are stored by (day, base, currency): reading the same source again adds only the days it did
not have, and a conversion made months ago can be checked against the rate it used.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.catalogue import CatalogueMeta, FxRate
from models.product import ProductState
from monitor.catalogue.rates import RateRow, RateTable


def store_rates(session: Session, rows: list[RateRow], source: str, now: datetime, meta: CatalogueMeta) -> int:
    """Add the rates the store does not have; returns how many were new. Prices observed on or after
    the first new day are converted again by the next refresh (they may have had no rate yet)."""
    if not rows:
        return 0
    days = {r.day for r in rows}
    have = {
        (d, b, c)
        for d, b, c in session.execute(
            select(FxRate.day, FxRate.base, FxRate.currency).where(FxRate.day.in_(days))
        )
    }
    new = [r for r in rows if (r.day, r.base, r.currency) not in have]
    for r in new:
        session.add(FxRate(day=r.day, base=r.base, currency=r.currency, rate=r.rate, source=source, loaded_at=now))
    if new:
        first = min(r.day for r in new)
        since = datetime(first.year, first.month, first.day, tzinfo=now.tzinfo)
        lowest = session.scalar(select(func.min(ProductState.id)).where(ProductState.observed_at >= since))
        if lowest is not None:
            meta.converted_upto = min(meta.converted_upto, lowest - 1)
        meta.rates_version += 1
    session.flush()
    return len(new)


def rate_table(session: Session, base: str, max_age_s: float) -> RateTable:
    rows = [
        RateRow(d, b, c, r)
        for d, b, c, r in session.execute(
            select(FxRate.day, FxRate.base, FxRate.currency, FxRate.rate).where(FxRate.base == base)
        )
    ]
    return RateTable(rows, base, timedelta(seconds=max_age_s))
