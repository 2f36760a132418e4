"""The migrations 0001..0022_web_feed were squashed into one baseline that keeps the old head's id.

A store the old chain migrated all the way (every one of its six heads in `alembic_version`) has the
baseline's schema and is adopted as it is; a store at an older revision is refused with a message that
names the revision and what to do, on SQLite and PostgreSQL, here, in a child process and in the CLI.
The old stores are made by writing what the old chain left in `alembic_version` onto a baseline store:
the adoption reads nothing else, and the schemas themselves were compared table by table when the
chain was squashed (tests/test_schema.py holds the baseline to the models).
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, inspect, text

from models.db import (
    BASELINE,
    SQUASHED_HEADS,
    MigrationFailed,
    StoreBeforeBaseline,
    at_head,
    head_revisions,
    make_engine,
    open_store,
    upgrade,
)
from monitor.cli import main


def _stamp(engine: Engine, revisions: Iterable[str]) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
        for revision in revisions:
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:r)"), {"r": revision})


def _applied(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}


def test_the_baseline_is_the_only_head_and_keeps_the_old_heads_id() -> None:
    assert head_revisions() == {BASELINE} == {"0022_web_feed"}


def test_a_store_the_old_chain_migrated_fully_is_adopted_as_it_is(store) -> None:  # noqa: ANN001
    engine, _factory = store
    tables = sorted(inspect(engine).get_table_names())
    _stamp(engine, SQUASHED_HEADS)
    assert not at_head(engine)
    upgrade(engine)
    assert _applied(engine) == {BASELINE} and at_head(engine)
    assert sorted(inspect(engine).get_table_names()) == tables


def test_a_store_at_an_older_revision_is_refused_with_what_to_do(store) -> None:  # noqa: ANN001
    engine, _factory = store
    _stamp(engine, ["0019_catalogue", "0002"])
    try:
        with pytest.raises(StoreBeforeBaseline) as refused:
            upgrade(engine)
        message = str(refused.value)
        assert "0002, 0019_catalogue" in message and "lacks 0003" in message
        assert "rivalwatch db upgrade" in message and "new store" in message
        assert _applied(engine) == {"0019_catalogue", "0002"}  # left as it was
    finally:
        _stamp(engine, [BASELINE])


def _old_sqlite_store(tmp_path, revision: str) -> str:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _stamp(engine, [revision])
    engine.dispose()
    return url


def test_an_older_store_opened_apart_says_why(tmp_path) -> None:  # noqa: ANN001
    url = _old_sqlite_store(tmp_path, "0006_outbox_windows")
    refused = "StoreBeforeBaseline: the store is at migration 0006_outbox_windows"
    with pytest.raises(MigrationFailed, match=refused):
        open_store(url, apart=True)


def test_the_cli_names_the_revision_without_a_traceback(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("RIVALWATCH_DATABASE_URL", _old_sqlite_store(tmp_path, "0001"))
    monkeypatch.chdir(tmp_path)  # no watchlist here: `db upgrade` runs on the URL alone
    done = CliRunner().invoke(main, ["db", "upgrade"])
    assert done.exit_code == 2
    assert "StoreBeforeBaseline: the store is at migration 0001" in done.output
    assert "Traceback" not in done.output and isinstance(done.exception, SystemExit)  # exited, not raised
