"""Where we stand on price, for the weekly report and the web dashboard: one call, plain records.

    position = price_position(session, "USD", since, until, previous_since)
    position.most_expensive      # our products where the cheapest offer is furthest below us
    position.least_expensive     # and where we lead by the most
    position.map_violations      # per competitor: offers below our MAP now, and MAP violations reported in the period
    position.changes             # the matrix rules' changes of the period (and `changes_before`, the period before)

The report (monitor/report) renders these; nothing here renders. The matrix is the one the last
refresh left (`refreshed_at`): the report says so, since a past week's report shows today's matrix.
Its figures come from one GROUP BY over the matrix (`matrix_standing`); only the rows the report
lists (most and least expensive, offers below our MAP) are read whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.catalogue import CatalogueMeta
from models.catalogue_queries import (
    ProductStanding,
    matrix_change_counts,
    matrix_standing,
    products_below_map,
)
from monitor.catalogue.matrix import Cell, MatrixRow, gap, map_violations
from monitor.catalogue.view import price_matrix
from monitor.kinds import CHANGE_KINDS, kinds_counted_as

# The matrix rules' change kinds, in the registry's order (the order the report lists them in).
MATRIX_CHANGE_KINDS = tuple(name for name in CHANGE_KINDS if name in kinds_counted_as("price_position"))


@dataclass(frozen=True)
class MapViolations:
    competitor: str
    now: list[tuple[MatrixRow, Cell]]  # offers below our MAP at the latest check
    reported: int  # map_violation changes detected in the period


@dataclass
class PricePosition:
    currency: str
    products: int
    offers: int
    most_expensive: list[MatrixRow]  # only where the cheapest counting offer is below us
    least_expensive: list[MatrixRow]  # only where every counting offer is above us
    dearest_count: int  # products where every counting offer is below us
    cheapest_count: int  # products where we rank first
    compared: int = 0  # products with our price and at least one counting offer
    refreshed_at: datetime | None = None  # when the matrix was last refreshed
    map_violations: list[MapViolations] = field(default_factory=list)
    changes: Counter = field(default_factory=Counter)  # matrix change kind -> count in the period
    changes_before: Counter | None = None  # the same in the period before (None: not asked)


def _ranked(standing: list[ProductStanding]) -> list[tuple[Decimal, str, int]]:
    """(gap share to the cheapest, SKU, product id), as `where_most_expensive` ranks the matrix rows:
    products with our price and a counting offer, the furthest below us first."""
    out = []
    for p in standing:
        g = gap(p.our_price, p.cheapest) if p.counting else None
        if g is not None:
            out.append((g.share, p.sku, p.id))
    out.sort()
    return out


def price_position(
    session: Session,
    currency: str,
    since: datetime,
    until: datetime,
    previous_since: datetime | None = None,
    limit: int = 10,
    competitors: Iterable[str] | None = None,
) -> PricePosition:
    """The matrix now, and the matrix rules' changes detected in [since, until) (and in
    [previous_since, since), the period before, when given); against these competitors only, when
    given (the cheapest, ranks and changes are then theirs)."""
    keep = set(competitors) if competitors is not None else None
    standing = matrix_standing(session, keep)
    ranked = _ranked(standing)
    most = [pid for share, _sku, pid in ranked if share < 0][:limit]
    least = [pid for share, _sku, pid in reversed(ranked) if share > 0][:limit]
    below = products_below_map(session, keep)
    # The whole rows only of the products the report lists (the figures come from `standing`).
    rows = {r.product.id: r for r in price_matrix(session, currency, competitors=keep, product_ids={*most, *least, *below})}

    def period(start: datetime, end: datetime) -> dict[tuple[str, str | None], int]:
        found = matrix_change_counts(session, start, end, MATRIX_CHANGE_KINDS)
        return {key: n for key, n in found.items() if keep is None or key[1] in keep}

    def by_kind(counts: dict[tuple[str, str | None], int]) -> Counter:
        out: Counter = Counter()
        for (kind, _competitor), n in counts.items():
            out[kind] += n
        return out

    changes = period(since, until)
    before = by_kind(period(previous_since, since)) if previous_since is not None else None
    reported: Counter = Counter()
    for (kind, competitor), n in changes.items():
        if kind == "map_violation":
            reported[competitor or "?"] += n
    current = map_violations([r for pid, r in rows.items() if pid in below])  # in SKU order, as the matrix
    names = sorted(set(current) | set(reported), key=lambda n: (-len(current.get(n, [])), -reported[n], n))
    meta = session.scalar(select(CatalogueMeta.refreshed_at).limit(1))
    priced = [p for p in standing if p.counting and p.our_price is not None]
    return PricePosition(
        currency=currency,
        products=len(standing),
        offers=sum(p.offers for p in standing),
        most_expensive=[rows[pid] for pid in most],
        least_expensive=[rows[pid] for pid in least],
        # `MatrixRow.most_expensive`: every counting offer below us; `our_rank` 1: none below us
        dearest_count=sum(1 for p in priced if p.dearest is not None and p.dearest < p.our_price),  # type: ignore[operator]
        cheapest_count=sum(1 for p in priced if p.cheapest is not None and not p.cheapest < p.our_price),  # type: ignore[operator]
        compared=len(ranked),
        refreshed_at=meta,
        map_violations=[MapViolations(n, current.get(n, []), reported[n]) for n in names],
        changes=by_kind(changes),
        changes_before=before,
    )
