"""Our products into the store: added, updated in place, or made inactive; never deleted.

Every source (the watchlist, each CSV or feed import) owns the products it lists: a product the
source no longer lists becomes inactive (its history and matches stay, and it comes back as it was
when the source lists it again). Each change of our price, MAP, cost floor or stock adds a row to
`our_price_history`, so a re-import never loses history. A SKU listed by two sources belongs to the
one that listed it first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.catalogue import OurPriceHistory, OurProduct
from monitor.catalogue.config import OurProductEntry

PRICED = ("price", "currency", "map_price", "cost_floor", "availability")
DESCRIBED = ("name", "brand", "gtin", "mpn", "category", "url")


@dataclass
class UpsertReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    foreign: int = 0  # SKUs another source owns

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deactivated)


def _values(entry: OurProductEntry, currency: str) -> dict[str, object]:
    return {
        "name": entry.name,
        "brand": entry.brand,
        "gtin": entry.gtin,
        "mpn": entry.mpn,
        "price": entry.price,
        "currency": entry.currency or currency,
        "map_price": entry.map_price,
        "cost_floor": entry.cost_floor,
        "category": entry.category,
        "tags": list(entry.tags),
        "availability": entry.availability,
        "url": entry.url,
    }


def _history(product: OurProduct, source: str, now: datetime) -> OurPriceHistory:
    return OurPriceHistory(
        our_product_id=product.id,
        at=now,
        price=product.price,
        currency=product.currency,
        map_price=product.map_price,
        cost_floor=product.cost_floor,
        availability=product.availability,
        source=source,
    )


def _same(product: OurProduct, values: dict[str, object], names: Iterable[str]) -> bool:
    return all(getattr(product, n) == values[n] for n in names)


def upsert_products(
    session: Session, entries: list[OurProductEntry], source: str, currency: str, now: datetime
) -> UpsertReport:
    """Make the store's products of `source` what `entries` say (the caller owns the transaction)."""
    report = UpsertReport()
    existing = {p.sku: p for p in session.scalars(select(OurProduct))}
    listed: set[str] = set()
    for entry in entries:
        if entry.sku in listed:
            continue  # a SKU twice in one source: the first row counts
        listed.add(entry.sku)
        values = _values(entry, currency)
        product = existing.get(entry.sku)
        if product is None:
            product = OurProduct(sku=entry.sku, source=source, active=True, created_at=now, updated_at=now, **values)
            session.add(product)
            session.flush()
            session.add(_history(product, source, now))
            existing[entry.sku] = product
            report.added += 1
            continue
        if product.source != source and product.active:
            report.foreign += 1
            continue
        priced_same = _same(product, values, PRICED)
        if priced_same and _same(product, values, (*DESCRIBED, "tags")) and product.active and product.source == source:
            report.unchanged += 1
            continue
        for key, value in values.items():
            setattr(product, key, value)
        product.active, product.source, product.updated_at = True, source, now
        if not priced_same:
            session.add(_history(product, source, now))
        report.updated += 1
    for sku, product in existing.items():
        if product.source == source and product.active and sku not in listed:
            product.active, product.updated_at = False, now
            report.deactivated += 1
    session.flush()
    return report
