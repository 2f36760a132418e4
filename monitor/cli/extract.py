"""`rivalwatch extract product|listing|serp FILE...`: run an extractor on saved pages (no network, no store)."""

from __future__ import annotations

import click

from monitor.cli import extract_listing, extract_product, extract_serp


@click.group()
def extract() -> None:
    """Run an extractor on saved pages and print JSON Lines (no network, no store)."""


extract.add_command(extract_product.command, "product")
extract.add_command(extract_listing.command, "listing")
extract.add_command(extract_serp.command, "serp")
