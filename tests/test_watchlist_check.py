"""`rivalwatch check` rejects what `run` and `serve` would reject or misread: every problem of a file in
one pass, each at the line of its entry, with the closest right key, value or name; the loader that
`run` and `serve` use rejects the same files with the same problems; the demo's watchlist passes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from bad_watchlists import ENVIRONMENT_CASES, FILE_CASES
from click.testing import CliRunner

from monitor.cli import main
from monitor.demo import DemoMarket
from monitor.demo.session import demo_session_watchlist
from monitor.watchlist import ConfigError, load_watchlist, load_watchlist_text
from monitor.watchlist.check import check_watchlist
from monitor.watchlist.keys import key_reference, model_at
from monitor.watchlist.schema import Watchlist

Expected = tuple[int, str, str]  # line, field, text in the message

_ERROR = re.compile(r"^error (?P<file>.+?):(?P<line>\d+): (?P<field>.+?): (?P<message>.*)$")


def expected(text: str) -> list[Expected]:
    """The `# ! FIELD: TEXT` markers of a case, with their lines."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        for marker in line.split("# !")[1:]:
            field, _, message = marker.strip().partition(": ")
            out.append((number, field, message.strip()))
    return out


def reported(output: str) -> list[tuple[int, str, str]]:
    return [
        (int(m["line"]), m["field"], m["message"])
        for m in (_ERROR.match(line) for line in output.splitlines())
        if m
    ]


def assert_reported(found: list[tuple[int, str, str]], text: str) -> None:
    want = expected(text)
    assert want, "a case needs markers"
    assert sorted((line, field) for line, field, _ in found) == sorted((line, field) for line, field, _ in want), (
        "\n".join(f"{line}: {field}: {message}" for line, field, message in found)
    )
    for line, field, needle in want:
        messages = [m for n, f, m in found if (n, f) == (line, field)]
        assert any(needle in m for m in messages), (line, field, needle, messages)


def _check(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    path = tmp_path / "watchlist.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)], env=env or {})
    return result.exit_code, result.output, str(path)


@pytest.mark.parametrize("name", sorted(FILE_CASES))
def test_check_reports_every_problem_at_its_line_in_one_pass(tmp_path: Path, name: str) -> None:
    text = FILE_CASES[name]
    code, output, path = _check(tmp_path, text)
    assert code == 2, output
    assert "watchlist OK" not in output
    found = reported(output)
    assert all(line.startswith(f"error {path}:") for line in output.splitlines() if line.startswith("error"))
    assert_reported(found, text)


@pytest.mark.parametrize("name", sorted(FILE_CASES))
def test_the_loader_run_and_serve_use_rejects_the_same_problems(tmp_path: Path, name: str) -> None:
    text = FILE_CASES[name]
    with pytest.raises(ConfigError) as err:
        load_watchlist_text(text, "w.yaml")
    problems = err.value.problems
    assert all(p.file == "w.yaml" for p in problems)
    assert_reported([(p.line or 0, p.field, p.message) for p in problems], text)
    # The file as `run` reads it: the same problems, and the exit code of a failed check.
    path = tmp_path / "watchlist.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as from_file:
        load_watchlist(path)
    assert [(p.line, p.field, p.message) for p in from_file.value.problems] == [
        (p.line, p.field, p.message) for p in problems
    ]


def test_run_refuses_a_bad_watchlist_with_the_same_lines(tmp_path: Path) -> None:
    text = FILE_CASES["many errors in one file"]
    path = tmp_path / "watchlist.yaml"
    path.write_text(text, encoding="utf-8")
    env = {"RIVALWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    result = CliRunner().invoke(main, ["run", "-c", str(path)], env=env)
    assert result.exit_code == 2
    assert_reported(reported(result.output), text)
    assert not (tmp_path / "store.db").exists()  # refused before anything was stored


@pytest.mark.parametrize("name", ["many errors in one file", "keys given twice", "page filters"])
def test_serve_refuses_a_bad_watchlist_at_start_with_the_same_lines(tmp_path: Path, name: str) -> None:
    """The service as a user starts it, in its own process: it stops before it stores anything."""
    text = FILE_CASES[name]
    path = tmp_path / "watchlist.yaml"
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "RIVALWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}", "COLUMNS": "500"}
    env["PYTHONPATH"] = os.pathsep.join((str(Path(__file__).resolve().parents[1]), env["PYTHONPATH"]))  # this checkout's code
    rivalwatch = str(Path(sys.executable).with_name("rivalwatch"))
    done = subprocess.run(
        [rivalwatch, "serve", "-c", str(path)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert_reported(reported(done.stdout + done.stderr), text)
    assert not (tmp_path / "store.db").exists()


@pytest.mark.parametrize("name", sorted(ENVIRONMENT_CASES))
def test_check_asks_the_machine_for_secrets_and_usable_channels(tmp_path: Path, name: str) -> None:
    text = ENVIRONMENT_CASES[name]
    code, output, _ = _check(tmp_path, text)
    assert code == 2, output
    assert_reported(reported(output), text)
    # The file itself is right: the loader takes it (the service reads secrets when it sends).
    load_watchlist_text(text)


def test_secrets_from_the_environment_make_the_same_file_pass(tmp_path: Path) -> None:
    text = ENVIRONMENT_CASES["secrets and Apprise URLs"].replace("nosuchscheme://abc", "json://127.0.0.1:9/x")
    code, output, _ = _check(tmp_path, text, env={"SMTP_PW": "pw", "PROXY_PW": "pw"})
    assert code == 0, output
    assert "watchlist OK" in output


def test_summary_shows_every_kind_of_watch_channels_rules_and_report(tmp_path: Path) -> None:
    text = """
settings: {timezone: Asia/Shanghai}
competitors: [{name: Alpha, domains: [alpha.example]}]
products: [{url: "https://alpha.example/p/1", cron: "0 8 * * *"}]
listings: [{url: "https://alpha.example/c/1"}]
sites: [{url: "https://alpha.example/"}]
pages: [{url: "https://alpha.example/pricing", css: main}]
keywords:
  - name: hubs
    keywords: [usb hub, usb c hub, usb 3 hub]
    engines: [google, bing]
    locales: [{country: us, language: en}, {country: cn, language: zh-CN}]
    devices: [desktop, mobile]
    competitors: [Alpha]
channels: [{name: ops, url: "json://127.0.0.1:9/x"}]
rules: [{name: drop, when: price_drop, channels: [ops]}]
report: {day: fri, time: "09:30", channels: [ops]}
"""
    code, output, path = _check(tmp_path, text)
    assert code == 0, output
    # 3 keywords x 2 engines x 2 locales x 2 devices = 24 keyword watches.
    assert f"{path}: 28 watches (1 product, 1 listing, 1 site, 1 page, 24 keyword)" in output
    for title in ("1 product watches", "1 listing watches", "1 site watches", "1 page watches"):
        assert title in output
    assert "24 keyword watches in 1 group" in output
    assert "rules: drop (price_drop -> ops)" in output
    assert "report: every fri 09:30 Asia/Shanghai" in output
    assert "watchlist OK" in output


def test_key_reference_comes_from_the_models(tmp_path: Path) -> None:
    docs = {d.path: d for d in key_reference(Watchlist)}
    assert docs["products[].url"].default == "required"
    assert docs["settings.default_interval"].default == "6h"
    assert docs["keywords[].engines"].type.startswith("list of google | bing")
    assert "CSS selector" in docs["products[].actions[].click"].description
    assert "keywords[].access.<key>.min_delay" in docs
    assert model_at(Watchlist, ("products", 0, "actions", 1)).__name__ == "PageAction"
    result = CliRunner().invoke(main, ["check", "--keys"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "products[].wait_for" in result.output


def test_a_good_watchlist_has_no_cross_problems() -> None:
    wl = load_watchlist_text("competitors: [{name: A, domains: [a.example]}]\nproducts: [{url: 'https://a.example/1'}]\n")
    assert check_watchlist(wl) == []


def test_the_demo_watchlist_passes_check(tmp_path: Path) -> None:
    """The watchlist `rivalwatch demo` writes (products, listings, sites, pages, keyword groups, the
    catalogue, rules)."""
    market = DemoMarket(seed=7, n_products=10)
    market.start()
    try:
        mail = "mailto://127.0.0.1:2525?from=a@x.example&to=b@y.example&mode=insecure"
        db = f"sqlite:///{tmp_path / 'rivalwatch.db'}"
        data = demo_session_watchlist(market, mail, db, tmp_path / "rates.xml", date(2026, 11, 2))
    finally:
        market.stop()
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    code, output, _ = _check(tmp_path, text)
    assert code == 0, output
    assert "watchlist OK" in output
    for kind in ("product", "listing", "site", "page", "keyword"):
        assert f"{kind} watches" in output


def test_malformed_yaml_is_reported_where_the_parser_stopped_and_where_the_bracket_opened(tmp_path: Path) -> None:
    text = "products:\n  - url: https://a.example/p/1\n    selectors: {price: .p\n  - url: https://a.example/p/2\n"
    code, output, path = _check(tmp_path, text)
    assert code == 2, output
    assert f"error {path}:4: malformed YAML: " in output and "flow mapping at line 3" in output, output
    with pytest.raises(ConfigError) as err:
        load_watchlist_text(text, "w.yaml")
    assert [(p.line, p.field) for p in err.value.problems] == [(4, "")]
