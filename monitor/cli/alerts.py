"""`rivalwatch alerts`: test every channel, show the outbox, force retries.

rivalwatch alerts test -c watchlist.yaml     # one test message per channel, each result
rivalwatch alerts log -c watchlist.yaml [--status failed] [--limit 50]
rivalwatch alerts retry -c watchlist.yaml    # pending and failed deliveries, now

`-c` / `--config` is the same option as everywhere else (default: watchlist.yaml or $RIVALWATCH_CONFIG).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from alerts.channels import channel_secrets
from alerts.dispatcher import backlog, dispatch_pending, force_due, send_test_messages
from models.outbox import AlertDelivery
from monitor.cli.common import DEFAULT_CONFIG, open_store_or_exit
from monitor.config.secrets import mask_secrets, resolve_env
from monitor.watchlist import ConfigError, Watchlist, load_watchlist

config_option = click.option(
    "--config",
    "-c",
    "config",
    type=click.Path(dir_okay=False),
    help="The watchlist YAML file (default: watchlist.yaml or $RIVALWATCH_CONFIG).",
    metavar="FILE",
)
db_option = click.option(
    "--db", "db", help="database URL (default: RIVALWATCH_DATABASE_URL, the watchlist's, ./var)"
)


def _watchlist(path: str | None) -> Watchlist | None:
    if path is None:
        return None
    try:
        return load_watchlist(path)
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def _default_config() -> str:
    return os.environ.get("RIVALWATCH_CONFIG", DEFAULT_CONFIG)


def _secrets(watchlist: Watchlist | None) -> list[str]:
    if watchlist is None:
        return []
    env = resolve_env(None, watchlist.settings.secrets_file)
    return [s for c in watchlist.channels for s in channel_secrets(c, env)]


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


@click.group()
def group() -> None:
    """Alert channels and the delivery outbox."""


@group.command("test")
@config_option
def test_command(config: str | None) -> None:
    """Send a test message to every channel of the watchlist and report each result."""
    watchlist = _watchlist(config or _default_config())
    assert watchlist is not None
    if not watchlist.channels:
        click.echo("no channels configured (add some under channels: in the watchlist)")
        return
    secrets = _secrets(watchlist)
    failed = 0
    for result in send_test_messages(watchlist):
        if result.ok:
            click.echo(f"ok    {result.channel}")
        else:
            failed += 1
            click.echo(f"FAIL  {result.channel}: {mask_secrets(result.error or '', secrets)}")
    click.echo(f"{len(watchlist.channels) - failed} of {len(watchlist.channels)} channels reached")
    if failed:
        sys.exit(1)


@group.command("log")
@config_option
@db_option
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "failed"]), help="only these")
@click.option("--channel", help="only this channel")
@click.option("--limit", default=50, show_default=True, help="newest N deliveries")
def log_command(
    config: str | None, db: str | None, status: str | None, channel: str | None, limit: int
) -> None:
    """Show deliveries: status, attempts, next retry, last error (secrets masked)."""
    watchlist = _watchlist(config)
    secrets = _secrets(watchlist)
    _, factory = open_store_or_exit(watchlist, url=db)
    with factory() as session:
        query = select(AlertDelivery).order_by(AlertDelivery.id.desc()).limit(limit)
        if status:
            query = query.where(AlertDelivery.status == status)
        if channel:
            query = query.where(AlertDelivery.channel == channel)
        rows = list(session.scalars(query))
        counts = backlog(session)
    now = datetime.now(UTC)
    table = Table(title="alert deliveries (newest first)")
    for name in (
        "id",
        "created",
        "channel",
        "severity",
        "status",
        "attempts",
        "next try",
        "sent",
        "title",
        "last error",
    ):
        table.add_column(name, overflow="fold")
    for d in rows:
        shown = "retrying" if d.status == "pending" and d.attempts else d.status
        if d.status == "pending" and (d.extra or {}).get("held_until") and not d.attempts:
            shown = "held"
        elif d.status == "pending" and d.window_end is not None and not d.attempts and d.window_end > now:
            shown = "collecting"  # a digest window still open: sent when it ends ("next try")
        cells = (
            str(d.id),
            _when(d.created_at),
            d.channel,
            d.severity,
            shown,
            str(d.attempts),
            _when(d.next_attempt_at) if d.status in ("pending", "sending") else "-",
            _when(d.sent_at),
            mask_secrets(d.title, secrets),
            mask_secrets(d.last_error or "", secrets),
        )
        table.add_row(*(escape(c) for c in cells))  # titles hold "[warning]", which Rich would read as markup
    # Piped output (a file, grep) keeps each delivery on one line.
    console = Console(width=400, soft_wrap=False) if not sys.stdout.isatty() else Console()
    console.print(table)
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "empty"
    console.print(f"outbox: {summary}")


@group.command("retry")
@config_option
@db_option
@click.option("--id", "ids", type=int, multiple=True, help="only these deliveries (repeatable)")
@click.option("--pending-only", is_flag=True, help="leave failed deliveries alone")
@click.option("--no-send", is_flag=True, help="only make them due; the running service sends them")
def retry_command(
    config: str | None, db: str | None, ids: tuple[int, ...], pending_only: bool, no_send: bool
) -> None:
    """Make pending (and failed) deliveries due now, then send them."""
    watchlist = _watchlist(config or _default_config())
    assert watchlist is not None
    _, factory = open_store_or_exit(watchlist, url=db)
    count = force_due(factory, list(ids) or None, include_failed=not pending_only)
    click.echo(f"{count} deliveries due now")
    if no_send or not count:
        return
    report = dispatch_pending(factory, watchlist)
    click.echo(f"sent {report.sent}, will retry {report.retrying}, failed {report.failed}")
    secrets = _secrets(watchlist)
    for error in report.errors:
        click.echo(f"  {mask_secrets(error, secrets)}")
    if report.retrying or report.failed:
        sys.exit(1)
