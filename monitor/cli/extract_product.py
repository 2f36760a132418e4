"""`rivalwatch extract product`: placeholder until the product extractor lands."""

import click


@click.command()
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("rivalwatch extract product is not implemented yet")
