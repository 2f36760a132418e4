"""`rivalwatch check`, `run`, `status` and `db upgrade`: the commands a user runs by hand."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from models.db import database_url
from monitor.cli.common import (
    config_option,
    console,
    err_console,
    load_or_exit,
    open_store_or_exit,
    print_problems,
    store_location,
)
from monitor.watchlist import ConfigError, ConfigProblem, Watchlist, read_watchlist
from monitor.watchlist.check import Issue, KeyPath
from monitor.watchlist.environment import missing_secrets, read_environment, unreadable_files
from monitor.watchlist.keys import key_reference
from monitor.watchlist.summary import summary_lines, summary_tables, watch_counts
from spiders.crawl_settings import quiet_scrapy_logs

if TYPE_CHECKING:
    from monitor.kinds.outcome import Outcome

# Each command imports the heavy parts it alone uses in its body (Apprise for `check`, the crawler
# and Rich's progress bar for `run`, the status queries and Rich's tables for `check` and `status`):
# `run` with nothing due must not pay for the others.


@click.command()
@click.argument("config_file", type=click.Path(dir_okay=False), required=False)
@config_option
@click.option("--keys", "show_keys", is_flag=True, help="Print every key a watchlist may have and exit.")
def check(config_file: str | None, config_path: str, show_keys: bool) -> None:
    """Validate a watchlist as run and serve would, then print what it watches.

    Every problem is reported in one pass, each at its file, line and field: the file's own (keys,
    values, selectors, cron expressions, time zones, references between sections) and what this
    machine lacks (secrets, Apprise URLs that do not parse). Exits 2 when there is any.
    """
    if show_keys:
        print_key_reference()
        return
    path = config_file or config_path
    try:
        loaded = read_watchlist(path)
    except ConfigError as exc:
        print_problems(exc.problems)
        raise SystemExit(2) from None
    watchlist = loaded.watchlist
    env, issues = read_environment(watchlist)
    issues += missing_secrets(watchlist, env) + unreadable_files(watchlist)
    unusable, refused = _channel_issues(watchlist, env, {i.path for i in issues})
    issues += unusable
    print_watchlist(watchlist, path)

    def located(found: list[Issue]) -> list[ConfigProblem]:  # sorted by line
        return sorted((loaded.source.problem(i.path, i.message) for i in found), key=lambda p: p.line or 0)

    print_problems(located(refused), label="warning", style="yellow")
    problems = located(issues)
    if problems:
        print_problems(problems)
        raise SystemExit(2)
    console.print("[green]watchlist OK[/green]")


def _channel_issues(
    watchlist: Watchlist, env: dict[str, str], reported: set[KeyPath]
) -> tuple[list[Issue], list[Issue]]:
    """Channel URLs Apprise cannot use (errors; one with a missing secret is reported as such already),
    and usable ones whose server the address policy will refuse at send time (warnings: a loopback or
    private address literal, a local name, without settings.allow_private_*). Nothing is resolved."""
    from alerts.channel_addresses import AddressRules, check_named_host
    from alerts.channels import ChannelError, build

    rules = AddressRules.of(watchlist.settings)
    unusable: list[Issue] = []
    refused: list[Issue] = []
    for i, channel in enumerate(watchlist.channels):
        if ("channels", i, "url") in reported:
            continue
        try:
            app = build(channel, env)
        except ChannelError as exc:
            unusable.append(Issue(("channels", i, "url"), str(exc)))
            continue
        for plugin in app:
            refusal = check_named_host(plugin, rules, resolve=False)
            if refusal is not None:
                message = f"channel {channel.name!r}: no alert will be sent: {refusal.reason}"
                refused.append(Issue(("channels", i, "url"), message))
    return unusable, refused


def print_watchlist(watchlist: Watchlist, path: str) -> None:
    """Every kind of watch, then competitors, channels, rules and the report schedule."""
    from rich.table import Table

    counts = watch_counts(watchlist)
    shown = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n or kind == "product")
    console.print(f"{path}: {sum(counts.values())} watches ({shown})")
    for summary in summary_tables(watchlist):
        table = Table(title=summary.title, show_lines=False)
        for col in summary.columns:
            table.add_column(col, overflow="fold")
        for row in summary.rows:
            table.add_row(*row)
        console.print(table)
    for line in summary_lines(watchlist):
        console.print(line)


def print_key_reference() -> None:
    """The keys of a watchlist, from its models: path, type, default and what each does."""
    from rich.table import Table

    table = Table(title="watchlist keys", show_lines=False)
    for col in ("key", "type", "default", "what it does"):
        table.add_column(col, overflow="fold")
    for doc in key_reference(Watchlist):
        table.add_row(doc.path, doc.type, doc.default, doc.description)
    console.print(table)


class CrawlProgress:
    """The progress bar of a run, drawn once the run knows it has watches to check: a run with nothing
    due neither draws one nor imports Rich's progress module."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None
        self.failed = 0

    def start(self, due: int) -> None:
        if due <= 0 or self._bar is not None:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("[bold]crawling"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("crawl", total=due, note="")

    def advance(self, outcome: Outcome[Any]) -> None:
        self.failed += outcome.status == "failed"
        if self._bar is not None:
            self._bar.update(self._task, advance=1, note=f"{self.failed} failed" if self.failed else "")

    def __enter__(self) -> CrawlProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


@click.command()
@config_option
@click.option("--all", "force", is_flag=True, help="Check every watch now, not only those that are due.")
@click.option("--no-alerts", is_flag=True, help="Store changes but do not queue or send alerts.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's warnings.")
def run(config_path: str, force: bool, no_alerts: bool, verbose: bool) -> None:
    """One cycle: crawl every due watch, store observations, detect changes, send alerts, exit."""
    from monitor.crawl.runner import RunInterrupted, run_cycle

    quiet_scrapy_logs(logging.WARNING if verbose else logging.CRITICAL)
    watchlist = load_or_exit(config_path)
    _engine, factory = open_store_or_exit(watchlist, apart=True)
    with CrawlProgress() as progress:
        try:
            summary = run_cycle(
                watchlist,
                factory,
                force=force,
                send_alerts=not no_alerts,
                on_start=progress.start,
                on_outcome=progress.advance,
            )
        except (RunInterrupted, SQLAlchemyError) as exc:
            cause = exc.cause if isinstance(exc, RunInterrupted) else exc
            if not isinstance(cause, SQLAlchemyError):
                raise
            run = f"run {exc.run_id}" if isinstance(exc, RunInterrupted) else "the run"
            err_console.print(
                f"[red]error[/red] the database stopped answering during {run} "
                f"({type(cause).__name__}: {str(getattr(cause, 'orig', None) or cause).splitlines()[0]}). "
                "What was stored before is kept; the next run checks the rest and alerts what this one found."
            )
            raise SystemExit(3) from None
    for r in summary.recovered:
        console.print(
            f"run {r.run_id} had been cut off ({r.observations} checks stored): "
            f"{r.alerts_queued} of its alerts queued now"
        )
    print_summary(summary)


def print_summary(summary, title: str | None = None) -> None:  # noqa: ANN001
    s = summary.stats
    console.print(
        title
        or f"run {summary.run_id}: {summary.due} watches checked in {summary.seconds:.1f}s: "
        f"{s.ok} ok ({s.unchanged} unchanged), {s.failed} failed, {len(summary.changes)} changes"
    )
    for change in summary.changes:
        console.print(f"  • {change.summary}")
    failed = [o for o in s.outcomes if o.status == "failed"]
    for o in failed[:10]:
        console.print(f"  [yellow]✗[/yellow] {o.url}: {o.reason}")
    if len(failed) > 10:
        console.print(f"  … and {len(failed) - 10} more failures (see `rivalwatch status`)")
    if summary.alerts_queued or summary.alerts_sent or summary.alerts_failed:
        console.print(
            f"  alerts: {summary.alerts_queued} queued, {summary.alerts_sent} sent, "
            f"{summary.alerts_failed} failed"
        )
    for error in summary.alert_errors[:5]:
        console.print(f"  [red]alert error[/red] {error}")


@click.command()
@config_option
@click.option("--failing", is_flag=True, help="Only watches whose last check failed.")
def status(config_path: str, failing: bool) -> None:
    """Each watch: last check, last good value, last error, next run; plus the alert backlog."""
    from pathlib import Path

    from monitor.status import (
        cluster_health,
        cluster_lines,
        health,
        service_health,
        service_lines,
        watch_rows,
    )

    watchlist = load_or_exit(config_path) if Path(config_path).exists() else None
    _engine, factory = open_store_or_exit(watchlist)
    now = datetime.now(UTC)

    with factory() as session:
        rows = watch_rows(session)
        h = health(session, now)
        service = service_health(
            session, now, database_url(watchlist.settings.database_url if watchlist else None)
        )
    headers = ("competitor", "watch", "last check", "last good value", "next", "state", "last error")
    cells = [
        (
            r.competitor,
            r.label,
            _ago(r.last_checked_at, now),
            r.value or "-",
            "paused" if r.paused else _ago(r.next_due_at, now),
            _watch_state(r, now),
            f"{r.last_error} ({r.failures}x)" if r.last_error else "",
        )
        for r in rows
        if not failing or r.last_error
    ]
    if len(cells) <= RICH_TABLE_ROWS:
        from rich.table import Table

        table = Table(title="watches")
        for col in headers:
            table.add_column(col, overflow="fold")
        for row in cells:
            table.add_row(*row[:6], f"[red]{escape(row[6])}[/red]" if row[6] else "")
        console.print(table)
    else:
        # Thousands of rows: Rich measures every cell of every column to fit the table, which takes
        # seconds; fixed-width text columns print in milliseconds and read the same.
        click.echo(text_table(headers, cells, (20, 48, 10, 30, 10, 24, 60)))
    console.print(
        f"{h.watches} active watches, {h.failing} failing, {h.due} due now, {h.paused} paused, {h.muted} muted; last run: "
        f"{_ago(h.last_run_at, now)}; outbox: {h.pending} pending, {h.failed_alerts} failed, {h.sent} sent"
    )
    for line in service_lines(service, now):
        console.print(line)
    cluster = cluster_health()  # the roles of a scaled-out deployment, when RIVALWATCH_QUEUE_URL is set
    for line in cluster_lines(cluster, now) if cluster else []:
        console.print(line, soft_wrap=True)


def _watch_state(row, now: datetime) -> str:  # noqa: ANN001
    """Set from the dashboard: paused (never due), muted until a time (checked, no alerts)."""
    parts = ["paused"] if row.paused else []
    if row.muted_until is not None and row.muted_until > now:
        parts.append(f"muted until {row.muted_until:%Y-%m-%d %H:%M} UTC")
    return ", ".join(parts)


RICH_TABLE_ROWS = 300  # above this many rows `status` prints plain text columns


def text_table(headers: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> str:
    """Rows as fixed-width columns, each cell cut to its column's width (the last one is not cut)."""
    fit = [
        min(limit, max([len(h)] + [len(r[i]) for r in rows]))
        for i, (h, limit) in enumerate(zip(headers, widths, strict=True))
    ]

    def line(cells: tuple[str, ...]) -> str:
        out = []
        for i, cell in enumerate(cells):
            cell = " ".join(cell.split())
            if i == len(cells) - 1:
                out.append(cell)
            else:
                cut = cell if len(cell) <= fit[i] else cell[: fit[i] - 1] + "…"
                out.append(cut.ljust(fit[i]))
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in fit)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never" if True else ""
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    text = (
        f"{int(seconds)}s"
        if seconds < 90
        else f"{int(seconds // 60)}m"
        if seconds < 5400
        else f"{seconds / 3600:.1f}h"
        if seconds < 172800
        else f"{seconds / 86400:.1f}d"
    )
    return f"in {text}" if future else f"{text} ago"


@click.group()
def db() -> None:
    """The store's schema."""


@db.command()
@config_option
def upgrade(config_path: str) -> None:
    """Apply database migrations (also done automatically on start)."""
    from pathlib import Path

    watchlist = load_or_exit(config_path) if Path(config_path).exists() else None
    open_store_or_exit(watchlist)
    console.print(
        f"store at {store_location(database_url(watchlist.settings.database_url if watchlist else None))}"
        " is up to date"
    )
