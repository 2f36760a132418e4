"""Queries over our catalogue and the price matrix that the CLI, the exports, the weekly report and
the web dashboard share. Each returns plain records (Core selects: a matrix has 100,000 offers).

- `matrix_products` / `matrix_offers`: the matrix as the last refresh left it (monitor.catalogue
  builds the ranks, gaps, cheapest and median from them: `monitor.catalogue.view.price_matrix`);
- `price_history`: one product of ours over time: our price, and every matched offer's prices;
- `match_rows`: matches and proposals for `rivalwatch match`;
- `matrix_standing` / `products_below_map`: per product of ours, its offers counted and its cheapest
  and dearest counting offer, and which products have an offer below our MAP, in one GROUP BY each
  (the report's figures without reading 100,000 offers);
- `matrix_change_counts`: the matrix rules' changes of a period, counted by kind and competitor
  (the report's "MAP violations by competitor" and its changes of the matrix).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from models.catalog import Competitor, Watch
from models.catalogue import (
    MatrixCell,
    MatrixProduct,
    OurPriceHistory,
    OurProduct,
    PriceConversion,
    ProductMatch,
)
from models.change import Change
from models.product import ProductState


@dataclass(frozen=True)
class ProductRow:
    id: int
    sku: str
    name: str
    brand: str | None
    category: str | None
    tags: tuple[str, ...]
    availability: str | None
    price: Decimal | None  # in our own currency
    currency: str
    map_price: Decimal | None
    matrix_price: Decimal | None  # in the catalogue's currency, as the last refresh compared it
    matrix_map: Decimal | None
    note: str | None


OUT_OF_STOCK = frozenset({"OutOfStock", "SoldOut", "Discontinued"})
IN_STOCK = frozenset({"InStock", "LimitedAvailability", "OnlineOnly", "InStoreOnly", "PreSale"})


@dataclass(frozen=True, slots=True)
class Offer:
    """One competitor's offer of one product of ours, as the matrix keeps it (the matrix's cell)."""

    watch_id: int
    competitor: str
    url: str
    price: Decimal | None  # as the page shows it
    currency: str | None
    converted: Decimal | None  # in the catalogue's currency
    availability: str | None = None
    shipping: Decimal | None = None  # converted; None: the page does not say
    rate: Decimal | None = None
    rate_day: date | None = None
    note: str | None = None  # why there is no converted price
    gone: bool = False
    price_since: datetime | None = None
    observed_at: datetime | None = None
    competitor_id: int | None = None
    observation_id: int | None = None
    label: str | None = None
    our_product_id: int | None = None

    @property
    def counts(self) -> bool:
        """It competes: converted, its page not gone, not out of stock (an unknown stock counts)."""
        return self.converted is not None and not self.gone and self.availability not in OUT_OF_STOCK

    @property
    def stock(self) -> str | None:
        if self.gone:
            return "gone"
        if self.availability in IN_STOCK:
            return "in"
        if self.availability in OUT_OF_STOCK:
            return "out"
        return None


def _in(column: Any, ids: Iterable[int] | None) -> Any:
    return None if ids is None else column.in_(list(ids))


def core_rows(session: Session, query: Any) -> Any:
    """A column select run on the session's connection, not through the ORM's result machinery
    (which costs several times more per row: the matrix and its refresh read 100,000). Pending ORM
    writes are flushed first, so the rows are what `session.execute` would return."""
    session.flush()
    return session.connection().execute(query)


def matrix_products(session: Session, product_ids: Iterable[int] | None = None) -> list[ProductRow]:
    """Our active products (or these), with the prices the matrix compared, by SKU."""
    query = (
        select(
            OurProduct.id, OurProduct.sku, OurProduct.name, OurProduct.brand, OurProduct.category, OurProduct.tags,
            OurProduct.availability, OurProduct.price, OurProduct.currency, OurProduct.map_price,
            MatrixProduct.our_price, MatrixProduct.map_price, MatrixProduct.note,
        )
        .outerjoin(MatrixProduct, MatrixProduct.our_product_id == OurProduct.id)
        .where(OurProduct.active.is_(True))
        .order_by(OurProduct.sku)
    )
    where = _in(OurProduct.id, product_ids)
    if where is not None:
        query = query.where(where)
    return [
        ProductRow(*r[:5], tuple(r[5] or ()), *r[6:]) for r in core_rows(session, query)  # type: ignore[call-arg]
    ]


def matrix_offers(
    session: Session, product_ids: Iterable[int] | None = None, *, watch_ids: Iterable[int] | None = None
) -> dict[int, list[Offer]]:
    """Every matched competitor offer per product of ours, as the last refresh left it (of these
    products, or of these watches)."""
    # The columns in the order of `Offer`'s fields: one object per offer, built positionally.
    query = (
        select(
            MatrixCell.watch_id, Competitor.name, Watch.url, MatrixCell.price, MatrixCell.currency,
            MatrixCell.converted, MatrixCell.availability, MatrixCell.shipping, MatrixCell.rate, MatrixCell.rate_day,
            MatrixCell.note, MatrixCell.gone, MatrixCell.price_since, MatrixCell.observed_at,
            MatrixCell.competitor_id, MatrixCell.observation_id, Watch.label, MatrixCell.our_product_id,
        )
        .join(Watch, Watch.id == MatrixCell.watch_id)
        .outerjoin(Competitor, Competitor.id == MatrixCell.competitor_id)
    )
    for where in (_in(MatrixCell.our_product_id, product_ids), _in(MatrixCell.watch_id, watch_ids)):
        if where is not None:
            query = query.where(where)
    out: dict[int, list[Offer]] = {}
    for r in core_rows(session, query):
        offer = Offer(r[0], r[1] or "?", *r[2:])
        out.setdefault(offer.our_product_id or 0, []).append(offer)
    return out


@dataclass(frozen=True)
class ProductStanding:
    """A product of ours in the matrix, summed up: what `MatrixRow` computes from its offers."""

    id: int
    sku: str
    our_price: Decimal | None  # in the catalogue's currency, as the last refresh compared it
    offers: int  # every offer listed, counting or not
    counting: int
    cheapest: Decimal | None  # the lowest converted price of the counting offers
    dearest: Decimal | None


def _counts(cells: Any) -> Any:
    """`Offer.counts` in SQL: converted, its page not gone, not out of stock (unknown stock counts)."""
    return and_(
        cells.converted.is_not(None),
        cells.gone.is_not(True),
        or_(cells.availability.is_(None), cells.availability.not_in(sorted(OUT_OF_STOCK))),
    )


def _offers_of(competitors: Iterable[str] | None) -> Any:
    """The cells `matrix_offers` lists (of these competitors only, by name, when given)."""
    query = select(MatrixCell).join(Watch, Watch.id == MatrixCell.watch_id)
    if competitors is not None:
        name = func.coalesce(Competitor.name, "?")
        query = query.outerjoin(Competitor, Competitor.id == MatrixCell.competitor_id).where(name.in_(list(competitors)))
    return query.subquery()


def matrix_standing(session: Session, competitors: Iterable[str] | None = None) -> list[ProductStanding]:
    """Every active product of ours, by SKU, with its offers summed up in one GROUP BY."""
    cells = _offers_of(competitors)
    counts = _counts(cells.c)
    summed = (
        select(
            cells.c.our_product_id.label("pid"), func.count().label("offers"),
            func.count(case((counts, 1))).label("counting"),
            func.min(case((counts, cells.c.converted))).label("cheapest"),
            func.max(case((counts, cells.c.converted))).label("dearest"),
        )
        .group_by(cells.c.our_product_id)
        .subquery()
    )  # fmt: skip
    query = (
        select(
            OurProduct.id, OurProduct.sku, MatrixProduct.our_price, func.coalesce(summed.c.offers, 0),
            func.coalesce(summed.c.counting, 0), summed.c.cheapest, summed.c.dearest,
        )
        .outerjoin(MatrixProduct, MatrixProduct.our_product_id == OurProduct.id)
        .outerjoin(summed, summed.c.pid == OurProduct.id)
        .where(OurProduct.active.is_(True))
        .order_by(OurProduct.sku)
    )  # fmt: skip
    return [ProductStanding(*r) for r in core_rows(session, query)]


def products_below_map(session: Session, competitors: Iterable[str] | None = None) -> set[int]:
    """Our products with a counting offer below our MAP (as the last refresh compared it)."""
    cells = _offers_of(competitors)
    query = (
        select(cells.c.our_product_id)
        .join(MatrixProduct, MatrixProduct.our_product_id == cells.c.our_product_id)
        .where(
            _counts(cells.c), MatrixProduct.map_price.is_not(None), cells.c.converted < MatrixProduct.map_price,
        )
        .distinct()
    )  # fmt: skip
    return set(core_rows(session, query).scalars())


@dataclass(frozen=True)
class HistoryPoint:
    at: datetime
    price: Decimal | None
    currency: str | None
    converted: Decimal | None
    availability: str | None


@dataclass(frozen=True)
class ProductHistory:
    product: OurProduct
    ours: list[OurPriceHistory]
    offers: dict[int, tuple[str, str, list[HistoryPoint]]]  # watch id -> (competitor, url, points)


def price_history(session: Session, sku: str, since: datetime | None = None) -> ProductHistory | None:
    """One product of ours over time: our own price changes and every matched offer's states."""
    product = session.scalars(select(OurProduct).where(OurProduct.sku == sku)).first()
    if product is None:
        return None
    ours_q = select(OurPriceHistory).where(OurPriceHistory.our_product_id == product.id)
    if since is not None:
        ours_q = ours_q.where(OurPriceHistory.at >= since)
    ours = list(session.scalars(ours_q.order_by(OurPriceHistory.at, OurPriceHistory.id)))
    matched = select(ProductMatch.watch_id).where(
        ProductMatch.our_product_id == product.id, ProductMatch.status == "accepted"
    )
    query = (
        select(
            ProductState.watch_id, Competitor.name, Watch.url, ProductState.observed_at, ProductState.price,
            ProductState.currency, PriceConversion.amount, ProductState.availability,
        )
        .join(Watch, Watch.id == ProductState.watch_id)
        .outerjoin(Competitor, Competitor.id == Watch.competitor_id)
        .outerjoin(PriceConversion, PriceConversion.state_id == ProductState.id)
        .where(ProductState.watch_id.in_(matched))
        .order_by(ProductState.watch_id, ProductState.observed_at, ProductState.id)
    )
    if since is not None:
        query = query.where(ProductState.observed_at >= since)
    offers: dict[int, tuple[str, str, list[HistoryPoint]]] = {}
    for wid, competitor, url, at, price, currency, converted, availability in session.execute(query):
        entry = offers.setdefault(wid, (competitor or "?", url, []))
        entry[2].append(HistoryPoint(at, price, currency, converted, availability))
    return ProductHistory(product, ours, offers)


@dataclass(frozen=True)
class MatchRow:
    id: int
    status: str
    method: str
    confidence: float
    evidence: dict[str, Any]
    decided_by: str
    watch_id: int
    url: str
    label: str | None
    competitor: str | None
    page_name: str | None
    our_sku: str
    our_name: str


def match_rows(session: Session, statuses: Iterable[str] = ("proposed",)) -> list[MatchRow]:
    """Matches with these statuses, with the page's latest name and our product, most confident first."""
    query = (
        select(ProductMatch, Watch.url, Watch.label, Competitor.name, OurProduct.sku, OurProduct.name)
        .join(Watch, Watch.id == ProductMatch.watch_id)
        .outerjoin(Competitor, Competitor.id == Watch.competitor_id)
        .join(OurProduct, OurProduct.id == ProductMatch.our_product_id)
        .where(ProductMatch.status.in_(list(statuses)))
        .order_by(ProductMatch.confidence.desc(), ProductMatch.id)
    )
    out = []
    for match, url, label, competitor, sku, name in session.execute(query):
        page_name = session.scalars(
            select(ProductState.name)
            .where(ProductState.watch_id == match.watch_id)
            .order_by(ProductState.id.desc())
            .limit(1)
        ).first()
        out.append(
            MatchRow(
                match.id, match.status, match.method, match.confidence, dict(match.evidence or {}),
                match.decided_by, match.watch_id, url, label, competitor, page_name, sku, name,
            )
        )
    return out


def matrix_change_counts(
    session: Session, since: datetime, until: datetime, kinds: Iterable[str]
) -> dict[tuple[str, str | None], int]:
    """(kind, competitor) -> how many changes of these kinds were detected in [since, until): one
    GROUP BY, for the report's counts (a week of a large matrix has tens of thousands)."""
    query = (
        select(Change.kind, Competitor.name, func.count())
        .outerjoin(Competitor, Competitor.id == Change.competitor_id)
        .where(Change.kind.in_(list(kinds)), Change.detected_at >= since, Change.detected_at < until)
        .group_by(Change.kind, Competitor.name)
    )
    return {(kind, name): n for kind, name, n in session.execute(query)}
