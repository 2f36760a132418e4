"""The report as JSON: every number of the model, for scripts and dashboards (prices as strings,
so no decimal is rounded through a float; times in ISO 8601)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from monitor.report.model import Compare, KeywordPosition, Report


def plain(value: Any) -> Any:
    """The model as JSON-ready data (also what the CSV and the tests read)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Compare):
            out["delta"] = plain(value.delta)
        if isinstance(value, KeywordPosition):
            out["arrow"] = value.arrow
        return out
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return value


def render_json(report: Report, locale: str = "en") -> str:
    data = {"format": "rivalwatch.report/1", "locale": locale, **plain(report)}
    return json.dumps(data, ensure_ascii=False, indent=2)
