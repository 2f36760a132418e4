"""Shared test fixtures: where the shared corpora live, and the databases tests run on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RIVALWATCH_SHARED", REPO.parent / "shared"))
CORPORA = SHARED / "corpora"


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The real-world corpora beside the repo; tests that need them skip with the reason when absent."""
    if not CORPORA.is_dir():
        pytest.skip(f"shared corpora not found at {CORPORA} (set RIVALWATCH_SHARED)")
    return CORPORA


PG_URL = os.environ.get("RIVALWATCH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_or_skip() -> None:
    import psycopg

    try:
        psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and is not reachable at {PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):  # noqa: ANN001, ANN201
    """(engine, sessionmaker) on a fresh, migrated store: SQLite in tmp_path, or a private PostgreSQL schema."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import sessionmaker

    from models.db import make_engine, upgrade

    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
        upgrade(engine)
        yield engine, sessionmaker(engine, expire_on_commit=False)
        engine.dispose()
        return
    _postgres_or_skip()
    schema = f"rw_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield engine, sessionmaker(engine, expire_on_commit=False)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
