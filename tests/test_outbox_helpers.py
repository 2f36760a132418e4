"""Helpers for the outbox tests: a watchlist and a crawl run with changes in a real store (no tests here)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import AlertDelivery, Change, Competitor, CrawlRun, Observation, Watch
from monitor.watchlist import Watchlist, load_watchlist_text

T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)  # a Monday, 10:00 UTC (18:00 in Shanghai)


def deliveries(factory: sessionmaker[Session]) -> list[AlertDelivery]:
    """The outbox's rows, in the order they were queued."""
    with factory() as s:
        return list(s.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def watchlist(channels_yaml: str, rules_yaml: str, extra: str = "") -> Watchlist:
    """A watchlist whose channels are the local stand-ins of these tests (ServiceImpersonator, the local
    mailbox, receivers): they listen on 127.0.0.1, which the address policy lets alerts reach only when
    the watchlist allows it."""
    text = f"""
settings:
  allow_private_hosts: [127.0.0.1]
competitors:
  - name: ShopA
    domains: [shop-a.example]
    tags: [direct]
  - name: ShopB
    domains: [shop-b.example]
channels:
{channels_yaml}
rules:
{rules_yaml}
{extra}
"""
    return load_watchlist_text(text, "test.yaml")


def seed_watch(
    session: Session,
    competitor: str = "ShopA",
    url: str = "https://shop-a.example/p/1",
    label: str = "Widget 1",
    options: dict | None = None,
    tags: list[str] | None = None,
    kind: str = "product",
) -> Watch:
    comp = session.query(Competitor).filter_by(name=competitor).one_or_none()
    if comp is None:
        comp = Competitor(name=competitor, domains=[], tags=["direct"] if competitor == "ShopA" else [])
        session.add(comp)
        session.flush()
    watch = Watch(
        kind=kind, url=url, label=label, competitor_id=comp.id, options=options or {}, tags=tags or []
    )
    session.add(watch)
    session.flush()
    return watch


def seed_run(session: Session, changes: list[tuple[Watch, dict]]) -> int:
    """A finished crawl run with one observation and one change per (watch, change fields)."""
    run = CrawlRun(started_at=T0, status="done")
    session.add(run)
    session.flush()
    for watch, fields in changes:
        obs = Observation(watch_id=watch.id, run_id=run.id, fetched_at=T0, status="ok", http_status=200)
        session.add(obs)
        session.flush()
        session.add(
            Change(
                watch_id=watch.id,
                observation_id=obs.id,
                competitor_id=watch.competitor_id,
                run_id=run.id,
                detected_at=T0,
                **fields,
            )
        )
    session.flush()
    return run.id


def price_change(old: str, new: str, label: str = "Widget 1") -> dict:
    rel = (float(new) - float(old)) / float(old)
    return {
        "kind": "price_down" if float(new) < float(old) else "price_up",
        "summary": f"{label}: price {old} → {new} USD ({rel:+.1%})",
        "field": "price",
        "old": old,
        "new": new,
        "magnitude": rel,
        "details": {"currency": "USD"},
    }


def stock_change(kind: str = "out_of_stock", label: str = "Widget 1") -> dict:
    return {
        "kind": kind,
        "summary": f"{label}: {'out of stock' if kind == 'out_of_stock' else 'back in stock'}",
        "field": "availability",
        "old": "InStock" if kind == "out_of_stock" else "OutOfStock",
        "new": "OutOfStock" if kind == "out_of_stock" else "InStock",
    }


def new_run(factory: sessionmaker[Session], make) -> int:  # noqa: ANN001 - make(session) -> list of (watch, fields)
    with factory.begin() as session:
        return seed_run(session, make(session))
