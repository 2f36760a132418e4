"""What every command shares: finding the watchlist, opening the store, printing errors plainly."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from models.db import database_url, open_store
from monitor.watchlist import ConfigError, ConfigProblem, Watchlist, load_watchlist

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

DEFAULT_CONFIG = "watchlist.yaml"

config_option = click.option(
    "--config",
    "-c",
    "config_path",
    default=lambda: os.environ.get("RIVALWATCH_CONFIG", DEFAULT_CONFIG),
    show_default="watchlist.yaml or $RIVALWATCH_CONFIG",
    type=click.Path(dir_okay=False),
    help="The watchlist YAML file.",
)


def print_problems(problems: Iterable[ConfigProblem], label: str = "error", style: str = "red") -> None:
    """Each watchlist problem on its own line of stderr, `error file:line: field: message`
    (`warning ...` for what does not stop a run)."""
    for problem in problems:
        # The message quotes the user's own text (selectors with [brackets]): never Rich markup.
        err_console.print(Text.assemble((label, style), f" {problem}"), soft_wrap=True)


def load_or_exit(path: str) -> Watchlist:
    try:
        return load_watchlist(path)
    except ConfigError as exc:
        print_problems(exc.problems)
        raise SystemExit(2) from None


def open_store_or_exit(  # noqa: ANN201
    watchlist: Watchlist | None = None, *, apart: bool = False, url: str | None = None
):
    """The store of `url` (a command's --db), else of the watchlist; an error that stops it opening is one
    line, not a traceback. `apart`: a command that crawls next migrates a new store in a child process
    (models.db)."""
    url = database_url(url or (watchlist.settings.database_url if watchlist else None))
    try:
        return open_store(url, apart=apart)
    except SQLAlchemyError as exc:
        err_console.print(
            f"[red]error[/red] cannot open the store at {_safe_url(url)}: {exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0]}"
        )
        raise SystemExit(2) from None


def _safe_url(url: str) -> str:

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "<database url>"


def store_location(url: str) -> str:

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(Path(parsed.database).resolve())
    return _safe_url(url)
