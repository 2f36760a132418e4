"""The `--batch MANIFEST.jsonl` of the `extract` commands: one `{"file": ..., "url": ...}` a line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ManifestLine:
    """One line of a manifest: the file and URL it names, or why it could not be read."""

    number: int  # from 1, as editors count
    file: str | None  # as written (None: see `error`)
    url: str | None = None
    error: str | None = None


def read_manifest(manifest: Path) -> list[ManifestLine]:
    """Every non-blank line of `manifest`; a line that is no JSON object with a "file" is kept with
    its error, so each command decides whether it stops there or reports it and goes on."""
    lines = []
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            lines.append(ManifestLine(number, str(entry["file"]), entry.get("url")))
        except (ValueError, KeyError, TypeError) as exc:
            lines.append(ManifestLine(number, None, error=str(exc)))
    return lines
