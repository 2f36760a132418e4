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

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.catalog import Watch
from models.catalogue import CatalogueMeta, MatrixCell, PriceConversion, ProductMatch
from models.product import ProductState
from monitor.catalogue.rates import Conversion, NoRate, RateTable

CHUNK = 900  # ids per IN (...) list: under SQLite's bound-parameter limit


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
    rows = [StateRow(*r) for r in session.execute(select(*_STATE_COLUMNS).where(ProductState.id > meta.converted_upto).order_by(ProductState.id))]
    if not rows:
        return {}
    done: set[int] = set()
    for ids in chunks(r.id for r in rows):
        done |= set(session.scalars(select(PriceConversion.state_id).where(PriceConversion.state_id.in_(ids))))
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
        session.bulk_insert_mappings(PriceConversion.__mapper__, new)
    meta.converted_upto = rows[-1].id
    return {r.watch_id: r for r in rows}


def accepted_matches(session: Session, watch_ids: Iterable[int] | None = None) -> dict[int, int]:
    """watch id -> our product id, for accepted matches (of these watches)."""
    query = select(ProductMatch.watch_id, ProductMatch.our_product_id).where(ProductMatch.status == "accepted")
    if watch_ids is None:
        return dict(session.execute(query).all())
    out: dict[int, int] = {}
    for ids in chunks(watch_ids):
        out.update(session.execute(query.where(ProductMatch.watch_id.in_(ids))).all())
    return out


def latest_state_rows(session: Session, watch_ids: Iterable[int]) -> dict[int, StateRow]:
    out: dict[int, StateRow] = {}
    for ids in chunks(watch_ids):
        query = select(*_STATE_COLUMNS).where(ProductState.watch_id.in_(ids)).order_by(ProductState.watch_id, ProductState.id)
        for r in session.execute(query):
            out[r[1]] = StateRow(*r)
    return out


def _price_since(session: Session, state: StateRow) -> datetime:
    """When the watch's current price first appeared, walking its states back (a cell's first fill)."""
    since = state.observed_at
    query = (
        select(ProductState.price, ProductState.currency, ProductState.observed_at)
        .where(ProductState.watch_id == state.watch_id, ProductState.id < state.id)
        .order_by(ProductState.id.desc())
    )
    for price, currency, at in session.execute(query):
        if price is None:
            continue  # an out-of-stock page without a price does not end the run
        if (price, currency) != (state.price, state.currency):
            break
        since = at
    return since


def update_cells(
    session: Session,
    watch_ids: set[int],
    fresh: dict[int, StateRow],
    table: RateTable,
    currency: str,
    gone_after: int,
    now: datetime,
) -> None:
    """Each of these watches' cell from its accepted match and latest state (no match: no cell)."""
    matched = accepted_matches(session, watch_ids)
    existing = {c.watch_id: c for ids in chunks(watch_ids) for c in session.scalars(select(MatrixCell).where(MatrixCell.watch_id.in_(ids)))}
    for wid in watch_ids - set(matched):
        if wid in existing:
            session.delete(existing.pop(wid))
    states = {w: fresh[w] for w in matched if w in fresh}
    states.update(latest_state_rows(session, [w for w in matched if w not in states]))
    watches = {w.id: w for ids in chunks(matched) for w in session.scalars(select(Watch).where(Watch.id.in_(ids)))}
    conversions = {
        c.state_id: c
        for ids in chunks(s.id for s in states.values())
        for c in session.scalars(select(PriceConversion).where(PriceConversion.state_id.in_(ids)))
    }
    for wid, our_id in matched.items():
        state, watch = states.get(wid), watches.get(wid)
        cell = existing.get(wid)
        if cell is None:
            cell = MatrixCell(watch_id=wid)
            session.add(cell)
        cell.our_product_id, cell.updated_at = our_id, now
        cell.competitor_id = watch.competitor_id if watch else None
        cell.gone = bool(watch and watch.consecutive_gone >= gone_after)
        if state is None:
            cell.state_id = cell.observation_id = cell.observed_at = cell.price = cell.converted = None
            cell.currency, cell.availability, cell.shipping, cell.rate, cell.rate_day = None, None, None, None, None
            cell.note = "not checked successfully yet"
            continue
        _fill(session, cell, state, conversions.get(state.id), table, currency)


def _fill(
    session: Session, cell: MatrixCell, state: StateRow, stored: PriceConversion | None, table: RateTable, currency: str
) -> None:
    held = cell.state_id is not None and (cell.price, cell.currency) == (state.price, state.currency)
    if cell.state_id != state.id:
        cell.price_since = cell.price_since if held else (_price_since(session, state) if state.price is not None else None)
    cell.state_id, cell.observation_id, cell.observed_at = state.id, state.observation_id, state.observed_at
    cell.price, cell.currency, cell.availability = state.price, state.currency, state.availability
    if stored is not None:
        cell.converted, cell.shipping, cell.rate, cell.rate_day, cell.note = (
            stored.amount, stored.shipping, stored.rate, stored.rate_day, None
        )
        return
    conv, shipping = convert(state, table, currency)
    if isinstance(conv, NoRate):
        cell.converted = cell.shipping = cell.rate = cell.rate_day = None
        cell.note = conv.reason
        return
    # A rate that arrived after the price: the conversion is stored now, with that rate and its day.
    session.add(
        PriceConversion(
            state_id=state.id, watch_id=state.watch_id, observed_at=state.observed_at,
            from_currency=(state.currency or "")[:3], currency=currency, amount=conv.amount,
            shipping=shipping, rate=conv.rate, rate_day=conv.rate_day,
        )
    )
    cell.converted, cell.shipping, cell.rate, cell.rate_day, cell.note = conv.amount, shipping, conv.rate, conv.rate_day, None


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
    return set(session.scalars(missing)) | set(session.scalars(orphans))


def unconverted_cells(session: Session) -> set[int]:
    """Watches whose cell has a price but no conversion (retried when new rates arrive)."""
    query = select(MatrixCell.watch_id).where(MatrixCell.converted.is_(None), MatrixCell.price.is_not(None))
    return set(session.scalars(query))


def drop_cells_of(session: Session, product_ids: Iterable[int]) -> None:
    for ids in chunks(product_ids):
        session.execute(delete(MatrixCell).where(MatrixCell.our_product_id.in_(ids)))
