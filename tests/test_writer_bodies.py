"""The writer's lookup of bodies already stored: the same answer on SQLite and PostgreSQL, and on
PostgreSQL one statement text whatever the batch (psycopg caches the parse of short texts only)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pg_fixture import *  # noqa: F403
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, sessionmaker

from models import Body
from monitor.crawl.writer import known_bodies


def _hashes(n: int) -> set[str]:
    return {Body.hash_of(f"page {i}".encode()) for i in range(n)}


def test_the_lookup_has_one_text_for_any_number_of_hashes_on_postgresql() -> None:
    # As sent: an expanding IN renders one placeholder per hash only at execution (render_postcompile).
    sent = {"render_postcompile": True}
    dialect = postgresql.dialect()
    texts = {
        str(known_bodies("postgresql", _hashes(n)).compile(dialect=dialect, compile_kwargs=sent))
        for n in (1, 3, 200)
    }
    assert len(texts) == 1, texts


@pytest.mark.parametrize("store_sessions", ["sqlite", "postgres"], indirect=True)
def test_the_lookup_finds_the_stored_hashes_only(store_sessions: sessionmaker[Session]) -> None:
    stored = sorted(_hashes(5))[:3]
    with store_sessions.begin() as s:
        s.add_all(Body(hash=h, size=1, data=b"x", created_at=datetime.now(UTC)) for h in stored)
    dialect = store_sessions.kw["bind"].dialect.name
    with store_sessions() as s:
        assert set(s.scalars(known_bodies(dialect, _hashes(5)))) == set(stored)
