"""The `rivalwatch` command line: one module per command group, loaded when its command runs.

Each command's module imports what it needs at its top; the group below imports a command's module
only when that command is invoked (click's lazy-loading pattern), so `rivalwatch status` never loads
the crawler, the browser or the report stack.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import sys

import click

COMMANDS = {
    "check": "monitor.cli.watch_commands:check",
    "run": "monitor.cli.watch_commands:run",
    "status": "monitor.cli.watch_commands:status",
    "db": "monitor.cli.watch_commands:db",
    "serve": "monitor.cli.serve:serve",
    "demo": "monitor.cli.demo:demo",
    "report": "monitor.cli.report:command",
    "alerts": "monitor.cli.alerts:group",
    "ranks": "monitor.cli.ranks:ranks",
    "diff": "monitor.cli.page_commands:diff",
    "preview": "monitor.cli.page_commands:preview",
    "anomaly": "monitor.cli.anomaly:group",
    "extract": "monitor.cli.extract:extract",
    "prices": "monitor.cli.prices:prices",
    "match": "monitor.cli.match:group",
    "catalogue": "monitor.cli.catalogue:group",
    "web": "monitor.cli.web:web",
    "user": "monitor.cli.web:user",
    "token": "monitor.cli.web:token",
}


def _leave_quickly() -> None:
    """At interpreter exit: close the store's connections, then freeze the heap so that the final
    garbage collections (a third of a second after a run, which is a tenth of a whole `run` on 2,000
    pages) do not walk every object of a process about to end. Nothing is lost: a process's end
    never promised to finalise objects held in reference cycles."""
    db = sys.modules.get("models.db")  # a command that never opened the store does not load it now
    if db is not None:
        db.dispose_engines()
    gc.freeze()


atexit.register(_leave_quickly)


class LazyGroup(click.Group):
    """A group whose subcommands are named by "module:attribute" and imported on first use."""

    def __init__(self, *args: object, lazy: dict[str, str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, attr = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attr)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rivalwatch")
def main() -> None:
    """rivalwatch: watch competitors' prices, stock, listings, pages and search rankings."""
    follow_terminal_width()


def follow_terminal_width() -> None:
    """Each command reads $COLUMNS anew: Rich fixes a console's width when the console is made, and the
    consoles are made once per process (a process may run several commands, as tests and `serve` do)."""
    import os

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        from monitor.cli.common import console, err_console

        console.width = err_console.width = int(columns)
