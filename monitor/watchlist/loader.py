"""Load a watchlist YAML file into a validated `Watchlist`, with errors that name file, line and field."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from monitor.watchlist.schema import Watchlist


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ConfigError(Exception):
    """The watchlist could not be loaded; `problems` lists every one found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _line_index(node: yaml.Node, path: tuple = (), index: dict | None = None) -> dict[tuple, int]:
    """Map each key path in the YAML document to its 1-based line."""
    index = {} if index is None else index
    index.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            index[(*path, key)] = key_node.start_mark.line + 1
            _line_index(value_node, (*path, key), index)
            index[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_index(item, (*path, i), index)
    return index


def _field_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_watchlist_text(text: str, file: str = "<watchlist>") -> Watchlist:
    # libyaml when present: a 2,000-watch file loads in a tenth of the time.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506  (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([ConfigProblem(file, line, "", f"malformed YAML: {problem}")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem(file, 1, "", "the watchlist must be a mapping (settings:, products:, ...)")])
    try:
        return Watchlist.model_validate(data)
    except ValidationError as exc:
        # Only now is the node tree worth building: it maps each field to its line for the messages.
        node = yaml.compose(text, Loader=loader)
        lines = _line_index(node) if node is not None else {}
        problems = []
        for err in exc.errors():
            loc = tuple(
                p
                for p in err["loc"]
                if not (isinstance(p, str) and (p.startswith(("function-", "literal[")) or p == "[key]"))
            )
            line = None
            for n in range(len(loc), -1, -1):
                if loc[:n] in lines:
                    line = lines[loc[:n]]
                    break
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key (check the spelling; see README for the keys allowed here)"
            problems.append(ConfigProblem(file, line, _field_name(loc), msg.removeprefix("Value error, ")))
        raise ConfigError(problems) from None


def load_watchlist(path: str | os.PathLike[str]) -> Watchlist:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(str(p), None, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigProblem(str(p), None, "", f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise ConfigError([ConfigProblem(str(p), None, "", exc.strerror or str(exc))]) from None
    return load_watchlist_text(text, str(p))
