"""Where we stand on price, for the weekly report and the web dashboard: one call, plain records.

    position = price_position(session, "USD", since, until)
    position.most_expensive      # our products where the cheapest offer is furthest below us
    position.least_expensive     # and where we lead by the most
    position.map_violations      # per competitor: offers below our MAP now, and MAP violations reported in the period

The report (monitor/report, issue 12) renders these; nothing here renders.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from models.catalogue_queries import matrix_changes_between
from monitor.catalogue.matrix import (
    Cell,
    MatrixRow,
    map_violations,
    where_least_expensive,
    where_most_expensive,
)
from monitor.catalogue.view import price_matrix

MATRIX_CHANGE_KINDS = ("undercut_by", "most_expensive", "map_violation", "cheapest_changed", "competitor_out_of_stock")


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
    most_expensive: list[MatrixRow]
    least_expensive: list[MatrixRow]
    dearest_count: int  # products where every counting offer is below us
    cheapest_count: int  # products where we rank first
    map_violations: list[MapViolations] = field(default_factory=list)
    changes: Counter = field(default_factory=Counter)  # matrix change kind -> count in the period


def price_position(
    session: Session, currency: str, since: datetime, until: datetime, limit: int = 10
) -> PricePosition:
    """The matrix now, and the matrix rules' changes detected in [since, until)."""
    rows = price_matrix(session, currency)
    changes = matrix_changes_between(session, since, until, MATRIX_CHANGE_KINDS)
    reported = Counter(c.competitor or "?" for c in changes if c.change.kind == "map_violation")
    current = map_violations(rows)
    names = sorted(set(current) | set(reported), key=lambda n: (-len(current.get(n, [])), -reported[n], n))
    return PricePosition(
        currency=currency,
        products=len(rows),
        offers=sum(len(r.cells) for r in rows),
        most_expensive=where_most_expensive(rows, limit),
        least_expensive=where_least_expensive(rows, limit),
        dearest_count=sum(1 for r in rows if r.most_expensive),
        cheapest_count=sum(1 for r in rows if r.offers and r.our_rank == 1),
        map_violations=[MapViolations(n, current.get(n, []), reported[n]) for n in names],
        changes=Counter(c.change.kind for c in changes),
    )
