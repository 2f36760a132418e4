"""`rivalwatch prices`: the price matrix (our products × every matched competitor), where we are the
most expensive, MAP violations by competitor, one product's history, and CSV/XLSX exports."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from models.catalogue_queries import price_history
from monitor.catalogue.export import offer_records, write_csv, write_xlsx
from monitor.catalogue.format import matrix_table, money, summary_line
from monitor.catalogue.matrix import where_most_expensive
from monitor.catalogue.view import price_matrix
from monitor.cli.common import config_option, console, err_console, load_or_exit, open_store_or_exit


def _print_history(session, sku: str, days: int, now: datetime) -> None:  # noqa: ANN001
    history = price_history(session, sku, now - timedelta(days=days))
    if history is None:
        err_console.print(f"[red]error[/red] no product of ours with SKU {sku!r}")
        raise SystemExit(2)
    p = history.product
    console.print(f"[bold]{escape(p.sku)}[/bold] {escape(p.name)}: our price {money(p.price)} {p.currency}")
    table = Table(title=f"the last {days} days", title_justify="left")
    for col in ("when", "who", "price", "converted", "stock"):
        table.add_column(col)
    for h in history.ours:
        table.add_row(f"{h.at:%Y-%m-%d %H:%M}", "ours", f"{money(h.price)} {h.currency}", "", h.availability or "")
    for competitor, _url, points in sorted(history.offers.values()):
        last = None
        for point in points:
            if (point.price, point.availability) == last:
                continue  # the same offer observed again
            last = (point.price, point.availability)
            table.add_row(
                f"{point.at:%Y-%m-%d %H:%M}", escape(competitor), f"{money(point.price)} {point.currency or ''}",
                money(point.converted), point.availability or "",
            )
    console.print(table)


@click.command()
@config_option
@click.option("--sku", "skus", multiple=True, help="Only these products of ours (repeatable).")
@click.option("--competitor", "competitors", multiple=True, help="Only these competitors (repeatable).")
@click.option("--category", help="Only our products in this category.")
@click.option("--limit", type=int, default=40, show_default=True, help="Rows shown in the terminal (0: all).")
@click.option("--history", "history_sku", metavar="SKU", help="One product's price history instead.")
@click.option("--days", type=int, default=30, show_default=True, help="How far back --history goes.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Write the matrix as CSV (one line per offer).")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False), help="Write the matrix as an Excel workbook.")
@click.option("--json", "as_json", is_flag=True, help="Print the offers as JSON instead of a table.")
def prices(
    config_path: str,
    skus: tuple[str, ...],
    competitors: tuple[str, ...],
    category: str | None,
    limit: int,
    history_sku: str | None,
    days: int,
    csv_path: str | None,
    xlsx_path: str | None,
    as_json: bool,
) -> None:
    """Where we are the most expensive, and by how much: each product of ours against every matched
    competitor, prices converted into the catalogue's currency, our rank, the cheapest and median
    offer, stock, shipping and since when each price has held. Sorted with the products where the
    cheapest offer is furthest below us first."""
    watchlist = load_or_exit(config_path)
    if watchlist.catalogue is None:
        err_console.print("[red]error[/red] the watchlist has no `catalogue:` section (see README, Price matrix)")
        raise SystemExit(2)
    _engine, factory = open_store_or_exit(watchlist)
    now = datetime.now(UTC)
    with factory() as session:
        if history_sku:
            _print_history(session, history_sku, days, now)
            return
        rows = price_matrix(
            session,
            watchlist.catalogue.currency,
            skus=skus or None,
            competitors=competitors or None,
            category=category,
        )
    ordered = where_most_expensive(rows)
    ranked = {r.product.id for r in ordered}
    ordered += [r for r in rows if r.product.id not in ranked]
    if csv_path:
        console.print(f"wrote {write_csv(ordered, Path(csv_path), now)}")
    if xlsx_path:
        console.print(f"wrote {write_xlsx(ordered, Path(xlsx_path), now)}")
    if as_json:
        click.echo(json.dumps(offer_records(ordered, now), ensure_ascii=False, indent=1))
        return
    if csv_path or xlsx_path:
        return
    console.print(summary_line(rows))
    shown = ordered[:limit] if limit else ordered
    console.print(matrix_table(shown, now))
    if len(shown) < len(ordered):
        console.print(f"[dim]{len(ordered) - len(shown)} more (--limit 0 shows all, --csv/--xlsx export all)[/dim]")
