"""`rivalwatch anomaly`: placeholder until the anomaly models land."""

import click


@click.group()
def group() -> None:
    """Anomaly models (not implemented yet)."""
