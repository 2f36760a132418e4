"""`rivalwatch catalogue`: our own products. `import` reads the configured CSV files, product feeds
and rates source now (they are also read on their schedule after each crawl); `list` shows what the
store holds, with each product's source."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from models.catalogue import CatalogueImport, OurProduct
from monitor.catalogue.format import money
from monitor.catalogue_cycle import catalogue_run
from monitor.cli.common import config_option, console, load_or_exit, open_store_or_exit


@click.group()
def group() -> None:
    """Our products: imports from CSV files and product feeds, and what the store holds."""


@group.command("import")
@config_option
@click.argument("names", nargs=-1)
def import_(config_path: str, names: tuple[str, ...]) -> None:
    """Read every configured import and the rates source now (or those NAMES: an import's name, or
    "rates"), then bring the price matrix up to date."""
    watchlist = load_or_exit(config_path)
    _engine, factory = open_store_or_exit(watchlist)
    done = catalogue_run(
        watchlist, factory, lambda: datetime.now(UTC), force_imports=True, names=set(names) if names else None
    )
    failed = False
    for result in done.imports:
        mark = "[green]✓[/green]" if result.ok else "[red]✗[/red]"
        console.print(f"{mark} {escape(result.name)}: {escape(result.message)} ({result.items} read)")
        for problem in result.problems[:10]:
            console.print(f"   [yellow]skipped[/yellow] {escape(problem)}")
        failed |= not result.ok
    if done.refresh is not None:
        console.print(f"matrix: {done.refresh.compared} products compared, {len(done.refresh.changes)} changes")
    if failed:
        raise SystemExit(1)


@group.command("list")
@config_option
@click.option("--inactive", is_flag=True, help="Products their source no longer lists, too.")
def list_products(config_path: str, inactive: bool) -> None:
    """Our products in the store, and the last run of each import."""
    watchlist = load_or_exit(config_path)
    _engine, factory = open_store_or_exit(watchlist)
    with factory() as session:
        query = select(OurProduct).order_by(OurProduct.sku)
        if not inactive:
            query = query.where(OurProduct.active.is_(True))
        products = list(session.scalars(query))
        imports = list(session.scalars(select(CatalogueImport).order_by(CatalogueImport.name)))
    table = Table()
    for col in ("SKU", "name", "brand", "GTIN", "MPN", "price", "MAP", "stock", "source"):
        table.add_column(col, overflow="fold")
    for p in products:
        table.add_row(
            escape(p.sku), escape(p.name), escape(p.brand or ""), p.gtin or "", escape(p.mpn or ""),
            f"{money(p.price)} {p.currency}", money(p.map_price) if p.map_price is not None else "",
            p.availability or "", escape(p.source) + ("" if p.active else " (inactive)"),
        )
    console.print(table)
    for row in imports:
        when = f"{row.last_at:%Y-%m-%d %H:%M}" if row.last_at else "never"
        status = f"[red]failed[/red]: {escape(row.error or '')}" if row.status == "failed" else row.status
        console.print(f"import {escape(row.name)}: {status} at {when}, {row.items} items")
