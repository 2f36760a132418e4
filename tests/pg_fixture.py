"""PostgreSQL for store tests: a fresh schema per test session in database `test` on 127.0.0.1:5432.

`pg_engine` connects with ``search_path`` set to a schema of its own (``rw_test_<random>``), applies the
migrations there, and drops the schema afterwards, so parallel runs and other helpers never collide.
When PostgreSQL is unreachable the tests skip, except under ``CI=true`` where they fail.

Import the fixtures into a test module or conftest: ``from pg_fixture import *`` (they are in ``__all__``).
`store_sessions` runs a test on both SQLite (under tmp_path) and PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["fresh_schema", "pg_engine", "pg_sessions", "store_sessions"]

PG_URL = os.environ.get("RIVALWATCH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _unreachable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required under CI=true but unreachable at {PG_URL}: {reason}")
    pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {reason}")


@contextmanager
def fresh_schema(prefix: str) -> Iterator[str]:
    """A schema of its own in database `test` (`<prefix>_<random>`), dropped afterwards; skips (or fails
    under CI=true) when PostgreSQL is unreachable."""
    schema = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(PG_URL, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "no PostgreSQL here"
        admin.dispose()
        _unreachable(str(exc).splitlines()[0])
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    from models.db import upgrade

    with fresh_schema("rw_test") as schema:
        engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"}, pool_pre_ping=True)
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()


@pytest.fixture()
def pg_sessions(pg_engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on the session's schema, emptied after each test."""
    from models.base import Base

    factory = sessionmaker(pg_engine, expire_on_commit=False)
    yield factory
    with pg_engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def store_sessions(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> sessionmaker[Session]:  # noqa: ANN001
    """The same test on SQLite (a file under tmp_path, migrations applied) and on PostgreSQL."""
    monkeypatch.delenv("RIVALWATCH_DATABASE_URL", raising=False)
    if request.param == "postgres":
        return request.getfixturevalue("pg_sessions")
    from models.db import open_store

    engine, factory = open_store(f"sqlite:///{tmp_path / 'rivalwatch.db'}")
    request.addfinalizer(engine.dispose)
    return factory
