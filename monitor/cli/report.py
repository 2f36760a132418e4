"""`rivalwatch report`: build the weekly competitor report, write its files and (optionally) send it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from monitor.cli.common import config_option, load_or_exit, open_store_or_exit
from monitor.report import build_and_deliver
from monitor.report.deliver import DeliveryError
from monitor.report.period import PeriodError


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date: {value!r} (use YYYY-MM-DD)") from None


@click.command("report")
@config_option
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: the last full week)")
@click.option("--since", help="first day (YYYY-MM-DD), instead of --week")
@click.option("--until", help="last day (YYYY-MM-DD), inclusive")
@click.option("--competitor", "competitors", multiple=True, help="only this competitor (repeatable)")
@click.option(
    "--format", "formats", help="comma-separated: html,md,csv,json (default: the watchlist's report.formats)"
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="folder for the files (default: report.out_dir)",
)
@click.option("--send", "send", multiple=True, help="channel name to send to (repeatable; default: none)")
@click.option("--locale", type=click.Choice(["en", "zh-CN"]), help="language (default: report.locale)")
def command(config_path, week, since, until, competitors, formats, out_dir, send, locale) -> None:  # noqa: ANN001
    """Build the weekly competitor report: this week against last week, per competitor.

    \b
    rivalwatch report --week 2026-W47 --format html,md --out reports/
    rivalwatch report --since 2026-11-01 --until 2026-11-14 --competitor Alpha --send ops-mail
    """

    watchlist = load_or_exit(config_path)
    fmts = [f.strip() for f in formats.split(",") if f.strip()] if formats else None
    bad = [f for f in fmts or () if f not in ("html", "md", "csv", "json")]
    if bad:
        raise click.BadParameter(
            f"unknown format(s) {', '.join(bad)} (use html, md, csv, json)", param_hint="--format"
        )
    _engine, factory = open_store_or_exit(watchlist)
    try:
        run = build_and_deliver(
            watchlist,
            factory,
            week=week,
            since=_date(since),
            until=_date(until),
            competitors=list(competitors) or None,
            formats=fmts,
            locale=locale,
            out_dir=Path(out_dir) if out_dir else None,
            send=list(send),
        )
    except (PeriodError, DeliveryError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    r = run.report
    click.echo(f"report {r.period_label} ({r.first_day} to {r.last_day}, {r.timezone}): "
               f"{len(r.competitors)} competitors, {len(r.summary)} summary lines, built in {run.seconds:.2f} s")  # fmt: skip
    for fmt, path in run.files.items():
        click.echo(f"  {fmt:5} {path}")
    failed = False
    for result in run.results:
        click.echo(f"  sent to {result.channel}: " + ("ok" if result.ok else f"FAILED: {result.error}"))
        failed |= not result.ok
    if failed:
        raise SystemExit(1)
