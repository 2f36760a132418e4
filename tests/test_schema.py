"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL.

A model changed without a migration (or a migration that drifted from its model) would only show up
as a failed insert on a user's store; alembic's own comparison finds it here first.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models.base import Base


def _drift(connection) -> list:  # noqa: ANN001
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [
        d
        for d in compare_metadata(context, Base.metadata)
        # alembic's own bookkeeping table is not a model
        if not (isinstance(d, tuple) and d[0] == "remove_table" and d[1].name == "alembic_version")
    ]


def test_migrations_match_the_models(store) -> None:  # noqa: ANN001
    engine, _factory = store
    with engine.connect() as connection:
        assert _drift(connection) == []
