"""A new store migrated by a child process (`open_store(..., apart=True)`, what `rivalwatch run` uses)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from models.db import MigrationFailed, at_head, open_store


def test_a_new_store_migrated_apart_is_at_head_with_every_table(tmp_path) -> None:  # noqa: ANN001
    apart, _ = open_store(f"sqlite:///{tmp_path}/apart.db", apart=True)
    here, _ = open_store(f"sqlite:///{tmp_path}/here.db")
    assert at_head(apart)
    assert sorted(inspect(apart).get_table_names()) == sorted(inspect(here).get_table_names())


def test_an_in_memory_store_is_migrated_here_even_when_asked_apart() -> None:
    engine, _ = open_store("sqlite://", apart=True)  # another process could not reach it
    assert "watches" in inspect(engine).get_table_names()


def test_migrations_that_fail_apart_say_why(tmp_path) -> None:  # noqa: ANN001
    # A store with tables goes to Alembic (a new one is made from the models, in this process):
    # here one stamped with a revision no migration of ours has.
    url = f"sqlite:///{tmp_path}/other.db"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('f00dfeed')"))
    engine.dispose()
    with pytest.raises(MigrationFailed, match="f00dfeed"):
        open_store(url, apart=True)


def test_a_store_that_cannot_be_reached_is_a_store_error() -> None:
    # what the CLI reports as "cannot open the store at ..." (monitor.cli.common)
    with pytest.raises(SQLAlchemyError, match="127.0.0.1"):
        open_store("postgresql://nobody:pw@127.0.0.1:1/none", apart=True)
