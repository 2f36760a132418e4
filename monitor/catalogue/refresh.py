"""After a crawl (or an import, or a person's match decision): bring the price matrix up to date and
report what the matrix rules see. The one entry point: `refresh_catalogue`.

In one transaction (the caller's), serialised by the catalogue's meta row:
1. the watchlist's own products and matches by hand into the store (when the section changed);
2. automatic matching of the product watches whose page content or our catalogue changed;
3. every product state stored since the last refresh converted into the catalogue's currency;
4. the cell of each matched watch with a new state, a new match, or a check in this run;
5. for each product of ours those touch (all of them after our catalogue or the rates changed):
   its matrix row, compared with what the rules saw last time (`matrix_changes`); the changes are
   written like any change (on the competitor's watch and observation, in `run_id`, so the run's
   alerts include them) and the new baseline is kept.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.catalog import Watch
from models.catalogue import CatalogueMeta, FxRate, MatrixCell, MatrixProduct
from models.catalogue_queries import core_rows, matrix_offers, matrix_products
from models.change import Change
from models.crawl import Observation
from monitor.catalogue.auto_match import MatchReport, match_pages, sync_manual_matches
from monitor.catalogue.cells import (
    accepted_matches,
    chunks,
    convert_new_prices,
    insert_rows,
    out_of_step,
    unconverted_cells,
    update_cells,
    update_rows,
)
from monitor.catalogue.config import Catalogue
from monitor.catalogue.matrix import Cell, MatrixRow, build_matrix
from monitor.catalogue.matrix_changes import CellBefore, ProductBefore, detect_matrix_changes, product_before
from monitor.catalogue.products_store import UpsertReport, upsert_products
from monitor.catalogue.rates import Conversion, RateTable
from monitor.catalogue.rates_store import rate_table
from monitor.catalogue.view import our_view
from monitor.changes.record import DetectedChange

META_ID = 1


@dataclass
class RefreshReport:
    products: UpsertReport | None = None
    matches: MatchReport | None = None
    new_states: int = 0
    cells: int = 0
    compared: int = 0
    changes: list[tuple[int, DetectedChange]] = field(default_factory=list)  # (watch id, change)


def lock_meta(session: Session, now: datetime) -> CatalogueMeta:
    """The meta row, written first: a concurrent refresh waits here until this one commits."""
    done = session.execute(update(CatalogueMeta).where(CatalogueMeta.id == META_ID).values(refreshed_at=now))
    if not done.rowcount:  # type: ignore[attr-defined]
        session.add(CatalogueMeta(id=META_ID, refreshed_at=now))
        session.flush()
    meta = session.get(CatalogueMeta, META_ID, populate_existing=True)
    assert meta is not None
    return meta


def _sync_watchlist(
    session: Session, catalogue: Catalogue, meta: CatalogueMeta, now: datetime
) -> tuple[UpsertReport | None, set[int]]:
    # The newest product watch counts too: a watch named in `watches:` may have been synced since.
    newest = session.scalar(select(func.max(Watch.id)).where(Watch.kind == "product")) or 0
    digest = hashlib.sha256(f"{catalogue.model_dump_json()}|{newest}".encode()).hexdigest()
    if digest == meta.watchlist_digest:
        return None, set()
    report = upsert_products(session, list(catalogue.products), "watchlist", catalogue.currency, now)
    if report.changed:
        meta.catalogue_version += 1
    changed = sync_manual_matches(session, catalogue, now)
    meta.watchlist_digest = digest
    return report, changed


def current_rates(session: Session, catalogue: Catalogue) -> RateTable:
    """The stored rates against the base the newest loaded ones use (an ECB source: EUR)."""
    base = session.scalar(select(FxRate.base).order_by(FxRate.loaded_at.desc(), FxRate.id.desc()).limit(1))
    max_age = catalogue.rates.max_age if catalogue.rates is not None else timedelta(days=7).total_seconds()
    return rate_table(session, base or "EUR", max_age)


def _stored_before(
    session: Session, ids: set[int]
) -> tuple[dict[int, ProductBefore], dict[int, list[Cell]]]:
    """What the rules compared last time, for these products of ours, and their offers (read
    before cells change)."""
    products: dict[int, ProductBefore] = {}
    offers: dict[int, list[Cell]] = {}
    for chunk in chunks(ids):
        query = select(
            MatrixProduct.our_product_id, MatrixProduct.cheapest_watch_id, MatrixProduct.most_expensive,
            MatrixProduct.our_price,
        ).where(MatrixProduct.our_product_id.in_(chunk))
        for pid, cheapest, dearest, price in core_rows(session, query):
            products[pid] = ProductBefore(cheapest, dearest, price)
        offers.update(matrix_offers(session, chunk))
    return products, offers


def _offers_now(session: Session, before: dict[int, list[Cell]], refreshed: set[int]) -> dict[int, list[Cell]]:
    """The offers after `update_cells`: those read before, with the refreshed watches' cells read
    again (the rest did not change), each product's in watch order as the store lists them."""
    now = {pid: [o for o in offers if o.watch_id not in refreshed] for pid, offers in before.items()}
    for chunk in chunks(refreshed):
        for pid, offers in matrix_offers(session, watch_ids=chunk).items():
            now.setdefault(pid, []).extend(offers)
    for offers in now.values():
        offers.sort(key=lambda o: o.watch_id)
    return now


def _our_prices(
    session: Session, ids: set[int], offers: dict[int, list[Cell]], catalogue: Catalogue, table: RateTable, now: datetime
) -> list[MatrixRow]:
    """The matrix rows of these products, with our own price converted today."""
    rows: list[MatrixRow] = []
    for chunk in chunks(ids):
        products = matrix_products(session, chunk)
        views = []
        for p in products:
            view = our_view(p, catalogue.currency)
            price, floor, note = p.price, p.map_price, None
            if p.currency != catalogue.currency:
                converted = [table.convert(v, p.currency, catalogue.currency, now.date()) if v is not None else None for v in (p.price, p.map_price)]
                price = converted[0].amount if isinstance(converted[0], Conversion) else None
                floor = converted[1].amount if isinstance(converted[1], Conversion) else None
                if p.price is not None and price is None:
                    note = getattr(converted[0], "reason", None)
            views.append(replace(view, price=price, map_price=floor, note=note))
        rows += build_matrix(views, offers)
    return rows


def _write_changes(
    session: Session, found: list[tuple[Cell, DetectedChange]], run_id: int | None, now: datetime
) -> list[tuple[int, DetectedChange]]:
    rows, out = [], []
    for cell, change in found:
        if cell.observation_id is None:
            continue
        rows.append(
            Change.values_of(
                change,
                watch_id=cell.watch_id,
                observation_id=cell.observation_id,
                competitor_id=cell.competitor_id,
                run_id=run_id,
                detected_at=now,
            )
        )
        out.append((cell.watch_id, change))
    insert_rows(session, Change, rows)
    return out


def _keep_baseline(session: Session, rows: list[MatrixRow], stored: set[int], now: datetime) -> None:
    """Each row's baseline for the next refresh; `stored`: the products that have one already."""
    inserts, updates = [], []
    for row in rows:
        product = product_before(row)
        values = {
            "our_product_id": row.product.id, "cheapest_watch_id": product.cheapest_watch_id,
            "most_expensive": product.most_expensive, "our_rank": row.our_rank, "offers": row.offers,
            "our_price": row.product.price, "map_price": row.product.map_price, "note": row.product.note,
            "updated_at": now,
        }
        (updates if row.product.id in stored else inserts).append(values)
    insert_rows(session, MatrixProduct, inserts)
    update_rows(session, MatrixProduct, "our_product_id", updates)


def _watches_checked(session: Session, run_id: int | None) -> set[int]:
    if run_id is None:
        return set()
    return set(core_rows(session, select(Observation.watch_id).where(Observation.run_id == run_id)).scalars())


def _touched(
    session: Session, fresh: set[int], changed: set[int], run_id: int | None, everything: bool
) -> tuple[set[int], set[int]]:
    """(the watches whose cell to refresh, the products of ours to compare)."""
    touched = fresh | changed | _watches_checked(session, run_id) | out_of_step(session)
    if everything:
        touched |= unconverted_cells(session)
    old_cells: dict[int, int] = {}
    for chunk in chunks(touched):
        query = select(MatrixCell.watch_id, MatrixCell.our_product_id).where(MatrixCell.watch_id.in_(chunk))
        old_cells.update({w: p for w, p in core_rows(session, query).all()})
    matched = accepted_matches(session, touched)
    cells = {w for w in touched if w in old_cells} | set(matched)
    products = {old_cells[w] for w in cells if w in old_cells} | set(matched.values())
    if everything:
        products |= {p.id for p in matrix_products(session)}
    return cells, products


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """A refresh allocates hundreds of thousands of small records (offers, rows, their values) and
    no reference cycles; the cyclic collector's full passes over them cost about 15 % of a refresh
    at 100,000 offers. Paused for the refresh, as it was after (one already off stays off)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def refresh_catalogue(
    session: Session, catalogue: Catalogue, now: datetime, *, run_id: int | None = None, gone_after: int = 3
) -> RefreshReport:
    """Bring the matrix up to date and write what the matrix rules see (the caller commits)."""
    with _cycle_collector_paused():
        return _refresh(session, catalogue, now, run_id, gone_after)


def _refresh(
    session: Session, catalogue: Catalogue, now: datetime, run_id: int | None, gone_after: int
) -> RefreshReport:
    report = RefreshReport()
    meta = lock_meta(session, now)
    report.products, manual = _sync_watchlist(session, catalogue, meta, now)
    report.matches = match_pages(session, catalogue.match, meta.catalogue_version, now)
    table = current_rates(session, catalogue)
    fresh = convert_new_prices(session, meta, table, catalogue.currency)
    report.new_states = len(fresh)
    # Our products or the rates changed since the matrix was last compared (here or by an import).
    everything = (meta.compared_catalogue, meta.compared_rates) != (meta.catalogue_version, meta.rates_version)
    changed = manual | (report.matches.changed_watches or set())
    cells, products = _touched(session, set(fresh), changed, run_id, everything)
    previous, offers_before = _stored_before(session, products)
    cells_before = {o.watch_id: CellBefore(o.converted, o.counts, o.stock) for listed in offers_before.values() for o in listed}
    update_cells(session, cells, fresh, table, catalogue.currency, gone_after, now)
    report.cells = len(cells)
    rows = _our_prices(session, products, _offers_now(session, offers_before, cells), catalogue, table, now)
    found: list[tuple[Cell, DetectedChange]] = []
    for row in rows:
        found += detect_matrix_changes(row, previous.get(row.product.id), cells_before)
    report.compared = len(rows)
    report.changes = _write_changes(session, found, run_id, now)
    _keep_baseline(session, rows, set(previous), now)  # `previous`: the stored baselines of these products
    meta.compared_catalogue, meta.compared_rates = meta.catalogue_version, meta.rates_version
    session.flush()
    return report
