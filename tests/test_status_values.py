"""`status` shows every kind's last good value (a listing's item count, a keyword's ranks, not "-"),
and prints thousands of watches as plain columns (bench/status.py times it on 5,000)."""

from __future__ import annotations

from click.testing import CliRunner

from bench.status import seed
from models.db import open_store
from monitor.cli import main
from monitor.status import watch_rows


def test_listings_and_keywords_show_their_last_good_value(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'rw.db'}"
    seed(url, 40)
    _engine, factory = open_store(url)
    with factory() as s:
        rows = {r.watch_id: r.value for r in watch_rows(s)}
    assert rows[1] == "100.49 EUR · in_stock"  # a product (watch 1: kind product)
    assert rows[9] == "25 items on 3 pages"  # a listing
    assert rows[10] == "ours.test #1, rival.test -"  # a keyword: our rank, a rival not in the results
    assert None not in rows.values()


def test_status_of_many_watches_prints_one_line_each(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'rw.db'}"
    seed(url, 600)
    result = CliRunner().invoke(
        main, ["status", "-c", str(tmp_path / "none.yaml")], env={"RIVALWATCH_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["competitor", "watch"]
    watch_lines = [ln for ln in lines if ln.startswith("Shop ") and "item number" in ln]
    assert len(watch_lines) == 600
    assert any("HTTP 503 (the site is down or overloaded) (2x)" in ln for ln in watch_lines)
    assert any("items on" in ln for ln in watch_lines) and any("ours.test #" in ln for ln in watch_lines)
