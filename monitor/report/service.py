"""The report's front door: store -> report -> files -> channels, and when the next one is due.

`build_and_deliver(watchlist, session_factory, week=..., now=...)` is what the service calls on its
weekly schedule and what `rivalwatch report` calls; `next_report_at` tells the scheduler when.
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from alerts.channel_addresses import AddressRules
from alerts.channels import ChannelResult
from monitor.config.report_settings import WEEKDAYS
from monitor.report import period as periods
from monitor.report.builder import build_report, charted_watches
from monitor.report.deliver import deliver_report, pick_channels
from monitor.report.model import Report
from monitor.report.queries import load_lines, load_report_data
from monitor.report.render_csv import render_csv
from monitor.report.render_html import render_html
from monitor.report.render_json import render_json
from monitor.report.render_md import render_md

RENDERERS = {"html": render_html, "md": render_md, "csv": render_csv, "json": render_json}


@dataclass
class ReportRun:
    report: Report
    files: dict[str, Path]
    results: list[ChannelResult] = field(default_factory=list)
    seconds: float = 0.0


def report_timezone(watchlist) -> str:  # noqa: ANN001
    return watchlist.report.timezone or watchlist.settings.timezone


def choose_period(
    timezone: str,
    *,
    week: str | None = None,
    since: date | None = None,
    until: date | None = None,
    now: datetime | None = None,
) -> periods.ReportPeriod:
    """--week, or --since/--until, or else the last full week before `now`."""
    if week and (since or until):
        raise periods.PeriodError("give either --week or --since/--until, not both")
    if week:
        return periods.iso_week(week, timezone)
    if since or until:
        now_day = (now or datetime.now(UTC)).astimezone(periods.zone(timezone)).date()
        last = until or now_day
        first = since or last - timedelta(days=6)
        return periods.date_range(first, last, timezone)
    return periods.last_full_week(now or datetime.now(UTC), timezone)


def build(
    session_factory: sessionmaker[Session],
    period: periods.ReportPeriod,
    *,
    rules: Sequence = (),
    competitors: Sequence[str] | None = None,
    generated_at: datetime | None = None,
    catalogue_currency: str | None = None,
) -> Report:
    """Load the period's data (one read transaction) and build the report model; with our
    catalogue's currency, its price position section too."""
    with session_factory() as session:
        data = load_report_data(session, period, catalogue_currency, competitors)
        load_lines(session, data, charted_watches(data, competitors))
    return build_report(data, rules=rules, wanted=competitors, generated_at=generated_at or datetime.now(UTC))


def file_stem(report: Report) -> str:
    return f"rivalwatch-report-{report.period_label.replace('..', '_')}"


def write_report(report: Report, out_dir: Path, formats: Sequence[str], locale: str) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {}
    for fmt in formats:
        path = out_dir / f"{file_stem(report)}.{fmt}"
        path.write_text(RENDERERS[fmt](report, locale), encoding="utf-8")
        files[fmt] = path
    return files


def build_and_deliver(
    watchlist,  # noqa: ANN001  (monitor.config.Watchlist)
    session_factory: sessionmaker[Session],
    *,
    week: str | None = None,
    since: date | None = None,
    until: date | None = None,
    now: datetime | None = None,
    competitors: Sequence[str] | None = None,
    formats: Sequence[str] | None = None,
    locale: str | None = None,
    out_dir: Path | None = None,
    send: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> ReportRun:
    """Build the report, write its files, send it. Defaults come from the watchlist's `report:`
    section: the last full week before `now`, its formats, locale, folder and channels."""

    cfg = watchlist.report
    started = _time.perf_counter()
    period = choose_period(report_timezone(watchlist), week=week, since=since, until=until, now=now)
    channels = pick_channels(watchlist.channels, cfg.channels if send is None else send)
    report = build(
        session_factory,
        period,
        rules=watchlist.rules,
        competitors=competitors if competitors is not None else (cfg.competitors or None),
        generated_at=now,
        catalogue_currency=watchlist.catalogue.currency if watchlist.catalogue is not None else None,
    )
    files = write_report(report, Path(out_dir or cfg.out_dir), formats or cfg.formats, locale or cfg.locale)
    run = ReportRun(report, files)
    if channels:
        secrets = watchlist.settings.secrets_file
        rules = AddressRules.of(watchlist.settings)
        run.results = deliver_report(report, files, channels, env=env, secrets_file=secrets, rules=rules)
    run.seconds = _time.perf_counter() - started
    return run


def next_report_at(watchlist, after: datetime) -> datetime:  # noqa: ANN001
    """The first scheduled report time strictly after `after` (aware UTC): `report.day` at
    `report.time` in the report's time zone."""
    cfg = watchlist.report
    tz = periods.zone(report_timezone(watchlist))
    local = after.astimezone(tz)
    target = WEEKDAYS.index(cfg.day)
    day = local.date() + timedelta(days=(target - local.weekday()) % 7)
    while True:
        moment = datetime.combine(day, cfg.time, tzinfo=tz)
        if moment > local:
            return moment.astimezone(UTC)
        day += timedelta(days=7)


def run_scheduled(watchlist, session_factory: sessionmaker[Session], now: datetime) -> ReportRun:  # noqa: ANN001
    """The service's weekly hook (monitor/service/report_job.py): the last full week before `now`,
    written to the report's folder and sent to its channels."""
    return build_and_deliver(watchlist, session_factory, now=now)
