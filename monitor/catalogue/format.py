"""The price matrix as people read it: cell texts and the terminal table (`rivalwatch prices`, the demo).

A cell reads "91.80 (-8.2%) 3d", red when the competitor is cheaper than us, green when dearer;
"out" or "gone" when the offer does not count; "no rate" when its currency could not be converted.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from rich.markup import escape
from rich.table import Table

from monitor.catalogue.matrix import Cell, MatrixRow, map_violations

CENT = Decimal("0.01")


def money(amount: Decimal | None) -> str:
    return "-" if amount is None else f"{amount.quantize(CENT):,}"


def share(value: Decimal | None) -> str:
    return "" if value is None else f"{value:+.1%}"


def held(since: datetime | None, now: datetime) -> str:
    """How long a price has held: "5h", "3d", "2w"."""
    if since is None:
        return ""
    seconds = max((now - since).total_seconds(), 0)
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds // 60)}m"


def cell_text(row: MatrixRow, cell: Cell, now: datetime, markup: bool = True) -> str:
    if cell.gone:
        return "[dim]gone[/dim]" if markup else "gone"
    if cell.converted is None:
        text = "no rate" if cell.price is not None else "no price"
        return f"[dim]{text}[/dim]" if markup else text
    g = row.gap_of(cell)
    text = f"{money(cell.converted)} {share(g.share if g else None)}".strip()
    if cell.shipping is not None:
        text += f" +{money(cell.shipping)}" if cell.shipping else " free ship."
    if cell.stock == "out":
        text += " out"
    since = held(cell.price_since, now)
    if not markup:
        return f"{text} {since}".strip()
    colour = "red" if g is not None and g.amount < 0 else "green" if g is not None and g.amount > 0 else ""
    body = f"[{colour}]{escape(text)}[/{colour}]" if colour else escape(text)
    if cell.stock == "out":
        body = f"[dim]{body}[/dim]"
    return f"{body} [dim]{since}[/dim]" if since else body


def competitors_of(rows: list[MatrixRow]) -> list[str]:
    return sorted({c.competitor for r in rows for c in r.cells})


def matrix_table(rows: list[MatrixRow], now: datetime, *, title: str | None = None) -> Table:
    """One row per product of ours: our price, rank, cheapest, median, then each competitor's offer."""
    names = competitors_of(rows)
    currency = rows[0].product.currency if rows else ""
    table = Table(title=title, title_justify="left", show_lines=False)
    for header, justify in (("SKU", "left"), ("product", "left"), (f"ours {currency}", "right"), ("rank", "right")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    table.add_column("cheapest", justify="right")
    table.add_column("median", justify="right")
    for name in names:
        table.add_column(escape(name), justify="right")
    for row in rows:
        by = {}
        for cell in row.cells:
            by.setdefault(cell.competitor, cell)
        cheapest = row.cheapest
        g = row.gap_to_cheapest
        cheap = f"{money(cheapest.converted)} {escape(cheapest.competitor)} {share(g.share if g else None)}" if cheapest else "-"
        rank = f"{row.our_rank}/{row.offers + 1}" if row.our_rank is not None else "-"
        ours = money(row.product.price) if row.product.price is not None else f"[dim]{escape(row.product.note or '-')}[/dim]"
        table.add_row(
            escape(row.product.sku),
            escape(row.product.name[:48]),
            ours,
            f"[bold red]{rank}[/bold red]" if row.most_expensive else rank,
            cheap,
            money(row.median),
            *[cell_text(row, by[n], now) if n in by else "" for n in names],
        )
    return table


def summary_line(rows: list[MatrixRow], proposals: int = 0) -> str:
    """How many products, offers, where we are dearest and cheapest, MAP violations by competitor."""
    violations = map_violations(rows)
    text = (
        f"{len(rows)} products of ours, {sum(len(r.cells) for r in rows)} competitor offers matched; "
        f"we are the most expensive on {sum(1 for r in rows if r.most_expensive)}, "
        f"the cheapest on {sum(1 for r in rows if r.offers and r.our_rank == 1)}"
    )
    if violations:
        text += "; below our MAP: " + ", ".join(f"{escape(c)} {len(v)}" for c, v in sorted(violations.items()))
    if proposals:
        text += f"; {proposals} matches proposed, waiting for a person (`rivalwatch match list`)"
    return text


def row_line(row: MatrixRow) -> str:
    """One product of ours on one line: our price and rank, the cheapest offer and the median."""
    p, cheapest, g = row.product, row.cheapest, row.gap_to_cheapest
    rank = f"#{row.our_rank} of {row.offers + 1}" if row.our_rank is not None else "not ranked"
    cheap = f"cheapest {escape(cheapest.competitor)} {money(cheapest.converted)} ({share(g.share if g else None)})" if cheapest else "no offer"
    dear = " [bold red]we are the most expensive[/bold red]" if row.most_expensive else ""
    return (
        f"{escape(p.sku)} {escape(p.name)}: ours {money(p.price)} {p.currency}, {rank}; {cheap}, "
        f"median {money(row.median)}{dear}"
    )
