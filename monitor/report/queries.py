"""Store -> plain data for the report: each function runs a few set-based queries and returns dataclasses.

Nothing here decides anything; `builder` does. Queries are shaped for a year of daily observations of
thousands of products: the state "as of" a moment is one index seek per watch (a correlated
``ORDER BY observed_at DESC LIMIT 1``), never a scan of the history, and rows come back as tuples.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from models import Change, Competitor, ProductState, Watch
from monitor.kinds import kinds_of
from monitor.report import rank_source
from monitor.report.period import ReportPeriod
from monitor.report.rank_source import RankRow

RANK_KINDS = kinds_of("keyword")
HISTORY_WEEKS = 8  # how far back charts (and rank positions rebuilt from changes) look


@dataclass(frozen=True)
class CompetitorRow:
    id: int
    name: str
    domains: tuple[str, ...]


@dataclass(frozen=True)
class WatchRow:
    id: int
    kind: str
    competitor_id: int | None
    label: str
    url: str
    our_price: Decimal | None


@dataclass(frozen=True)
class StateRow:
    watch_id: int
    at: datetime
    price: Decimal | None
    currency: str | None
    availability: str | None


@dataclass(frozen=True)
class ChangeRow:
    id: int
    watch_id: int
    competitor_id: int | None
    kind: str
    summary: str
    field: str | None
    old: str | None
    new: str | None
    magnitude: float | None
    anomaly_score: float | None
    anomaly_explanation: str | None
    details: dict[str, Any]
    at: datetime


@dataclass
class ReportData:
    """Everything the builder needs for one period, loaded in one go."""

    period: ReportPeriod
    history_start: datetime
    competitors: list[CompetitorRow]
    watches: dict[int, WatchRow]
    baseline: dict[int, StateRow]  # each product's last state before period.prev_start
    baseline_priced: dict[int, StateRow]  # ... and its last state that had a price
    states: list[StateRow]  # product states in [prev_start, end), in time order
    changes: list[ChangeRow]  # changes in [prev_start, end); rank changes from history_start
    ranks: list[RankRow] | None = None  # rank history tables, when the store has them
    tables: set[str] = field(default_factory=set)


def _decimal(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def competitors(session: Session) -> list[CompetitorRow]:
    rows = session.execute(
        select(Competitor.id, Competitor.name, Competitor.domains).order_by(Competitor.name)
    )
    return [CompetitorRow(i, n, tuple(d or ())) for i, n, d in rows]


def watches(session: Session) -> dict[int, WatchRow]:
    rows = session.execute(
        select(Watch.id, Watch.kind, Watch.competitor_id, Watch.label, Watch.url, Watch.options)
    )
    return {
        i: WatchRow(i, k, c, lbl or u, u, _decimal((o or {}).get("our_price"))) for i, k, c, lbl, u, o in rows
    }


def _state_columns():  # noqa: ANN202
    return (
        ProductState.watch_id,
        ProductState.observed_at,
        ProductState.price,
        ProductState.currency,
        ProductState.availability,
    )


def states_as_of(
    session: Session, watch_ids: Sequence[int], moment: datetime, priced: bool = False
) -> dict[int, StateRow]:
    """Each watch's last product state strictly before `moment` (with a price, if `priced`)."""
    if not watch_ids:
        return {}
    inner = select(ProductState.id).where(
        ProductState.watch_id == Watch.id, ProductState.observed_at < moment
    )
    if priced:
        inner = inner.where(ProductState.price.is_not(None))
    latest = (
        inner.order_by(ProductState.observed_at.desc(), ProductState.id.desc())
        .limit(1)
        .correlate(Watch)
        .scalar_subquery()
    )
    out: dict[int, StateRow] = {}
    for chunk in _chunks(watch_ids, 5000):
        ids = select(latest).where(Watch.id.in_(chunk))
        rows = session.execute(select(*_state_columns()).where(ProductState.id.in_(ids)))
        out.update({r[0]: StateRow(*r) for r in rows})
    return out


def states_between(
    session: Session, since: datetime, until: datetime, watch_ids: Iterable[int] | None = None
) -> list[StateRow]:
    query = select(*_state_columns()).where(
        ProductState.observed_at >= since, ProductState.observed_at < until
    )
    if watch_ids is not None:
        ids = list(watch_ids)
        if not ids:
            return []
        query = query.where(ProductState.watch_id.in_(ids))
    query = query.order_by(ProductState.observed_at, ProductState.id)
    return [StateRow(*r) for r in session.execute(query)]


def changes_between(
    session: Session, since: datetime, until: datetime, kinds: Iterable[str] | None = None
) -> list[ChangeRow]:
    query = select(
        Change.id,
        Change.watch_id,
        Change.competitor_id,
        Change.kind,
        Change.summary,
        Change.field,
        Change.old,
        Change.new,
        Change.magnitude,
        Change.anomaly_score,
        Change.anomaly_explanation,
        Change.details,
        Change.detected_at,
    ).where(Change.detected_at >= since, Change.detected_at < until)
    if kinds is not None:
        query = query.where(Change.kind.in_(list(kinds)))
    rows = session.execute(query.order_by(Change.detected_at, Change.id))
    return [
        ChangeRow(
            r.id, r.watch_id, r.competitor_id, r.kind, r.summary, r.field, r.old, r.new, r.magnitude,
            r.anomaly_score, r.anomaly_explanation, r.details or {}, r.detected_at,
        )
        for r in rows
    ]


def table_names(session: Session) -> set[str]:
    return set(inspect(session.get_bind()).get_table_names())


def load_report_data(session: Session, period: ReportPeriod) -> ReportData:
    """The period's data for every competitor (the market comparison needs them all)."""

    history_start = period.start - timedelta(weeks=HISTORY_WEEKS)
    all_watches = watches(session)
    product_ids = [w.id for w in all_watches.values() if w.kind == "product"]
    tables = table_names(session)
    ranks = rank_source.load_ranks(
        session, tables, history_start, period.end, cutoffs=(period.start, period.end)
    )
    changes = changes_between(session, period.prev_start, period.end)
    if ranks is None:  # positions are rebuilt from rank changes: look further back for them
        older = changes_between(session, history_start, period.prev_start, RANK_KINDS)
        changes = older + changes
    return ReportData(
        period=period,
        history_start=history_start,
        competitors=competitors(session),
        watches=all_watches,
        baseline=states_as_of(session, product_ids, period.prev_start),
        baseline_priced=states_as_of(session, product_ids, period.prev_start, priced=True),
        states=states_between(session, period.prev_start, period.end),
        changes=changes,
        ranks=ranks,
        tables=tables,
    )


def price_history(
    session: Session, watch_ids: Sequence[int], since: datetime, until: datetime
) -> dict[int, list[StateRow]]:
    """The states of a few watches (the top movers) for their charts, with the state before `since`."""
    out: dict[int, list[StateRow]] = {w: [] for w in watch_ids}
    before = states_as_of(session, watch_ids, since, priced=True)
    for w, state in before.items():
        out[w].append(state)
    for state in states_between(session, since, until, watch_ids):
        out[state.watch_id].append(state)
    return out


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
