"""Engine and session factory; migrations are applied on start so the schema always matches the code."""

from __future__ import annotations

import ast
import fcntl
import os
import re
import subprocess
import sys
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, insert, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite:///var/rivalwatch.db"
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()  # for dispose_engines at process exit


def database_url(explicit: str | None = None) -> str:
    """RIVALWATCH_DATABASE_URL wins, then the watchlist's setting, then SQLite under ./var/."""
    return os.environ.get("RIVALWATCH_DATABASE_URL") or explicit or DEFAULT_URL


def _normalise(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str | None = None) -> Engine:
    url = _normalise(database_url(url))
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _ENGINES.add(engine)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            # WAL lets `status` read while a crawl writes; NORMAL is durable enough with WAL.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    engine = create_engine(url, pool_pre_ping=True)
    _ENGINES.add(engine)
    return engine


def dispose_engines() -> None:
    """Close every pooled connection of the engines made here: on SQLite the last close folds the
    WAL back into the database file, which a process leaving to the garbage collector may skip."""
    for engine in list(_ENGINES):
        engine.dispose()


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply every migration not applied yet (idempotent). A store the squashed chain migrated is first
    adopted by the baseline, or refused (`adopt_squashed`)."""
    from alembic import command

    adopt_squashed(engine)
    command.upgrade(alembic_config(engine), revision)


# Issue 11 squashed the migrations 0001..0022_web_feed (six branches off 0001) into one baseline that
# keeps the old head's id; these are the ids it replaced, and what a store that had all of them holds.
BASELINE = "0022_web_feed"
SQUASHED = frozenset(
    {"0001", "0002", "0003", "0004", "0005", "0006_outbox_windows", "0019_catalogue", "0020_claims"}
    | {"0021_web"}
)
SQUASHED_HEADS = frozenset({"0002", "0003", "0004", "0005", "0006_outbox_windows", BASELINE})
LAST_WITH_CHAIN = "4b7427e"  # the last commit whose migrations step through the squashed revisions


class StoreBeforeBaseline(SQLAlchemyError):
    """The store stands at a migration from before the baseline; this version cannot take it further."""


def adopt_squashed(engine: Engine) -> None:
    """A store at every squashed head has the baseline's schema (the same tables, columns, keys and
    indexes): only the baseline's row stays in `alembic_version`. A store at an older squashed revision
    is refused, naming it and what to do, before Alembic fails on a revision it no longer knows."""
    if not inspect(engine).has_table("alembic_version"):
        return
    with engine.begin() as connection:
        applied = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
        if not applied & SQUASHED:
            return
        if applied == SQUASHED_HEADS:
            drop_others = text("DELETE FROM alembic_version WHERE version_num <> :keep")
            connection.execute(drop_others, {"keep": BASELINE})
            return
    raise StoreBeforeBaseline(
        f"the store is at migration {', '.join(sorted(applied))} and lacks "
        f"{', '.join(sorted(SQUASHED_HEADS - applied))}: this rivalwatch migrates only from {BASELINE}, "
        f"the baseline its migrations were squashed into. Migrate the store first with rivalwatch at commit "
        f"{LAST_WITH_CHAIN} (`rivalwatch db upgrade` there applies every migration), or start a new store."
    )


_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]+)?=\s*(.+?)\s*$", re.MULTILINE)


def head_revisions(versions: Path = MIGRATIONS / "versions") -> frozenset[str]:
    """The revisions no other migration revises, read from the migration files' own assignments:
    what `alembic_version` holds once every migration ran, without importing Alembic (a tenth of a
    second and 10 MB that a command on an up-to-date store does not need)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in versions.glob("*.py"):
        found: dict[str, str] = {m[1]: m[2] for m in _ASSIGNMENT.finditer(path.read_text(encoding="utf-8"))}
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        revised.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - revised)


def at_head(engine: Engine) -> bool:
    """Whether the store has every migration already (False when it cannot tell: no table yet)."""
    try:
        with engine.connect() as connection:
            applied = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    except Exception:  # noqa: BLE001  (a new store, another schema: Alembic decides)
        return False
    return bool(applied) and applied == head_revisions()


# Any fixed number: PostgreSQL's advisory lock that two processes creating one new store take in turn.
_NEW_STORE_LOCK = 0x72697661


def create_new_store(engine: Engine) -> bool:
    """A store without a single table gets the models' schema directly and is stamped at the
    migrations' heads: what running every migration builds (tests/test_schema.py holds the two
    equal), without Alembic's import and one DDL round per migration (on SQLite, about a second of a
    first run). True when the store is at the heads after it; False, and nothing done, for a store
    with tables not at the heads: Alembic's to migrate."""
    import models  # noqa: F401  (registers every table on Base.metadata)
    from models.base import Base
    from models.catalogue import CATALOGUE_META_FIRST_ROW, CatalogueMeta

    with _creation_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # a second process waits, then finds the tables
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _NEW_STORE_LOCK})
        tables = inspect(connection).get_table_names()
        if tables:  # made meanwhile by a process that went first, or an older store: Alembic's
            return "alembic_version" in tables and {
                row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))
            } == head_revisions()
        Base.metadata.create_all(connection)
        connection.execute(insert(CatalogueMeta).values(**CATALOGUE_META_FIRST_ROW))
        # Alembic's own bookkeeping table, as Alembic creates it.
        connection.execute(
            text(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
        )
        for head in sorted(head_revisions()):
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head})
    return True


@contextmanager
def _creation_lock(engine: Engine) -> Iterator[None]:
    """Processes creating one new SQLite file store take turns (a lock on its folder, which leaves no
    file behind): SQLite runs DDL outside the transaction, so a second one would see the first
    one's tables half made.
    PostgreSQL's turn is an advisory lock inside the transaction (`create_new_store`)."""
    url = make_url(engine.url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    folder = os.open(Path(url.database).resolve().parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(folder)  # closing releases the lock


class MigrationFailed(SQLAlchemyError):
    """The migrations, run in a process of their own (`open_store(..., apart=True)`), failed."""


def upgrade_apart(url: str) -> None:
    """`upgrade` in a child process (`python -m models.db`, the URL on its stdin, never in its argv):
    Alembic, Mako and the migration scripts (about 11 MB and 0.4 s on a new store) stay out of a
    process that goes on to crawl, and out of its peak memory."""
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "models.db"], input=url, capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise MigrationFailed(lines[-1] if lines else f"migrations exited with {done.returncode}")


def open_store(
    url: str | None = None, migrate: bool = True, *, apart: bool = False
) -> tuple[Engine, sessionmaker[Session]]:
    """The engine and a session factory, migrated to head: a new store is created from the models
    (`create_new_store`). `apart`: an older store is migrated by a child process (`upgrade_apart`),
    for a command that crawls next; an in-memory SQLite store, which no other process can reach,
    always here."""
    engine = make_engine(url)
    if migrate and not at_head(engine) and not create_new_store(engine):
        if apart and make_url(engine.url).database not in (None, "", ":memory:"):
            upgrade_apart(engine.url.render_as_string(hide_password=False))
        else:
            upgrade(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)


if __name__ == "__main__":  # `upgrade_apart`'s child: the URL on stdin; an error's last line on stderr
    try:
        upgrade(make_engine(sys.stdin.read().strip()))
    except Exception as exc:  # noqa: BLE001  (reported to the parent, which raises MigrationFailed)
        print(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        sys.exit(1)
