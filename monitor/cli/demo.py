"""`rivalwatch demo`: the whole product on the bundled demo market, SQLite and a local mailbox."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from monitor.cli.common import console
from monitor.demo.serve import serve_demo
from monitor.demo.session import run_demo
from spiders.engine import quiet_scrapy_logs


@click.command()
@click.option(
    "--days", type=int, default=None, help="Simulated days to run [default: 7; with --serve: until Ctrl-C]."
)
@click.option(
    "--seed", default=7, show_default=True, help="The market's random seed (same seed, same story)."
)
@click.option("--products", "n_products", default=50, show_default=True, help="Products per shop.")
@click.option("--workdir", default="var/demo", show_default=True, type=click.Path(file_okay=False))
@click.option(
    "--serve", is_flag=True, help="Run the service instead, the market moving a day every --day-seconds."
)
@click.option(
    "--day-seconds", default=30.0, show_default=True, help="With --serve: seconds per simulated day."
)
@click.option(
    "--digest-every", default="1m", show_default=True, help="With --serve: the mail digest's window (every:)."
)
def demo(
    days: int | None, seed: int, n_products: int, workdir: str, serve: bool = False, day_seconds: float = 30.0,
    digest_every: str = "1m",
) -> None:  # fmt: skip
    """Run rivalwatch over several simulated days against the demo market and show what it found."""

    quiet_scrapy_logs(logging.CRITICAL)
    if serve:  # until Ctrl-C: watch alerts arrive as the market moves (monitor/demo/serve.py)

        serve_demo(
            seed=seed, n_products=n_products, workdir=Path(workdir), day_seconds=day_seconds, console=console,
            days=days, digest_every=digest_every,
        )  # fmt: skip
        return
    result = run_demo(days=days or 7, seed=seed, n_products=n_products, workdir=Path(workdir), console=console)
    print_dashboard_hint(result.watchlist_path)


def print_dashboard_hint(watchlist_path: Path) -> None:
    """Where to open the demo's store in the browser: a user, then the dashboard on this machine."""
    from monitor.web.server import DEFAULT_BIND

    console.print(
        f"[bold]dashboard[/bold] rivalwatch user add demo -c {watchlist_path}   (once, asks for a password)\n"
        f"          rivalwatch web -c {watchlist_path}   then open http://{DEFAULT_BIND}/",
        soft_wrap=True,
    )
