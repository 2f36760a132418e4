"""The service finds the report hook and the hook writes the last full week's report."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.service.report_job import find_report_hook, report_due
from monitor.watchlist import load_watchlist_text


def test_service_hook_writes_the_last_full_week(store, tmp_path) -> None:  # noqa: ANN001
    _engine, factory = store
    hook = find_report_hook()
    assert hook is not None
    wl = load_watchlist_text(f"report: {{day: mon, time: '08:00', out_dir: '{tmp_path}', formats: [md, json]}}")
    now = datetime(2026, 11, 23, 1, tzinfo=UTC)  # Monday 09:00 in UTC+8 would be later; any moment works
    run = hook(wl, factory, now)
    assert set(run.files) == {"md", "json"} and all(p.exists() for p in run.files.values())
    assert "2026-W47" in run.files["md"].name
    # Due once the Monday 08:00 fire time has passed since the last run.
    assert report_due(wl, datetime(2026, 11, 22, tzinfo=UTC), datetime(2026, 11, 23, 9, tzinfo=UTC))
    assert not report_due(wl, datetime(2026, 11, 23, 9, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC))
