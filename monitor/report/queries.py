"""The report's query layer: store -> plain data, each function a few set-based queries returning
dataclasses. The weekly report reads the store only through here, and so will the web dashboard:
`load_report_data(session, period)` is everything one period's report needs (the builder turns it
into numbers, `monitor.report.builder.build_report`), and the smaller functions (`competitors`,
`watches`, `first_checks`, `states_as_of`, `changes_between`, `daily_lines`) answer one question each.

Nothing here decides anything; `builder` does. Queries are shaped for a year of daily observations of
thousands of products: the state "as of" a moment is one index seek per watch (a correlated
``ORDER BY observed_at DESC LIMIT 1``), never a scan of the history, and rows come back as tuples.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from models import Change, Competitor, Observation, ProductState, Watch
from monitor.catalogue.weekly import PricePosition, price_position
from monitor.kinds import kinds_of
from monitor.kinds.base import read_options
from monitor.kinds.product.config import ProductOptions
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
    tags: tuple[str, ...] = ()  # what alert rules' `tags:` match, with the watch's


@dataclass(frozen=True)
class WatchRow:
    id: int
    kind: str
    competitor_id: int | None
    label: str
    url: str
    our_price: Decimal | None
    our_sku: str | None = None
    map_price: Decimal | None = None  # the alert rules' below_map reference
    tags: tuple[str, ...] = ()


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
    first_checks: dict[int, datetime] = field(default_factory=dict)  # each watch's first good check
    # Each product's last priced state before each week boundary of the history (the index chart's
    # weekly points before the two weeks the period and its predecessor cover day by day).
    weekly: dict[datetime, dict[int, StateRow]] = field(default_factory=dict)
    lines: dict[int, list[DayState]] = field(default_factory=dict)  # charted products by day (load_lines)
    position: PricePosition | None = None  # our catalogue against the market (None: no catalogue)

    def competitor_first_check(self, competitor_id: int) -> datetime | None:
        """When the first good check of any of this competitor's watches happened (None: never)."""
        times = [
            t for w, t in self.first_checks.items()
            if (row := self.watches.get(w)) is not None and row.competitor_id == competitor_id
        ]  # fmt: skip
        return min(times) if times else None


@dataclass(frozen=True)
class DayState:
    """A product at the end of one local day: its last known price, and whether it was out of stock."""

    day: date
    price: Decimal | None
    currency: str | None
    availability: str | None


def competitors(session: Session) -> list[CompetitorRow]:
    rows = session.execute(
        select(Competitor.id, Competitor.name, Competitor.domains, Competitor.tags).order_by(Competitor.name)
    )
    return [CompetitorRow(i, n, tuple(d or ()), tuple(t or ())) for i, n, d, t in rows]


def watches(session: Session) -> dict[int, WatchRow]:
    rows = session.execute(
        select(Watch.id, Watch.kind, Watch.competitor_id, Watch.label, Watch.url, Watch.options, Watch.tags)
    )
    out = {}
    for i, k, c, lbl, u, o, t in rows:
        our_price = our_sku = map_price = None
        if k == "product":  # a product's options through its own model: defaults live there only
            opts = read_options(ProductOptions, o)
            our_price, our_sku, map_price = opts.our_price, opts.our_sku, opts.map_price
        out[i] = WatchRow(i, k, c, lbl or u, u, our_price, our_sku, map_price, tuple(t or ()))
    return out


def first_checks(session: Session) -> dict[int, datetime]:
    """Each watch's first good check (one index seek per watch): its first week is its baseline."""
    first = (
        select(Observation.fetched_at)
        .where(Observation.watch_id == Watch.id, Observation.status == "ok")
        .order_by(Observation.fetched_at)
        .limit(1)
        .correlate(Watch)
        .scalar_subquery()
    )
    rows = session.execute(select(Watch.id, first))
    return {w: at for w, at in rows if at is not None}


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


def load_report_data(
    session: Session,
    period: ReportPeriod,
    catalogue_currency: str | None = None,
    competitors_wanted: Iterable[str] | None = None,
) -> ReportData:
    """The period's data for every competitor (the market comparison needs them all); with our
    catalogue's currency, the price position too (against the wanted competitors only, when given)."""

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
    position = None
    if catalogue_currency is not None and "our_products" in tables:
        position = price_position(
            session, catalogue_currency, period.start, period.end, period.prev_start, competitors=competitors_wanted
        )
    return ReportData(
        period=period,
        position=position,
        history_start=history_start,
        competitors=competitors(session),
        watches=all_watches,
        baseline=states_as_of(session, product_ids, period.prev_start),
        baseline_priced=states_as_of(session, product_ids, period.prev_start, priced=True),
        states=states_between(session, period.prev_start, period.end),
        changes=changes,
        ranks=ranks,
        tables=tables,
        first_checks=first_checks(session),
        weekly={
            moment: states_as_of(session, product_ids, moment, priced=True)
            for moment in week_boundaries(history_start, period.prev_start)
        },
    )


def week_boundaries(since: datetime, until: datetime) -> list[datetime]:
    """Every moment a week apart from `since` up to (not including) `until`."""
    out, moment = [], since
    while moment < until:
        out.append(moment)
        moment += timedelta(weeks=1)
    return out


def load_lines(session: Session, data: ReportData, watch_ids: Iterable[int]) -> None:
    """Day-by-day lines of the products the report charts, over the history window."""
    ids = sorted(set(watch_ids))
    data.lines = daily_lines(session, ids, data.history_start, data.period.end, data.period.timezone)


def daily_lines(
    session: Session, watch_ids: Sequence[int], since: datetime, until: datetime, timezone: str
) -> dict[int, list[DayState]]:
    """Each product watch by local day from `since` to `until`: the last known price at the end of each
    day (carried over days without a check, and over out-of-stock pages that hide it) and the last
    availability. Days before a watch's first state are left out. Meant for the few products a report
    charts (their rows by the watch's index), not for the whole catalogue."""
    if not watch_ids:
        return {}
    tz = ZoneInfo(timezone)
    first_day = since.astimezone(tz).date()
    last_day = (until - timedelta(microseconds=1)).astimezone(tz).date()
    current: dict[int, DayState] = {}
    priced = states_as_of(session, watch_ids, since, priced=True)
    for w, state in states_as_of(session, watch_ids, since).items():
        last = priced.get(w)
        price = state.price if state.price is not None else (last.price if last else None)
        currency = state.currency or (last.currency if last else None)
        current[w] = DayState(first_day, price, currency, state.availability)
    out: dict[int, list[DayState]] = {w: [] for w in watch_ids}
    wanted = set(watch_ids)

    def close_days(w: int, upto: date) -> None:
        # Carry the watch's state to every day before `upto` that has no entry yet.
        state, line = current[w], out[w]
        day = line[-1].day + timedelta(days=1) if line else state.day
        while day < upto:
            line.append(DayState(day, state.price, state.currency, state.availability))
            day += timedelta(days=1)

    rows = [
        row
        for chunk in _chunks(sorted(wanted), 900)
        for row in session.execute(
            select(*_state_columns()).where(
                ProductState.watch_id.in_(chunk), ProductState.observed_at >= since, ProductState.observed_at < until
            )
        )
    ]
    rows.sort(key=lambda r: r[1])
    for w, at, price, currency, availability in rows:
        day = at.astimezone(tz).date()
        if w in current:
            close_days(w, day)
            old = current[w]
            price, currency = (price, currency or old.currency) if price is not None else (old.price, old.currency)
        current[w] = DayState(day, price, currency, availability)
    for w in current:
        close_days(w, last_day + timedelta(days=1))
    return {w: line for w, line in out.items() if line}


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
