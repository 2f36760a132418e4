"""Load a watchlist YAML file into a validated `Watchlist`, with every problem at its file:line.

One pass finds them all: pydantic's field errors in every entry, then the checks across entries
(`monitor.watchlist.check`) on whatever parsed, each mapped from its path (`rules[3].channels[0]`) to
the YAML line of the entry it is about. Unknown keys and values get the closest allowed one. `run`,
`serve` (on start and on reload) and `check` all load through here, so they reject the same files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from monitor.config.suggest import did_you_mean
from monitor.watchlist.check import Issue, check_watchlist, declared_in
from monitor.watchlist.keys import list_item_type, model_at, unwrap
from monitor.watchlist.schema import Watchlist

# libyaml when present: a 2,000-watch file loads in a tenth of the time.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Loc = tuple[str | int, ...]


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


def _line_index(node: yaml.Node, path: Loc = (), index: dict[Loc, int] | None = None) -> dict[Loc, int]:
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


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def field_name(path: Sequence[str | int]) -> str:
    """`rules[3].channels[0]`; a key that is not a plain word is quoted: `weights["usb hub"]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(str(part)):
            out += f".{part}" if out else str(part)
        else:
            out += f'["{part}"]'
    return out


class SourceMap:
    """Where each path of a watchlist is in its file; the node tree is built only when asked."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file

    @cached_property
    def lines(self) -> dict[Loc, int]:
        node = yaml.compose(self.text, Loader=_LOADER)
        return _line_index(node) if node is not None else {}

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of the deepest part of `path` the file has (an entry, if not its key)."""
        loc = tuple(path)
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.lines:
                return self.lines[loc[:n]]
        return None

    def problem(self, path: Sequence[str | int], message: str) -> ConfigProblem:
        return ConfigProblem(self.file, self.line(path), field_name(path), message)


@dataclass(frozen=True)
class LoadedWatchlist:
    """A valid watchlist and where its parts are in the file (for problems found later, e.g. by `check`)."""

    watchlist: Watchlist
    source: SourceMap


def _allowed(expected: str) -> list[str]:
    """pydantic's "'http' or 'browser'" as ['http', 'browser']."""
    return re.findall(r"'([^']*)'", expected)


def _field_message(err: Mapping[str, Any], loc: Loc, is_key: bool) -> str:
    """pydantic's message, or ours where we can say more (the closest key or value allowed)."""
    if err["type"] == "extra_forbidden":
        model = model_at(Watchlist, loc[:-1])
        keys = list(model.model_fields) if model is not None else []
        hint = did_you_mean(loc[-1], keys) if loc else ""
        return f"unknown key{hint}" if hint else "unknown key (`rivalwatch check --keys` lists the keys allowed here)"
    if err["type"] == "literal_error":
        allowed = _allowed(str(err.get("ctx", {}).get("expected", "")))
        what = "unknown key" if is_key else f"unknown value {err.get('input')!r}"
        return f"{what}{did_you_mean(err.get('input'), allowed)} (one of: {', '.join(allowed)})"
    return str(err["msg"]).removeprefix("Value error, ")


def _field_issues(exc: ValidationError) -> list[Issue]:
    issues = []
    for err in exc.errors():
        raw = tuple(err["loc"])
        loc = tuple(
            p for p in raw if not (isinstance(p, str) and (p.startswith(("function-", "literal[")) or p == "[key]"))
        )
        issues.append(Issue(loc, _field_message(err, loc, is_key="[key]" in raw)))
    return issues


@lru_cache(maxsize=64)
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


_UNPARSED = object()


def _salvage(tp: Any, raw: object) -> Any:
    """`raw` parsed as `tp`, leaving out the keys that fail (their defaults stand in), or _UNPARSED
    when the entry fails as a whole. Only the checks across entries read the result: the errors of
    the keys left out are reported already."""
    for _ in range(4):  # leaving a key out may let a model validator run that fails in turn
        try:
            return _adapter(tp).validate_python(raw)
        except ValidationError as exc:
            bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
            if not isinstance(raw, Mapping) or any(not err["loc"] for err in exc.errors()) or not bad & raw.keys():
                return _UNPARSED
            kept = {k: v if k not in bad else _salvage_items(tp, k, v) for k, v in raw.items()}
            raw = {k: v for k, v in kept.items() if v is not _UNPARSED}
    return _UNPARSED


def _salvage_items(tp: Any, key: object, raw: object) -> Any:
    """A failing list of entries inside an entry (the catalogue's products), each salvaged on its
    own so that the checks across them (an SKU given twice) still see them all; _UNPARSED when one
    fails as a whole (leaving it out would shift the indexes the problems are reported at)."""
    model = unwrap(tp)
    is_model = isinstance(model, type) and issubclass(model, BaseModel)
    field = model.model_fields.get(key) if is_model and isinstance(key, str) else None
    item = list_item_type(field.annotation) if field is not None else None
    if not (isinstance(item, type) and issubclass(item, BaseModel)) or not isinstance(raw, list):
        return _UNPARSED  # a list of plain values fails by its values: left out as a whole
    items = [_salvage(item, entry) for entry in raw]
    return _UNPARSED if any(i is _UNPARSED for i in items) else items


def _partial(data: Mapping[str, Any]) -> tuple[Watchlist, dict[str, list[int]]]:
    """What parses, as a watchlist (for the checks across entries), and per section the original
    index of each entry kept (an entry that fails as a whole is left out; its errors are known)."""
    values: dict[str, Any] = {}
    kept: dict[str, list[int]] = {}
    for name, field in Watchlist.model_fields.items():
        if name not in data:
            continue
        raw, item = data[name], list_item_type(field.annotation)
        if item is not None and isinstance(raw, list):
            values[name], kept[name] = [], []
            for i, entry in enumerate(raw):
                parsed = _salvage(item, entry)
                if parsed is not _UNPARSED:
                    values[name].append(parsed)
                    kept[name].append(i)
        else:
            parsed = _salvage(field.annotation, raw)
            if parsed is not _UNPARSED:
                values[name] = parsed  # else the section's default stands in
    return Watchlist.model_construct(**values), kept


def _original(path: Loc, kept: dict[str, list[int]]) -> Loc:
    if len(path) > 1 and isinstance(path[0], str) and path[0] in kept and isinstance(path[1], int):
        return (path[0], kept[path[0]][path[1]], *path[2:])
    return path


def _problems(issues: list[Issue], source: SourceMap) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for issue in issues:
        message = issue.message
        first_line = source.line(issue.first) if issue.first is not None else None
        if first_line:
            message += f" (first at line {first_line})"
        problem = source.problem(issue.path, message)
        if problem not in problems:
            problems.append(problem)
    # In file order: a user fixes them top to bottom.
    return sorted(problems, key=lambda p: p.line or 0)


class _KeysOnce(_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, noting each key a mapping gives twice: YAML keeps the last one silently, so a
    second `products:` would drop every watch of the first."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.twice: list[tuple[int, int]] = []  # (line of the repeat, line of the first)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[object, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                line = key_node.start_mark.line + 1
                if key_node.value in first:
                    self.twice.append((line, first[key_node.value]))
                first.setdefault(key_node.value, line)
        return super().construct_mapping(node, deep)


def _keys_given_twice(twice: list[tuple[int, int]], source: SourceMap) -> list[Issue]:
    """An issue for each repeated key, at its path (the node tree is built only when a file has one)."""
    if not twice:
        return []
    by_line = {line: path for path, line in source.lines.items() if path and isinstance(path[-1], str)}
    return [
        Issue(by_line.get(line, ()), f"key given twice: YAML keeps only this one (first at line {first})")
        for line, first in twice
    ]


def _parse_yaml(text: str, file: str) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """The document and the (line, first line) of each key given twice."""
    loader = _KeysOnce(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        context, opened = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and opened and mark and opened.line != mark.line:
            problem += f" ({context} at line {opened.line + 1})"  # an unclosed bracket: where it opened
        raise ConfigError([ConfigProblem(file, line, "", f"malformed YAML: {problem}")]) from None
    finally:
        loader.dispose()
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem(file, 1, "", "the watchlist must be a mapping (settings:, products:, ...)")])
    return data, loader.twice


def parse_watchlist_text(text: str, file: str = "<watchlist>") -> LoadedWatchlist:
    """The watchlist and its source map, or ConfigError with every problem of the file."""
    data, twice = _parse_yaml(text, file)
    source = SourceMap(text, file)
    given_twice = _keys_given_twice(twice, source)
    try:
        watchlist = Watchlist.model_validate(data)
    except ValidationError as exc:
        # Some entries are wrong: check across the ones that parsed too, so one round shows everything.
        partial, kept = _partial(data)
        cross = check_watchlist(partial, declared_in(data))
        issues = given_twice + _field_issues(exc) + [
            Issue(_original(i.path, kept), i.message, _original(i.first, kept) if i.first else None) for i in cross
        ]
        raise ConfigError(_problems(issues, source)) from None
    issues = given_twice + check_watchlist(watchlist)
    if issues:
        raise ConfigError(_problems(issues, source))
    return LoadedWatchlist(watchlist, source)


def load_watchlist_text(text: str, file: str = "<watchlist>") -> Watchlist:
    return parse_watchlist_text(text, file).watchlist


def read_watchlist(path: str | os.PathLike[str]) -> LoadedWatchlist:
    """Read and load a watchlist file (ConfigError names the file when it cannot be read)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(str(p), None, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigProblem(str(p), None, "", f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise ConfigError([ConfigProblem(str(p), None, "", exc.strerror or str(exc))]) from None
    return parse_watchlist_text(text, str(p))


def load_watchlist(path: str | os.PathLike[str]) -> Watchlist:
    return read_watchlist(path).watchlist
