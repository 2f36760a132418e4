"""The matrix rules' changes: a product of ours before and after a refresh -> changes. Pure.

The change kinds are declared with the product kind's (`monitor.kinds.product.changes.MATRIX_KINDS`),
so alert rules match them with `when:` like any change. Each is stored on the competitor watch whose
offer it is about (its latest observation), in the crawl run that caused it:

- `undercut_by`: an offer that counts went below our price, or further below it; magnitude is the
  gap (-0.08: 8 % below us), so `when: undercut_by` with `threshold_pct: 5` alerts past 5 %;
- `map_violation`: the same against our MAP;
- `most_expensive`: we became dearer than every counting offer (on the dearest one's watch);
- `cheapest_changed`: another competitor is the cheapest now (on the new cheapest's watch);
- `competitor_out_of_stock`: an offer went from in stock to out of stock while we have the product.

As for a product's first good check, a product's or an offer's first place in the matrix is the
baseline: nothing is reported until it moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from monitor.catalogue.matrix import Cell, MatrixRow, gap
from monitor.changes.record import DetectedChange


@dataclass(frozen=True)
class CellBefore:
    """An offer as the rules compared it last time."""

    converted: Decimal | None
    counts: bool
    stock: str | None  # in | out | gone | None


@dataclass(frozen=True)
class ProductBefore:
    cheapest_watch_id: int | None
    most_expensive: bool
    our_price: Decimal | None


def _money(amount: Decimal | None, currency: str) -> str:
    return "-" if amount is None else f"{amount.quantize(Decimal('0.01')):,} {currency}"


def _details(row: MatrixRow, cell: Cell, **extra: object) -> dict[str, object]:
    g = row.gap_of(cell)
    return {
        "our_product_id": row.product.id,
        "our_sku": row.product.sku,
        "our_price": None if row.product.price is None else str(row.product.price),
        "currency": row.product.currency,
        "their_price": None if cell.price is None else str(cell.price),
        "their_currency": cell.currency,
        "converted": None if cell.converted is None else str(cell.converted),
        "rate": None if cell.rate is None else str(cell.rate),
        "rate_day": None if cell.rate_day is None else cell.rate_day.isoformat(),
        "gap_pct": None if g is None else float(g.share * 100),
        **extra,
    }


def _below(price: Decimal | None, reference: Decimal | None) -> bool:
    return price is not None and reference is not None and reference > 0 and price < reference


def _went_below(
    reference: Decimal | None, before_ref: Decimal | None, cell: Cell, before: CellBefore
) -> bool:
    """The offer is below the reference now, and it was not before or it went further down."""
    if not cell.counts or not _below(cell.converted, reference):
        return False
    was_below = before.counts and _below(before.converted, before_ref)
    return not was_below or (before.converted is not None and cell.converted < before.converted)  # type: ignore[operator]


def _went_below_change(
    kind: str, summary: str, share: float | None, cell: Cell, before: CellBefore, details: dict
) -> DetectedChange:
    """A competitor's price that went below a line of ours (our price, our MAP): its move, its gap."""
    return DetectedChange(
        kind=kind,
        summary=summary,
        field="price",
        old=None if before.converted is None else str(before.converted),
        new=str(cell.converted),
        magnitude=share,
        details=details,
    )


def _cell_changes(row: MatrixRow, cell: Cell, before: CellBefore, previous: ProductBefore) -> list[DetectedChange]:
    p, cur = row.product, row.product.currency
    out: list[DetectedChange] = []
    if _went_below(p.price, previous.our_price, cell, before):
        g = row.gap_of(cell)
        share = float(g.share) if g else None
        summary = (
            f"{p.name}: {cell.competitor} undercuts us by {-(share or 0):.1%} "
            f"({_money(cell.converted, cur)} vs our {_money(p.price, cur)})"
        )
        out.append(_went_below_change("undercut_by", summary, share, cell, before, _details(row, cell)))
    if _went_below(p.map_price, p.map_price, cell, before):
        g = gap(p.map_price, cell.converted)
        share = float(g.share) if g else None
        summary = (
            f"{p.name}: {cell.competitor} at {_money(cell.converted, cur)}, "
            f"{-(share or 0):.1%} below our MAP {_money(p.map_price, cur)}"
        )
        details = _details(row, cell, map_price=str(p.map_price))
        out.append(_went_below_change("map_violation", summary, share, cell, before, details))
    if before.stock == "in" and cell.stock == "out" and p.in_stock:
        out.append(
            DetectedChange(
                kind="competitor_out_of_stock",
                summary=f"{p.name}: out of stock at {cell.competitor} ({cell.availability}), in stock here",
                field="availability",
                old="in",
                new="out",
                details=_details(row, cell, availability=cell.availability),
            )
        )
    return out


def _product_changes(row: MatrixRow, previous: ProductBefore) -> list[tuple[Cell, DetectedChange]]:
    p, cur = row.product, row.product.currency
    out: list[tuple[Cell, DetectedChange]] = []
    cheapest = row.cheapest
    if cheapest is not None and previous.cheapest_watch_id not in (None, cheapest.watch_id):
        was = next((c for c in row.cells if c.watch_id == previous.cheapest_watch_id), None)
        was_name = was.competitor if was else "another competitor"
        out.append(
            (
                cheapest,
                DetectedChange(
                    kind="cheapest_changed",
                    summary=f"{p.name}: {cheapest.competitor} is the cheapest now at "
                    f"{_money(cheapest.converted, cur)} (was {was_name})",
                    field="cheapest",
                    old=was_name,
                    new=cheapest.competitor,
                    details=_details(row, cheapest, previous_watch_id=previous.cheapest_watch_id),
                ),
            )
        )
    dearest = row.dearest
    if row.most_expensive and not previous.most_expensive and dearest is not None:
        g = gap(dearest.converted, p.price)
        share = float(g.share) if g else None
        out.append(
            (
                dearest,
                DetectedChange(
                    kind="most_expensive",
                    summary=f"{p.name}: we are the most expensive of {row.offers + 1} at {_money(p.price, cur)}, "
                    f"{share or 0:.1%} above {dearest.competitor} ({_money(dearest.converted, cur)})",
                    field="rank",
                    old=None,
                    new=str(row.our_rank),
                    magnitude=share,
                    details=_details(row, dearest, rank=row.our_rank, offers=row.offers),
                ),
            )
        )
    return out


def detect_matrix_changes(
    row: MatrixRow, previous: ProductBefore | None, cells_before: dict[int, CellBefore]
) -> list[tuple[Cell, DetectedChange]]:
    """The changes of one product of ours; each with the offer (watch) it is stored on."""
    if previous is None:
        return []  # the product's first place in the matrix is its baseline
    out: list[tuple[Cell, DetectedChange]] = []
    for cell in row.cells:
        before = cells_before.get(cell.watch_id)
        if before is not None:  # an offer new to the matrix is a baseline too
            out.extend((cell, change) for change in _cell_changes(row, cell, before, previous))
    out.extend(_product_changes(row, previous))
    return out


def product_before(row: MatrixRow) -> ProductBefore:
    """What the rules will compare the product against at the next refresh (its offers: `before_of`)."""
    cheapest = row.cheapest
    return ProductBefore(cheapest.watch_id if cheapest else None, row.most_expensive, row.product.price)


def before_of(row: MatrixRow) -> tuple[ProductBefore, dict[int, CellBefore]]:
    """What the rules will compare the next refresh against."""
    cells = {c.watch_id: CellBefore(c.converted, c.counts, c.stock) for c in row.cells}
    return product_before(row), cells
