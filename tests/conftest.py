"""Shared test fixtures: where the shared corpora live, the databases tests run on, and the demo
market the end-to-end tests crawl."""

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


import offline_guard  # noqa: E402
from pg_fixture import *  # noqa: E402, F403  (pg_engine, pg_sessions, store_sessions)

offline_guard.install()
# Child processes too (tests/child_guard/sitecustomize.py): tests that build a child's environment keep
# this entry when they add their own PYTHONPATH.
CHILD_GUARD = str(Path(__file__).resolve().parent / "child_guard")
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (CHILD_GUARD, os.environ.get("PYTHONPATH")) if p)


@pytest.fixture(autouse=True)
def _nothing_sent_off_this_machine():  # noqa: ANN202
    """A test whose process tried to connect off loopback fails, even when the refusal was swallowed by
    the code under test (a failed observation, a channel error)."""
    start = len(offline_guard.violations)
    yield
    made = offline_guard.violations[start:]
    if made:
        pytest.fail("a connection off this machine was attempted (and refused): " + "; ".join(sorted(set(made))[:5]))


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):  # noqa: ANN001, ANN201
    """(engine, sessionmaker) on a fresh, migrated store: SQLite in tmp_path, or PostgreSQL (a schema of the
    test session's own, emptied after each test; see pg_fixture.py)."""
    from sqlalchemy.orm import sessionmaker

    from models.db import make_engine, upgrade

    if request.param == "postgres":
        factory = request.getfixturevalue("pg_sessions")
        yield factory.kw["bind"], factory
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    yield engine, sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture(scope="module")
def market(request):  # noqa: ANN001, ANN201
    """The demo market, served on 127.0.0.1 for the tests of one module, with Scrapy's logs quiet. A
    module picks its market with `MARKET = {...}` (DemoMarket's arguments: seed, n_products, shops);
    without one it is seed 11 with 12 products."""
    import logging

    from monitor.demo import DemoMarket
    from spiders.engine import quiet_scrapy_logs

    quiet_scrapy_logs(logging.CRITICAL)
    with DemoMarket(**getattr(request.module, "MARKET", {"seed": 11, "n_products": 12})) as m:
        yield m


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """(database URL a child process can open, session factory) on a fresh migrated store."""
    import sqlalchemy

    monkeypatch.delenv("RIVALWATCH_DATABASE_URL", raising=False)
    if request.param == "postgres":
        factory = request.getfixturevalue("pg_sessions")
        with factory() as s:
            schema = s.scalar(sqlalchemy.text("SELECT current_schema()"))
        from pg_fixture import PG_URL

        return f"{PG_URL}?options=-csearch_path%3D{schema}", factory
    from models.db import open_store

    url = f"sqlite:///{tmp_path / 'rw.db'}"
    engine, factory = open_store(url)
    request.addfinalizer(engine.dispose)
    return url, factory


@pytest.fixture()
def fake():  # noqa: ANN201
    """The impersonated chat and push services, with Apprise pointed at them (nothing leaves 127.0.0.1)."""
    from monitor.demo.impersonators import ServiceImpersonator, point_apprise_at

    with ServiceImpersonator() as server, point_apprise_at(server):
        yield server
