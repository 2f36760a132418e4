"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL.

A model changed without a migration (or a migration that drifted from its model) would only show up
as a failed insert on a user's store; alembic's own comparison finds it here first.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

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


def _described(engine) -> dict:  # noqa: ANN001
    """Everything a reflection sees of a store's schema, and the rows a new store starts with."""
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        seen = inspect(connection)
        tables = {}
        for name in sorted(seen.get_table_names()):
            tables[name] = {
                # in any order: the models' mixins put their columns last, migrations added columns last
                "columns": sorted(
                    (c["name"], str(c["type"]), c["nullable"], str(c.get("default"))) for c in seen.get_columns(name)
                ),
                "primary_key": seen.get_pk_constraint(name)["constrained_columns"],
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in seen.get_indexes(name)),
                "unique": sorted((u["name"], tuple(u["column_names"])) for u in seen.get_unique_constraints(name)),
                "foreign_keys": sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]), str(f.get("options")))
                    for f in seen.get_foreign_keys(name)
                ),
            }
        rows = {
            "alembic_version": sorted(connection.execute(text("SELECT version_num FROM alembic_version")).all()),
            "catalogue_meta": connection.execute(text("SELECT * FROM catalogue_meta")).mappings().all(),
        }
    return {"tables": tables, "rows": rows}


def test_a_new_store_made_from_the_models_equals_one_made_by_the_migrations(tmp_path) -> None:  # noqa: ANN001
    from models.db import create_new_store, make_engine, upgrade

    migrated, created = make_engine(f"sqlite:///{tmp_path / 'a.db'}"), make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    upgrade(migrated)
    assert create_new_store(created) is True
    assert _described(created) == _described(migrated)
    assert create_new_store(created) is True  # at the heads already: nothing to do, nothing done
    assert _described(created) == _described(migrated)
    with created.begin() as connection:  # a store with tables not at the heads is Alembic's to migrate
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    assert create_new_store(created) is False
    migrated.dispose()
    created.dispose()


def test_a_new_store_made_from_the_models_equals_one_made_by_the_migrations_on_postgresql() -> None:
    from pg_fixture import PG_URL, fresh_schema
    from sqlalchemy import create_engine

    from models.db import create_new_store, upgrade

    with fresh_schema("rw_new_a") as a, fresh_schema("rw_new_b") as b:
        migrated = create_engine(PG_URL, connect_args={"options": f"-csearch_path={a}"})
        created = create_engine(PG_URL, connect_args={"options": f"-csearch_path={b}"})
        try:
            upgrade(migrated)
            assert create_new_store(created) is True
            assert _described(created) == _described(migrated)
            assert create_new_store(created) is True
            with created.begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
            assert create_new_store(created) is False
        finally:
            migrated.dispose()
            created.dispose()


def test_processes_opening_one_new_store_at_once_all_get_it_made(tmp_path) -> None:  # noqa: ANN001
    import threading

    from models.db import at_head, make_engine, open_store

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    start, errors = threading.Barrier(6), []

    def opener() -> None:
        start.wait()
        try:
            engine, _ = open_store(url)
            engine.dispose()
        except Exception as exc:  # noqa: BLE001  (collected: the assertion names them)
            errors.append(repr(exc))

    threads = [threading.Thread(target=opener) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine = make_engine(url)
    assert at_head(engine)
    engine.dispose()
