"""The matrix's offers in the store: new competitor prices converted, and each matched watch's cell.

`convert_new_prices` converts every product state stored since the last refresh into the
catalogue's currency (a `price_conversions` row with the rate and its day, or none when there is no
rate: the cell then says why). `update_cells` puts each affected matched watch's latest state into
its cell, keeping since when its price has held.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select
from sqlalchemy.orm import Session

from models.base import Base
from models.catalog import Watch
from models.catalogue import CatalogueMeta, MatrixCell, PriceConversion, ProductMatch
from models.catalogue_queries import core_rows
from models.product import ProductState
from monitor.catalogue.rates import Conversion, NoRate, RateTable

CHUNK = 900  # ids per IN (...) list: under SQLite's bound-parameter limit


def insert_rows(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Plain executemany INSERTs on the session's connection: the ORM's bulk path costs several
    times more per row, and a first refresh writes hundreds of thousands."""
    if rows:
        session.flush()
        session.connection().execute(model.__table__.insert(), rows)  # type: ignore[attr-defined]


def update_rows(session: Session, model: type[Base], key: str, rows: list[dict[str, Any]]) -> None:
    """Plain executemany UPDATEs by primary key `key` (every row carries the same columns)."""
    if not rows:
        return
    session.flush()
    table = cast(Table, model.__table__)  # type: ignore[attr-defined]
    names = [k for k in rows[0] if k != key]
    # Parameters named apart from the columns: an UPDATE's own column names are reserved.
    statement = table.update().where(table.c[key] == bindparam("_key")).values({n: bindparam("_" + n) for n in names})
    session.connection().execute(statement, [{"_key": r[key], **{"_" + n: r[n] for n in names}} for r in rows])


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterable[list[int]]:
    items = list(ids)
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True)
class StateRow:
    id: int
    watch_id: int
    observation_id: int
    observed_at: datetime
    price: Decimal | None
    currency: str | None
    availability: str | None
    shipping: Decimal | None
    shipping_currency: str | None


_STATE_COLUMNS = (
    ProductState.id, ProductState.watch_id, ProductState.observation_id, ProductState.observed_at,
    ProductState.price, ProductState.currency, ProductState.availability, ProductState.shipping,
    ProductState.shipping_currency,
)


def convert(state: StateRow, table: RateTable, currency: str) -> tuple[Conversion | NoRate, Decimal | None]:
    """A state's price (and its shipping, when stated) in `currency`."""
    if state.price is None:
        return NoRate("no price on the page"), None
    price = table.convert(state.price, state.currency, currency, state.observed_at.date())
    shipping = None
    if state.shipping is not None and isinstance(price, Conversion):
        ship = table.convert(state.shipping, state.shipping_currency or state.currency, currency, state.observed_at.date())
        shipping = ship.amount if isinstance(ship, Conversion) else None
    return price, shipping


def convert_new_prices(
    session: Session, meta: CatalogueMeta, table: RateTable, currency: str
) -> dict[int, StateRow]:
    """Convert the states stored since the last refresh; returns each watch's latest new state."""
    rows = [StateRow(*r) for r in core_rows(session, select(*_STATE_COLUMNS).where(ProductState.id > meta.converted_upto).order_by(ProductState.id))]
    if not rows:
        return {}
    done: set[int] = set()
    for ids in chunks(r.id for r in rows):
        done |= set(core_rows(session, select(PriceConversion.state_id).where(PriceConversion.state_id.in_(ids))).scalars())
    new = []
    for state in rows:
        if state.id in done or state.price is None:
            continue
        conv, shipping = convert(state, table, currency)
        if isinstance(conv, Conversion):
            new.append(
                {
                    "state_id": state.id, "watch_id": state.watch_id, "observed_at": state.observed_at,
                    "from_currency": (state.currency or "")[:3], "currency": currency, "amount": conv.amount,
                    "shipping": shipping, "rate": conv.rate, "rate_day": conv.rate_day,
                }
            )
    if new:
        insert_rows(session, PriceConversion, new)
    meta.converted_upto = rows[-1].id
    return {r.watch_id: r for r in rows}


def accepted_matches(session: Session, watch_ids: Iterable[int] | None = None) -> dict[int, int]:
    """watch id -> our product id, for accepted matches (of these watches)."""
    query = select(ProductMatch.watch_id, ProductMatch.our_product_id).where(ProductMatch.status == "accepted")
    if watch_ids is None:
        return dict(core_rows(session, query).all())
    out: dict[int, int] = {}
    for ids in chunks(watch_ids):
        out.update(core_rows(session, query.where(ProductMatch.watch_id.in_(ids))).all())
    return out


def latest_state_rows(session: Session, watch_ids: Iterable[int]) -> dict[int, StateRow]:
    out: dict[int, StateRow] = {}
    for ids in chunks(watch_ids):
        query = select(*_STATE_COLUMNS).where(ProductState.watch_id.in_(ids)).order_by(ProductState.watch_id, ProductState.id)
        for r in core_rows(session, query):
            out[r[1]] = StateRow(*r)
    return out


def price_since(session: Session, states: Iterable[StateRow]) -> dict[int, datetime]:
    """Since when each watch's current price has held: its states walked back until the price
    differs (a page without a price, out of stock, does not end the run). One query per chunk.
    `update_cells` asks only for watches whose cell, where it has a price, shows another one: the
    walk ends at the cell's state, so the states before it are not read (after a crawl, most of
    each watch's history)."""
    wanted = {s.watch_id: s for s in states}
    out: dict[int, datetime] = {}
    cell_state = (
        select(MatrixCell.state_id)
        .where(MatrixCell.watch_id == ProductState.watch_id, MatrixCell.price.is_not(None))
        .scalar_subquery()
    )
    for ids in chunks(wanted):
        query = (
            select(ProductState.watch_id, ProductState.id, ProductState.price, ProductState.currency, ProductState.observed_at)
            .where(ProductState.watch_id.in_(ids), ProductState.id > func.coalesce(cell_state, 0))
            .order_by(ProductState.watch_id, ProductState.id.desc())
        )
        done: set[int] = set()
        for wid, sid, price, cur, at in core_rows(session, query):
            state = wanted[wid]
            if wid in done or sid > state.id or price is None:
                continue
            if (price, cur) != (state.price, state.currency):
                done.add(wid)
                continue
            out[wid] = at
    return out


@dataclass(frozen=True)
class _Stored:
    state_id: int | None
    price: Decimal | None
    currency: str | None
    price_since: datetime | None


def _conversion_values(
    state: StateRow, stored: tuple | None, table: RateTable, currency: str, new: list[dict[str, object]]
) -> dict[str, object]:
    """The cell's converted price: the stored conversion, or one made now with the rates known now
    (kept in `new` for the store), or why there is none."""
    if stored is not None:
        amount, shipping, rate, rate_day = stored
        return {"converted": amount, "shipping": shipping, "rate": rate, "rate_day": rate_day, "note": None}
    conv, shipping = convert(state, table, currency)
    if isinstance(conv, NoRate):
        return {"converted": None, "shipping": None, "rate": None, "rate_day": None, "note": conv.reason}
    new.append(
        {
            "state_id": state.id, "watch_id": state.watch_id, "observed_at": state.observed_at,
            "from_currency": (state.currency or "")[:3], "currency": currency, "amount": conv.amount,
            "shipping": shipping, "rate": conv.rate, "rate_day": conv.rate_day,
        }
    )
    return {"converted": conv.amount, "shipping": shipping, "rate": conv.rate, "rate_day": conv.rate_day, "note": None}


def update_cells(
    session: Session,
    watch_ids: set[int],
    fresh: dict[int, StateRow],
    table: RateTable,
    currency: str,
    gone_after: int,
    now: datetime,
) -> None:
    """Each of these watches' cell from its accepted match and latest state (no match: no cell).
    Core statements, not the unit of work: a first refresh fills 100,000 cells."""
    matched = accepted_matches(session, watch_ids)
    existing: dict[int, _Stored] = {}
    for ids in chunks(watch_ids):
        query = select(MatrixCell.watch_id, MatrixCell.state_id, MatrixCell.price, MatrixCell.currency, MatrixCell.price_since)
        for wid, state_id, price, cur, since in core_rows(session, query.where(MatrixCell.watch_id.in_(ids))):
            existing[wid] = _Stored(state_id, price, cur, since)
    for ids in chunks(w for w in watch_ids if w not in matched and w in existing):
        session.execute(delete(MatrixCell).where(MatrixCell.watch_id.in_(ids)))
    states = {w: fresh[w] for w in matched if w in fresh}
    states.update(latest_state_rows(session, [w for w in matched if w not in states]))
    watches: dict[int, tuple[int | None, int]] = {}
    for ids in chunks(matched):
        query = select(Watch.id, Watch.competitor_id, Watch.consecutive_gone).where(Watch.id.in_(ids))
        watches.update({w: (c, g) for w, c, g in core_rows(session, query)})
    conversions: dict[int, tuple] = {}
    for ids in chunks(s.id for s in states.values()):
        query = select(PriceConversion.state_id, PriceConversion.amount, PriceConversion.shipping, PriceConversion.rate, PriceConversion.rate_day)
        conversions.update({sid: tuple(rest) for sid, *rest in core_rows(session, query.where(PriceConversion.state_id.in_(ids)))})

    def held(wid: int) -> bool:
        old, state = existing.get(wid), states[wid]
        return old is not None and old.state_id is not None and (old.price, old.currency) == (state.price, state.currency)

    since = price_since(session, [states[w] for w in states if not held(w) and states[w].price is not None])
    inserts, updates, new_conversions = [], [], []
    for wid, our_id in matched.items():
        competitor_id, consecutive_gone = watches.get(wid, (None, 0))
        values: dict[str, object] = {
            "our_product_id": our_id, "competitor_id": competitor_id, "gone": consecutive_gone >= gone_after,
            "updated_at": now,
        }
        state = states.get(wid)
        if state is None:
            values.update(
                state_id=None, observation_id=None, observed_at=None, price=None, currency=None, converted=None,
                shipping=None, rate=None, rate_day=None, availability=None, price_since=None,
                note="not checked successfully yet",
            )
        else:
            old = existing.get(wid)
            values.update(
                state_id=state.id, observation_id=state.observation_id, observed_at=state.observed_at,
                price=state.price, currency=state.currency, availability=state.availability,
                price_since=old.price_since if held(wid) and old else since.get(wid),
                **_conversion_values(state, conversions.get(state.id), table, currency, new_conversions),
            )
        (updates if wid in existing else inserts).append({"watch_id": wid, **values})
    insert_rows(session, MatrixCell, inserts)
    update_rows(session, MatrixCell, "watch_id", updates)
    insert_rows(session, PriceConversion, new_conversions)


def out_of_step(session: Session) -> set[int]:
    """Watches whose cell does not follow their accepted match (a person's decision since the last
    refresh, or a match removed): they are refreshed whatever else happened."""
    accepted = select(ProductMatch.watch_id, ProductMatch.our_product_id).where(ProductMatch.status == "accepted").subquery()
    missing = (
        select(accepted.c.watch_id)
        .outerjoin(MatrixCell, MatrixCell.watch_id == accepted.c.watch_id)
        .where((MatrixCell.watch_id.is_(None)) | (MatrixCell.our_product_id != accepted.c.our_product_id))
    )
    orphans = select(MatrixCell.watch_id).outerjoin(accepted, accepted.c.watch_id == MatrixCell.watch_id).where(
        accepted.c.watch_id.is_(None)
    )
    return set(core_rows(session, missing).scalars()) | set(core_rows(session, orphans).scalars())


def unconverted_cells(session: Session) -> set[int]:
    """Watches whose cell has a price but no conversion (retried when new rates arrive)."""
    query = select(MatrixCell.watch_id).where(MatrixCell.converted.is_(None), MatrixCell.price.is_not(None))
    return set(core_rows(session, query).scalars())
