"""Writes that land whole or are tried again: a store that refuses a batch (SQLite locked by another
process) keeps every check pending and counts none of it; one that comes back within the retries takes
the same batch whole, the anomaly feed's states included."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from models import Watch
from models.crawl import Observation
from models.db import open_store
from models.series import SeriesState
from monitor.crawl.runner import prepare_sink
from monitor.watchlist import load_watchlist_text
from spiders.fetch import FetchedPage

WATCHLIST = """
products:
  - {url: "http://alpha.test/p/1"}
  - {url: "http://alpha.test/p/2"}
  - {url: "http://alpha.test/p/3"}
"""
PAGE = (
    '<html><head><script type="application/ld+json">{"@type":"Product","name":"One","offers":{"price":"%s",'
    '"priceCurrency":"EUR"}}</script></head><body></body></html>'
)
T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)


def _factory(tmp_path):  # noqa: ANN001, ANN202
    """A store whose connections give up on a lock after 0.1 s (not 30), so a refused write is quick."""
    path = tmp_path / "rw.db"
    engine, _ = open_store(f"sqlite:///{path}")
    engine.dispose()
    quick = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.1})
    return path, sessionmaker(quick, expire_on_commit=False)


def _fill(factory):  # noqa: ANN001, ANN202
    jobs, sink = prepare_sink(load_watchlist_text(WATCHLIST), factory, force=True, clock=lambda: T0)
    assert sink is not None
    for i, job in enumerate(jobs):
        sink.accept(
            FetchedPage(job=job, url=job.url, status=200, headers={}, body=(PAGE % (10 + i)).encode())
        )
    return sink


def _locked(path):  # noqa: ANN001, ANN202
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    return other


def _stored(factory) -> tuple[int, int, int]:  # noqa: ANN001
    with factory() as s:
        return (
            s.scalar(select(func.count()).select_from(Observation)) or 0,
            s.scalar(select(func.count()).select_from(SeriesState)) or 0,
            s.scalar(select(func.count()).select_from(Watch).where(Watch.last_checked_at.is_not(None))) or 0,
        )


def test_a_refused_write_keeps_its_checks_pending_and_counts_none(tmp_path) -> None:  # noqa: ANN001
    path, factory = _factory(tmp_path)
    sink = _fill(factory)
    sink.writer.retry_pauses = ()
    other = _locked(path)
    with pytest.raises(OperationalError):
        sink.flush()
    assert len(sink.pending) == 3
    assert (sink.stats.ok, sink.stats.failed, len(sink.stats.outcomes)) == (0, 0, 0)
    other.rollback()
    other.close()
    sink.flush()
    assert not sink.pending and sink.stats.ok == 3
    assert _stored(factory) == (3, 3, 3)  # the anomaly feed's states too, though its first write failed


def test_a_store_back_within_the_retries_takes_the_batch_whole(tmp_path) -> None:  # noqa: ANN001
    path, factory = _factory(tmp_path)
    sink = _fill(factory)
    sink.writer.retry_pauses = (0.3, 0.3, 0.3, 0.3)
    other = _locked(path)

    def let_go() -> None:
        time.sleep(0.5)
        other.rollback()

    t = threading.Thread(target=let_go)
    t.start()
    sink.flush()  # no exception: waited for the store
    t.join()
    other.close()
    assert not sink.pending and sink.stats.ok == 3
    assert _stored(factory) == (3, 3, 3)


def test_two_writers_storing_the_same_body_both_land(pg_sessions) -> None:  # noqa: ANN001
    """Another process inserts the very body this batch stores, between our look-up and our insert
    (its transaction still open): our write waits for it, keeps its row, and lands whole."""
    from models import Body

    factory = pg_sessions
    sink = _fill(factory)
    sink.writer.retry_pauses = ()  # a unique-key clash must not need a retry to land
    digest, (raw, ctype) = next(iter(sink.pending[0][0].bodies.items()))
    other = factory()
    other.execute(insert(Body).values(hash=digest, size=len(raw), content_type=ctype, data=Body.compress(raw)))  # not committed yet: our write cannot see it, and its insert of the same key must wait
    errors: list[BaseException] = []

    def write() -> None:
        try:
            sink.flush()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(1.0)
    assert writer.is_alive(), "the write did not wait for the other writer's row"
    other.commit()
    other.close()
    writer.join(30)
    assert errors == [] and not sink.pending and sink.stats.ok == 3
    assert _stored(factory) == (3, 3, 3)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Body).where(Body.hash == digest)) == 1
