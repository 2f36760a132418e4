"""The price matrix: for each product of ours, every matched competitor's current offer in the
catalogue's currency, and where we stand. Pure: records in, records out.

Definitions the CLI, the exports, the report and the matrix rules share:
- an offer *counts* when its price is converted, its page is not gone and it is not out of stock
  (an unknown stock counts: a page that says nothing about stock still sells);
- `gap` of an offer: its price minus ours, and that as a share of ours (-0.08: 8 % below us);
- `our_rank`: 1 + the counting offers strictly cheaper than us (ties share our rank);
- `cheapest` and `median`: over the counting offers (ours not included);
- `most_expensive`: at least one offer counts and every counting offer is below our price.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from models.catalogue_queries import OUT_OF_STOCK, Offer

PCT = Decimal("0.0001")
ZERO = Decimal(0)


@dataclass(frozen=True)
class OurView:
    """A product of ours as the matrix shows it; `price`/`map_price` in the catalogue's currency."""

    id: int
    sku: str
    name: str
    currency: str  # the catalogue's
    price: Decimal | None
    map_price: Decimal | None = None
    brand: str | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
    availability: str | None = None
    own_price: Decimal | None = None  # in our own currency, when it is another
    own_currency: str | None = None
    note: str | None = None  # why `price` is missing

    @property
    def in_stock(self) -> bool:
        """We have it: in stock, or our catalogue does not say (we list what we sell)."""
        return self.availability is None or self.availability not in OUT_OF_STOCK


Cell = Offer  # a competitor's offer of one product of ours: the record the store keeps (models)


@dataclass(frozen=True)
class Gap:
    amount: Decimal  # their price minus ours
    share: Decimal  # of our price: -0.0800 is 8 % below us


def gap(ours: Decimal | None, theirs: Decimal | None) -> Gap | None:
    if ours is None or theirs is None or ours <= 0:
        return None
    return Gap(theirs - ours, ((theirs - ours) / ours).quantize(PCT))


@dataclass(frozen=True)
class MatrixRow:
    """A product of ours and its offers; every figure is computed once, on first use (a frozen
    dataclass keeps cached properties in its __dict__, so the row stays read-only)."""

    product: OurView
    cells: tuple[Cell, ...] = field(default_factory=tuple)  # cheapest counting offers first

    @cached_property
    def counting(self) -> list[Cell]:
        return [c for c in self.cells if c.counts]

    @cached_property
    def cheapest(self) -> Cell | None:
        counting = self.counting
        return min(counting, key=lambda c: (c.converted, c.watch_id)) if counting else None

    @cached_property
    def dearest(self) -> Cell | None:
        counting = self.counting
        return max(counting, key=lambda c: (c.converted, -c.watch_id)) if counting else None

    @cached_property
    def median(self) -> Decimal | None:
        prices = [c.converted for c in self.counting if c.converted is not None]
        return Decimal(statistics.median(prices)).quantize(PCT) if prices else None

    @cached_property
    def our_rank(self) -> int | None:
        ours = self.product.price
        if ours is None:
            return None
        return 1 + sum(1 for c in self.counting if c.converted is not None and c.converted < ours)

    @cached_property
    def offers(self) -> int:
        return len(self.counting)

    @cached_property
    def most_expensive(self) -> bool:
        ours = self.product.price
        counting = self.counting
        return ours is not None and bool(counting) and all(c.converted < ours for c in counting)  # type: ignore[operator]

    def gap_of(self, cell: Cell) -> Gap | None:
        return gap(self.product.price, cell.converted)

    @cached_property
    def gap_to_cheapest(self) -> Gap | None:
        """How far the cheapest offer is from us (negative: they are cheaper)."""
        cheapest = self.cheapest
        return self.gap_of(cheapest) if cheapest else None


def _order(cell: Cell) -> tuple[bool, Decimal, str]:
    return (not cell.counts, cell.converted if cell.converted is not None else ZERO, cell.competitor)


def build_matrix(products: list[OurView], cells: dict[int, list[Cell]]) -> list[MatrixRow]:
    """One row per product of ours, its offers cheapest first (offers that do not count last)."""
    return [MatrixRow(p, tuple(sorted(cells.get(p.id, []), key=_order))) for p in products]


def where_most_expensive(rows: list[MatrixRow], limit: int | None = None) -> list[MatrixRow]:
    """Our products ranked by how far above the cheapest offer we are ("where are we the most
    expensive this morning, and by how much?"); products without a counting offer left out."""
    ranked = [r for r in rows if r.gap_to_cheapest is not None]
    ranked.sort(key=lambda r: (r.gap_to_cheapest.share if r.gap_to_cheapest else Decimal(0), r.product.sku))
    return ranked[:limit] if limit else ranked


def where_least_expensive(rows: list[MatrixRow], limit: int | None = None) -> list[MatrixRow]:
    """Our products where the cheapest offer is furthest above us (we lead by the most)."""
    ranked = where_most_expensive(rows)
    ranked.reverse()
    return ranked[:limit] if limit else ranked


def map_violations(rows: list[MatrixRow]) -> dict[str, list[tuple[MatrixRow, Cell]]]:
    """Per competitor, their counting offers below our MAP."""
    out: dict[str, list[tuple[MatrixRow, Cell]]] = {}
    for row in rows:
        floor = row.product.map_price
        if floor is None:
            continue
        for cell in row.counting:
            if cell.converted is not None and cell.converted < floor:
                out.setdefault(cell.competitor, []).append((row, cell))
    return out
