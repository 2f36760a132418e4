"""The `rivalwatch` command line: one module per command group, wired here."""

from __future__ import annotations

import click

from monitor.cli import (
    alerts,
    anomaly,
    demo,
    extract_listing,
    extract_product,
    extract_serp,
    page_commands,
    watch_commands,
)
from monitor.cli import ranks as ranks_cli
from monitor.cli import report as report_cli
from monitor.cli import serve as serve_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rivalwatch")
def main() -> None:
    """rivalwatch: watch competitors' prices, stock, listings, pages and search rankings."""


@main.group()
def extract() -> None:
    """Run an extractor on saved pages and print JSON Lines (no network, no store)."""


extract.add_command(extract_product.command, "product")
extract.add_command(extract_listing.command, "listing")
extract.add_command(extract_serp.command, "serp")

main.add_command(anomaly.group, "anomaly")
main.add_command(watch_commands.check)
main.add_command(watch_commands.run)
main.add_command(watch_commands.status)
main.add_command(watch_commands.db)
main.add_command(demo.demo)
main.add_command(alerts.group, "alerts")
main.add_command(ranks_cli.ranks, "ranks")
main.add_command(page_commands.diff)
main.add_command(page_commands.preview)
main.add_command(serve_cli.serve, "serve")
main.add_command(report_cli.command, "report")
