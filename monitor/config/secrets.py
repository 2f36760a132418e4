"""Secrets in the watchlist: `${NAME}` placeholders filled from the environment or a secrets file,
and the values they stand for masked (`***`) in every log line, message and status output."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, quote_plus

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def load_secrets_file(path: str | os.PathLike[str] | None) -> dict[str, str]:
    """KEY=VALUE lines (comments with #) used to fill ${KEY} placeholders besides the environment."""
    if not path:
        return {}
    secrets: dict[str, str] = {}
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            secrets[key.strip()] = value.strip().strip('"').strip("'")
    return secrets


def missing_env_refs(text: str, env: Mapping[str, str]) -> list[str]:
    return [name for name in _ENV_REF.findall(text) if name not in env]


def expand_env_refs(text: str, env: Mapping[str, str]) -> str:
    """Fill ${NAME} placeholders; a missing one raises KeyError naming it."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise KeyError(name)
        return env[name]

    return _ENV_REF.sub(sub, text)


def secret_values(text: str, env: Mapping[str, str]) -> list[str]:
    """The values that ${NAME} placeholders in `text` stand for: these are masked in all output."""
    return [env[name] for name in _ENV_REF.findall(text) if env.get(name)]


def _spellings(value: str) -> set[str]:
    """A secret as it may appear in a log line: as it is, and URL-encoded (a password in a channel
    or proxy URL is logged percent-encoded, spaces as %20 or +, in upper or lower case hex)."""
    forms = {value, quote(value, safe=""), quote(value, safe="@:"), quote_plus(value)}
    forms |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), f) for f in forms}
    return forms


def mask_secrets(text: str, secrets: list[str] | tuple[str, ...]) -> str:
    forms = {form for value in set(secrets) if len(value) >= 3 for form in _spellings(value)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def resolve_env(env: Mapping[str, str] | None = None, secrets_file: str | None = None) -> dict[str, str]:
    """Values for ${NAME}: the secrets file, overridden by the environment (or the mapping given)."""
    values = load_secrets_file(secrets_file)
    values.update(os.environ if env is None else env)
    return values
