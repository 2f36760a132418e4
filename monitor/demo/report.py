"""The end of `rivalwatch demo`: the weekly report of the demo's last seven days, dated now."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from monitor.report import build_and_deliver
from monitor.report.period import zone
from monitor.report.service import report_timezone
from monitor.watchlist import Watchlist

REPORT_DAYS = 7


def demo_days(moments: Sequence[datetime], timezone: str) -> tuple[date, date]:
    """The local days the report covers: the last seven simulated days (all of them in a 7-day demo)."""
    tz = zone(timezone)
    days = [m.astimezone(tz).date() for m in moments[-REPORT_DAYS:]]
    return days[0], days[-1]


def write_demo_report(
    console: Console,
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    moments: Sequence[datetime],
    out_dir: Path,
) -> dict[str, Path]:
    """Write the report of the demo's days (against the seven days before them, which the store does
    not have: those figures are "—"), generated now, and say where it is."""
    first, last = demo_days(moments, report_timezone(watchlist))
    run = build_and_deliver(
        watchlist, session_factory, since=first, until=last, now=datetime.now(UTC), out_dir=out_dir, send=[]
    )
    html = run.files.get("html")
    console.print(
        f"[bold]report[/bold]    {html or out_dir} ({first} to {last}; also "
        + ", ".join(f".{fmt}" for fmt in run.files if fmt != "html")
        + f"; `rivalwatch report -c {out_dir.parent / 'watchlist.yaml'} --since {first} --until {last}`)"
    )
    return run.files
