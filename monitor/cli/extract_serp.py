"""`rivalwatch extract serp`: placeholder until the serp extractor lands."""

import click


@click.command()
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("rivalwatch extract serp is not implemented yet")
