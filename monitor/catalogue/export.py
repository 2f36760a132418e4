"""The price matrix as files: CSV (one line per offer) and XLSX (a matrix sheet, one row per product
of ours with a column pair per competitor, and the offers sheet of the CSV).

Both carry the same numbers as `rivalwatch prices`: prices converted into the catalogue's currency
with the rate and its day, gaps to our price (absolute and in %), our rank, cheapest and median,
stock, shipping where the page states it, and since when each price has held.
"""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from monitor.catalogue.matrix import MatrixRow

OFFER_COLUMNS: tuple[str, ...] = (
    "sku", "name", "brand", "category", "currency", "our_price", "map_price", "our_rank", "offers",
    "cheapest", "cheapest_competitor", "median", "we_are_most_expensive", "competitor", "url",
    "their_price", "their_currency", "converted", "rate", "rate_day", "gap", "gap_pct", "stock",
    "availability", "shipping", "price_since", "held_days", "observed_at", "note",
)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _product_fields(row: MatrixRow) -> dict[str, Any]:
    p, cheapest = row.product, row.cheapest
    return {
        "sku": p.sku,
        "name": p.name,
        "brand": p.brand,
        "category": p.category,
        "currency": p.currency,
        "our_price": _num(p.price),
        "map_price": _num(p.map_price),
        "our_rank": row.our_rank,
        "offers": row.offers,
        "cheapest": _num(cheapest.converted) if cheapest else None,
        "cheapest_competitor": cheapest.competitor if cheapest else None,
        "median": _num(row.median),
        "we_are_most_expensive": row.most_expensive,
    }


def offer_records(rows: list[MatrixRow], now: datetime) -> list[dict[str, Any]]:
    """One record per offer (a product of ours without offers: one record with its own fields)."""
    out: list[dict[str, Any]] = []
    for row in rows:
        base = _product_fields(row)
        if not row.cells:
            out.append({**dict.fromkeys(OFFER_COLUMNS), **base})
            continue
        for cell in row.cells:
            g = row.gap_of(cell)
            held = (now - cell.price_since).total_seconds() / 86400 if cell.price_since else None
            out.append(
                {
                    **base,
                    "competitor": cell.competitor,
                    "url": cell.url,
                    "their_price": _num(cell.price),
                    "their_currency": cell.currency,
                    "converted": _num(cell.converted),
                    "rate": _num(cell.rate),
                    "rate_day": cell.rate_day.isoformat() if cell.rate_day else None,
                    "gap": _num(g.amount) if g else None,
                    "gap_pct": float(g.share * 100) if g else None,
                    "stock": cell.stock,
                    "availability": cell.availability,
                    "shipping": _num(cell.shipping),
                    "price_since": cell.price_since.isoformat() if cell.price_since else None,
                    "held_days": None if held is None else round(held, 2),
                    "observed_at": cell.observed_at.isoformat() if cell.observed_at else None,
                    "note": cell.note,
                }
            )
    return out


def write_csv(rows: list[MatrixRow], path: Path, now: datetime) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(OFFER_COLUMNS))
        writer.writeheader()
        for record in offer_records(rows, now):
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return path


def write_xlsx(rows: list[MatrixRow], path: Path, now: datetime) -> Path:
    # openpyxl is imported here: only an XLSX export needs it, and it costs a tenth of a second.
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Matrix"
    names = sorted({c.competitor for r in rows for c in r.cells})
    head = ["SKU", "Product", f"Our price ({rows[0].product.currency if rows else ''})", "Rank", "Offers",
            "Cheapest", "Cheapest at", "Median", "Most expensive"]
    for name in names:
        head += [f"{name} price", f"{name} gap %", f"{name} stock"]
    sheet.append(head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="FFD7D7")
    for row in rows:
        fields = _product_fields(row)
        by = {}
        for c in row.cells:
            by.setdefault(c.competitor, c)
        line: list[Any] = [fields["sku"], fields["name"], fields["our_price"], fields["our_rank"], fields["offers"],
                           fields["cheapest"], fields["cheapest_competitor"], fields["median"], fields["we_are_most_expensive"]]
        for name in names:
            c = by.get(name)
            g = row.gap_of(c) if c else None
            line += [_num(c.converted) if c else None, float(g.share * 100) if g else None, c.stock if c else None]
        sheet.append(line)
        if row.most_expensive:
            for cell in sheet[sheet.max_row]:
                cell.fill = red
    sheet.freeze_panes = "C2"
    offers = book.create_sheet("Offers")
    offers.append(list(OFFER_COLUMNS))
    for record in offer_records(rows, now):
        offers.append([record.get(k) for k in OFFER_COLUMNS])
    book.save(path)
    return path
