"""The weekly competitor report: store -> report model (pure builder) -> HTML / Markdown / CSV / JSON
-> Apprise channels. `build_and_deliver` is the entry point for the CLI and the service."""

from monitor.report.model import Report
from monitor.report.period import ReportPeriod, iso_week, last_full_week, week_of
from monitor.report.service import ReportRun, build, build_and_deliver, next_report_at, write_report

__all__ = [
    "Report",
    "ReportPeriod",
    "ReportRun",
    "build",
    "build_and_deliver",
    "iso_week",
    "last_full_week",
    "next_report_at",
    "week_of",
    "write_report",
]
