"""The end of `rivalwatch demo`: the weekly report of the week the demo's simulated days fall in."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console

from monitor.report import build_and_deliver
from monitor.report.period import zone
from monitor.report.service import report_timezone


def demo_week(start: datetime, days: int, timezone: str) -> str:
    """The ISO week holding most of the simulated days (the later one on a tie)."""

    tz = zone(timezone)
    weeks = Counter()
    for d in range(max(days, 1)):
        year, week, _ = (start + timedelta(days=d)).astimezone(tz).isocalendar()
        weeks[(year, week)] += 1
    year, week = max(weeks, key=lambda k: (weeks[k], k))
    return f"{year}-W{week:02d}"


def write_demo_report(
    console: Console,
    watchlist,
    session_factory,
    start: datetime,
    days: int,
    out_dir: Path,  # noqa: ANN001
) -> dict[str, Path]:

    week = demo_week(start, days, report_timezone(watchlist))
    run = build_and_deliver(
        watchlist, session_factory, week=week, now=start + timedelta(days=days), out_dir=out_dir, send=[]
    )
    html = run.files.get("html")
    console.print(
        f"[bold]report[/bold]    {html or out_dir} (week {week}; also "
        + ", ".join(f".{fmt}" for fmt in run.files if fmt != "html")
        + f"; `rivalwatch report -c {out_dir.parent / 'watchlist.yaml'} --week {week}`)"
    )
    return run.files
