"""`rivalwatch extract listing`: placeholder until the listing extractor lands."""

import click


@click.command()
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("rivalwatch extract listing is not implemented yet")
