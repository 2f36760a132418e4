"""What a valid watchlist needs from the machine it runs on: the secrets file, a value for every
`${NAME}` placeholder (channel URLs, engine proxies) in the environment or that file, and the
catalogue's files (imports and rates).

These are not the file's own mistakes: the same watchlist is right on the server that has the
secrets and wrong on a laptop that has not. So the loader leaves them alone and `rivalwatch check`
asks them of the machine it runs on, reporting them like every other problem, at their lines.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from monitor.config.secrets import load_secrets_file, missing_env_refs
from monitor.watchlist.check import Issue
from monitor.watchlist.schema import Watchlist


def read_environment(watchlist: Watchlist, environ: Mapping[str, str] | None = None) -> tuple[dict[str, str], list[Issue]]:
    """Values for `${NAME}` (the secrets file, overridden by the environment), and a problem when the
    secrets file cannot be read (`run` would stop on it)."""
    env = dict(os.environ if environ is None else environ)
    path = watchlist.settings.secrets_file
    try:
        return load_secrets_file(path) | env, []
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return env, [Issue(("settings", "secrets_file"), f"cannot read the secrets file {path}: {reason}")]


def _missing(path: tuple[str | int, ...], text: str, env: Mapping[str, str], what: str) -> Iterator[Issue]:
    for name in missing_env_refs(text, env):
        yield Issue(path, f"environment variable {name} is not set ({what})")


def missing_secrets(watchlist: Watchlist, env: Mapping[str, str]) -> list[Issue]:
    """Every `${NAME}` the environment and the secrets file leave unfilled, at its key."""
    issues: list[Issue] = []
    for i, channel in enumerate(watchlist.channels):
        issues += _missing(("channels", i, "url"), channel.url, env, f"channel {channel.name!r}")
    for i, group in enumerate(watchlist.keywords):
        for engine, access in group.access.items():
            for j, proxy in enumerate(access.proxies):
                path = ("keywords", i, "access", engine, "proxies", j)
                issues += _missing(path, proxy, env, f"proxy of {engine} for group {group.name!r}")
    return issues


def unreadable_files(watchlist: Watchlist) -> list[Issue]:
    """The catalogue's files this machine cannot read, at their keys: the service would log the import
    as failed at every run and compare against nothing."""
    catalogue = watchlist.catalogue
    if catalogue is None:
        return []
    files: list[tuple[tuple[str | int, ...], str | None]] = [
        (("catalogue", "imports", i, "file"), source.file) for i, source in enumerate(catalogue.imports)
    ]
    if catalogue.rates is not None:
        files.append((("catalogue", "rates", "file"), catalogue.rates.file))
    issues = []
    for path, file in files:
        if file is None:
            continue
        try:
            with Path(file).expanduser().open("rb"):  # read as the import reads it (catalogue_cycle.read_source)
                pass
        except OSError as exc:
            issues.append(Issue(path, f"cannot read {file}: {exc.strerror or exc}"))
    return issues
