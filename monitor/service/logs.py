"""The service's structured log: one JSON object per line, one line per crawl and per delivery.

Lines go to stderr by default or to a file (e.g. var/service.log). Every line has `ts` (UTC, ISO 8601),
`level` and `event`; the rest are the event's fields. Service events are logged with
`event(log, "crawl", run_id=..., ...)`; the alert dispatcher's own per-delivery records
(`alert delivery id=.. channel=.. status=..`) are turned into `"event": "delivery"` lines with the same
fields, so one reader (`jq`, a log shipper) handles both. Secrets never reach this module unmasked:
the dispatcher masks its errors before logging them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

LOGGER = "rivalwatch.service"
_PAIR = re.compile(r"(\w+)=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\S+)")


def event(log: logging.Logger, name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one structured event (a JSON line once `install` has set the formatter up)."""
    log.log(level, name, extra={"rw_event": name, "rw_fields": fields})


def _value(text: str) -> Any:
    if text[:1] in "'\"" and text[-1:] == text[:1]:
        return text[1:-1]
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
        }
        name = getattr(record, "rw_event", None)
        if name is not None:
            line["event"] = name
            line.update(getattr(record, "rw_fields", {}))
        else:
            message = record.getMessage()
            if message.startswith("alert delivery "):
                line["event"] = "delivery"
                line.update({k: _value(v) for k, v in _PAIR.findall(message)})
            else:
                line["event"] = "log"
                line["logger"] = record.name
                line["message"] = message
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(line, ensure_ascii=False, default=str)


def install(log_file: str | Path | None = None, stream: TextIO | None = None) -> logging.Handler:
    """Send the service's and the dispatcher's records as JSON lines to `log_file` or stderr."""
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    for name in (LOGGER, "rivalwatch.alerts"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return handler


def uninstall(handler: logging.Handler) -> None:
    for name in (LOGGER, "rivalwatch.alerts"):
        logging.getLogger(name).removeHandler(handler)
    handler.close()


def log_recovered(log: logging.Logger, recovered: Any) -> None:
    """One "recovered" line for a dead run closed (a `monitor.crawl.recovery.Recovered`)."""
    event(
        log,
        "recovered",
        run_id=recovered.run_id,
        observations=recovered.observations,
        alerts_queued=recovered.alerts_queued,
    )
