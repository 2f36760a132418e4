"""The README matches the program: every `rivalwatch` command it shows is accepted as written, every
watchlist example in it loads, and every key the watchlist accepts is documented in it."""

from __future__ import annotations

import re
import shlex
import typing
from pathlib import Path

import click
import pytest
from pydantic import BaseModel

from monitor.cli import main
from monitor.watchlist import load_watchlist_text
from monitor.watchlist.schema import Watchlist

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README) if lang == language]


def commands() -> list[str]:
    """Every `rivalwatch ...` line of the README's shell blocks and command table, comments cut."""
    lines = []
    for body in blocks("sh"):
        for line in body.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            line = re.sub(r"^\.venv/bin/", "", line)
            if line.startswith("rivalwatch "):
                lines.append(line)
    lines += [m for m in re.findall(r"^\| `(rivalwatch [^`]+)`", README, re.M)]
    return lines


def _args(line: str) -> list[str]:
    """A README command as arguments: optional parts `[--x]` kept, `a|b` alternatives take the last."""
    text = line.replace("[", "").replace("]", "")
    text = re.sub(r"\b(\w+)(\|\w+)+\b", lambda m: m.group(0).split("|")[-1], text)
    return shlex.split(text)[1:]


def _parse(args: list[str]) -> None:
    """Parse like the CLI would, down to the last subcommand, without running anything."""
    cmd: click.Command = main
    ctx = cmd.make_context("rivalwatch", list(args), resilient_parsing=False)
    while isinstance(cmd, click.Group):
        rest = [*ctx._protected_args, *ctx.args]  # noqa: SLF001 - click keeps the subcommand here
        if not rest:
            return
        name, sub, rest = cmd.resolve_command(ctx, rest)
        assert sub is not None, name
        cmd, ctx = sub, sub.make_context(name or "", rest, parent=ctx)


@pytest.mark.parametrize("line", commands())
def test_every_command_in_the_readme_is_accepted(line: str) -> None:
    try:
        _parse(_args(line))
    except click.UsageError as exc:
        pytest.fail(f"README: `{line}`: {exc.format_message()}")


def test_the_readme_shows_the_commands_people_reach_for() -> None:
    shown = " ".join(commands())
    for needed in ("alerts test -c", "status -c", "run -c", "report --week", "demo --serve"):
        assert needed in shown, needed


def _models(annotation: object) -> list[type[BaseModel]]:
    out, stack = [], [annotation]
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, BaseModel):
            out.append(a)
        else:
            stack += typing.get_args(a)
    return out


def watchlist_keys() -> set[tuple[str, str]]:
    """(section path, key as users write it) for every key the watchlist accepts."""
    keys: set[tuple[str, str]] = set()
    seen: set[type] = set()

    def walk(model: type[BaseModel], path: str) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            key = field.alias or name
            keys.add((path, key))
            for sub in _models(field.annotation):
                walk(sub, f"{path}.{key}" if path else key)

    walk(Watchlist, "")
    return keys


def test_every_rule_condition_is_documented() -> None:
    from monitor.kinds import RULE_KINDS

    missing = sorted(w for w in [*RULE_KINDS, "any", "anomaly"] if f"`{w}`" not in README)
    assert not missing, missing


def test_every_watchlist_key_is_documented() -> None:
    documented = set(re.findall(r"`([a-z_.]+)`", README)) | set(re.findall(r"^\s*-?\s*([a-z_.]+):", README, re.M))
    missing = sorted(f"{path}.{key}" if path else key for path, key in watchlist_keys() if key not in documented)
    assert not missing, f"keys the watchlist accepts but the README never names: {missing}"


@pytest.mark.parametrize("index", range(len([b for b in blocks("yaml") if "url:" in b or "settings:" in b])))
def test_every_watchlist_example_loads(index: int) -> None:
    examples = [b for b in blocks("yaml") if "url:" in b or "settings:" in b]
    text = examples[index]
    if not re.match(r"^(settings|competitors|products|listings|sites|pages|keywords|channels|rules|report):", text, re.M):
        pytest.skip("a fragment of a watch, shown inside its section")
    if not re.search(r"^competitors:", text, re.M):  # an example of one section names its competitors only
        names = sorted(set(re.findall(r"competitor: (\w[\w ]*)", text)))
        text = "competitors:\n" + "".join(f"  - {{name: {n}}}\n" for n in names) + text if names else text
    load_watchlist_text(text, f"README example {index}")
