"""The store reads and the few writes behind the dashboard and the API, where monitor.report.queries,
monitor.status and the kinds' own summaries have nothing that fits. Functions over a session that
return plain dataclasses: the pages render them and the API returns them as JSON, so both say the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import String, cast, func, or_, select, union_all, update
from sqlalchemy.orm import Session

from models import AlertDelivery, Body, Change, Competitor, Observation, ProductState, Watch
from models.listing import ListingSnapshot, ListingSnapshotItem, latest_items
from models.page_text import PageDiff, PageText
from models.rank import DomainRank, RankCheck, RankResult
from models.site import SitePage, SiteSnapshotRow

T = TypeVar("T")
STATUSES = ("ok", "failing", "paused", "muted", "due")
OUT_OF_STOCK = ("OutOfStock", "SoldOut", "Discontinued")
MAX_MUTE_HOURS = 24 * 90  # a mute is for a while: longer than a quarter is pausing, or removing the watch


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class WatchFilter:
    competitor: str | None = None
    kind: str | None = None
    tag: str | None = None
    status: str | None = None  # one of STATUSES
    q: str | None = None  # in the label or the address


@dataclass(frozen=True)
class WatchListRow:
    id: int
    kind: str
    label: str
    url: str
    competitor: str | None
    tags: list[str]
    last_checked_at: datetime | None
    last_good_at: datetime | None
    last_error: str | None
    failures: int
    failing_since: datetime | None  # the first failed check after the last good one
    next_due_at: datetime | None
    paused: bool
    muted_until: datetime | None
    value: str | None  # the last good value, as the table shows it
    price: str | None = None
    currency: str | None = None
    availability: str | None = None
    item_count: int | None = None
    page_count: int | None = None
    ranks: dict[str, int | None] = field(default_factory=dict)


def _status_clause(status: str, now: datetime):  # noqa: ANN202
    if status == "failing":
        return Watch.last_error.is_not(None)
    if status == "ok":
        return Watch.last_error.is_(None)
    if status == "paused":
        return Watch.paused.is_(True)
    if status == "muted":
        return Watch.muted_until > now
    if status == "due":
        return Watch.paused.is_(False) & or_(Watch.next_due_at.is_(None), Watch.next_due_at <= now)
    raise ValueError(f"status is one of {', '.join(STATUSES)}")


def _watch_query(f: WatchFilter, now: datetime):  # noqa: ANN202
    query = select(Watch.id).outerjoin(Competitor, Competitor.id == Watch.competitor_id).where(Watch.active.is_(True))
    if f.competitor:
        query = query.where(Competitor.name == f.competitor)
    if f.kind:
        query = query.where(Watch.kind == f.kind)
    if f.tag:  # tags are a JSON list: its text holds the tag as a JSON string
        query = query.where(cast(Watch.tags, String).contains(json.dumps(f.tag), autoescape=True))
    if f.status:
        query = query.where(_status_clause(f.status, now))
    if f.q:
        needle = f.q.lower()
        query = query.where(
            or_(
                func.lower(Watch.label).contains(needle, autoescape=True),
                func.lower(Watch.url).contains(needle, autoescape=True),
            )
        )
    return query


def watch_table(session: Session, now: datetime, f: WatchFilter, limit: int = 100, offset: int = 0) -> Page[WatchListRow]:
    """One page of the watch table: watches of every kind with their last good value."""
    ids_query = _watch_query(f, now)
    total = session.scalar(select(func.count()).select_from(ids_query.subquery())) or 0
    ordered = ids_query.order_by(Competitor.name, Watch.kind, Watch.id).limit(limit).offset(offset)
    ids = list(session.scalars(ordered))
    return Page(watch_rows_of(session, ids), total, limit, offset)


def watch_rows_of(session: Session, ids: list[int]) -> list[WatchListRow]:
    if not ids:
        return []
    rows = session.execute(
        select(
            Watch.id, Watch.kind, Watch.label, Watch.url, Competitor.name, Watch.tags, Watch.last_checked_at,
            Watch.last_good_at, Watch.last_error, Watch.consecutive_failures, Watch.next_due_at, Watch.paused,
            Watch.muted_until,
        )
        .outerjoin(Competitor, Competitor.id == Watch.competitor_id)
        .where(Watch.id.in_(ids))
    ).all()
    by_id = {r.id: r for r in rows}
    values = latest_values(session, [(r.id, r.kind) for r in rows])
    since = failing_since(session, {r.id: r.last_good_at for r in rows if r.last_error})
    out = []
    for i in ids:
        r = by_id.get(i)
        if r is None:
            continue
        v = values.get(i, {})
        out.append(
            WatchListRow(
                r.id, r.kind, r.label or r.url, r.url, r.name, list(r.tags or []), r.last_checked_at, r.last_good_at,
                r.last_error, r.consecutive_failures, since.get(r.id), r.next_due_at, r.paused, r.muted_until, v.get("value"),
                price=v.get("price"), currency=v.get("currency"), availability=v.get("availability"),
                item_count=v.get("item_count"), page_count=v.get("page_count"), ranks=v.get("ranks", {}),
            )
        )  # fmt: skip
    return out


def failing_since(session: Session, last_good: dict[int, datetime | None]) -> dict[int, datetime]:
    """When each failing watch (id -> its last good check) started failing: its first failed
    observation after the last good one (the last good check says when it last worked, not how long
    it has not). An index range on (watch_id, fetched_at) per watch, over its failures only."""
    out: dict[int, datetime] = {}
    was_good = [i for i, at in last_good.items() if at is not None]
    if was_good:
        first_failed = (
            select(func.min(Observation.fetched_at))
            .where(Observation.watch_id == Watch.id, Observation.fetched_at > Watch.last_good_at, Observation.status != "ok")
            .correlate(Watch)
            .scalar_subquery()
        )
        out.update((i, at) for i, at in session.execute(select(Watch.id, first_failed).where(Watch.id.in_(was_good))) if at)
    never_good = [i for i, at in last_good.items() if at is None]
    if never_good:
        rows = session.execute(
            select(Observation.watch_id, func.min(Observation.fetched_at))
            .where(Observation.watch_id.in_(never_good), Observation.status != "ok")
            .group_by(Observation.watch_id)
        )
        out.update((i, at) for i, at in rows if at)
    return out


def _latest_ids(model: Any, ids: list[int]) -> Any:
    """The ids of each watch's latest row, as a subquery (one index seek per watch on (watch_id,
    observed_at), in the same statement as the rows it picks: one round trip, not two)."""
    latest = (
        select(model.id)
        .where(model.watch_id == Watch.id)
        .order_by(model.observed_at.desc(), model.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(latest).where(Watch.id.in_(ids))


def _latest_rows(session: Session, model: Any, ids: list[int], *columns: Any) -> Any:
    """`columns` of each watch's latest `model` row (nothing asked when there is no such watch)."""
    if not ids:
        return []
    return session.execute(select(*columns).where(model.id.in_(_latest_ids(model, ids))))


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def latest_values(session: Session, watches: list[tuple[int, str]]) -> dict[int, dict[str, Any]]:
    """Each (watch id, kind)'s last good value: price and stock, item count, ranks, page count, lines."""
    by_kind: dict[str, list[int]] = {}
    for watch_id, kind in watches:
        by_kind.setdefault(kind, []).append(watch_id)
    out: dict[int, dict[str, Any]] = {}
    product_ids = by_kind.get("product", [])
    columns = (ProductState.watch_id, ProductState.price, ProductState.currency, ProductState.availability)
    for s in _latest_rows(session, ProductState, product_ids, *columns):
        price = _money(s.price)
        text = f"{price} {s.currency or ''}".strip() if price is not None else "no price"
        out[s.watch_id] = {
            "price": price, "currency": s.currency, "availability": s.availability,
            "value": f"{text} · {s.availability or '?'}",
        }  # fmt: skip
    listing_ids = by_kind.get("listing", [])
    for watch_id, count in _latest_rows(session, ListingSnapshot, listing_ids, ListingSnapshot.watch_id, ListingSnapshot.item_count):
        out[watch_id] = {"item_count": count, "value": f"{count} items"}
    site_ids = by_kind.get("site", [])
    for watch_id, pages in _latest_rows(session, SiteSnapshotRow, site_ids, SiteSnapshotRow.watch_id, SiteSnapshotRow.pages_ok):
        out[watch_id] = {"page_count": pages, "value": f"{pages} pages"}
    for watch_id, lines in _latest_rows(session, PageText, by_kind.get("page", []), PageText.watch_id, PageText.lines):
        out[watch_id] = {"value": f"{lines} lines"}
    keyword_ids = by_kind.get("keyword", [])
    if keyword_ids:
        last_good = (
            select(RankCheck.id)
            .where(RankCheck.watch_id == Watch.id, RankCheck.status == "ok")
            .order_by(RankCheck.checked_at.desc(), RankCheck.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        checks = [i for i in session.scalars(select(last_good).where(Watch.id.in_(keyword_ids))) if i is not None]
        ranks: dict[int, dict[str, int | None]] = {}
        for r in session.execute(
            select(DomainRank.watch_id, DomainRank.domain, DomainRank.rank).where(DomainRank.check_id.in_(checks))
        ):
            ranks.setdefault(r.watch_id, {})[r.domain] = r.rank
        for watch_id, cells in ranks.items():
            text = ", ".join(f"{d} #{r}" if r is not None else f"{d} –" for d, r in sorted(cells.items()))
            out[watch_id] = {"ranks": cells, "value": text}
    return out


# ---- one watch ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObservationRow:
    id: int
    watch_id: int
    fetched_at: datetime
    status: str
    http_status: int | None
    elapsed_ms: float | None
    error_reason: str | None
    unchanged: bool
    has_snapshot: bool
    has_screenshot: bool
    changes: int = 0


def observations(session: Session, watch_id: int, limit: int = 50, offset: int = 0) -> Page[ObservationRow]:
    total = session.scalar(select(func.count()).select_from(Observation).where(Observation.watch_id == watch_id)) or 0
    rows = session.execute(
        select(Observation)
        .where(Observation.watch_id == watch_id)
        .order_by(Observation.fetched_at.desc(), Observation.id.desc())
        .limit(limit)
        .offset(offset)
    ).scalars()
    obs = list(rows)
    counts = dict(
        session.execute(
            select(Change.observation_id, func.count())
            .where(Change.observation_id.in_([o.id for o in obs]))
            .group_by(Change.observation_id)
        ).all()
    )
    items = [
        ObservationRow(
            o.id, o.watch_id, o.fetched_at, o.status, o.http_status, o.elapsed_ms, o.error_reason, o.unchanged,
            o.content_hash is not None, o.screenshot_hash is not None, counts.get(o.id, 0),
        )
        for o in obs
    ]  # fmt: skip
    return Page(items, total, limit, offset)


@dataclass(frozen=True)
class ChangeItem:
    id: int
    watch_id: int
    watch_label: str
    watch_kind: str
    competitor: str | None
    kind: str
    summary: str
    old: str | None
    new: str | None
    magnitude: float | None
    anomaly_score: float | None
    detected_at: datetime
    observation_id: int
    severity: str | None = None


@dataclass(frozen=True)
class ChangeFilter:
    watch_id: int | None = None
    competitor: str | None = None
    kind: str | None = None
    min_score: float | None = None
    since: datetime | None = None
    until: datetime | None = None
    kinds: tuple[str, ...] | None = None  # several kinds (the overview's groups)


def _change_query(f: ChangeFilter):  # noqa: ANN202
    comp = func.coalesce(Change.competitor_id, Watch.competitor_id)
    query = (
        select(Change, Watch.label, Watch.url, Watch.kind, Competitor.name)
        .join(Watch, Watch.id == Change.watch_id)
        .outerjoin(Competitor, Competitor.id == comp)
    )
    for clause in _change_clauses(f):
        query = query.where(clause)
    return query


def _change_clauses(f: ChangeFilter) -> list[Any]:
    """The filter's conditions on the change row itself."""
    out: list[Any] = []
    if f.competitor:  # the change's own competitor, else its watch's (as the report counts them)
        cid = select(Competitor.id).where(Competitor.name == f.competitor).scalar_subquery()
        of_watch = select(Watch.id).where(Watch.competitor_id == cid)
        out.append(or_(Change.competitor_id == cid, Change.competitor_id.is_(None) & Change.watch_id.in_(of_watch)))
    if f.watch_id is not None:
        out.append(Change.watch_id == f.watch_id)
    if f.kind:
        out.append(Change.kind == f.kind)
    if f.kinds is not None:
        out.append(Change.kind.in_(f.kinds))
    if f.min_score is not None:
        out.append(Change.anomaly_score >= f.min_score)
    if f.since is not None:
        out.append(Change.detected_at >= f.since)
    if f.until is not None:
        out.append(Change.detected_at < f.until)
    return out


def _change_count(session: Session, f: ChangeFilter) -> int:
    query = select(func.count()).select_from(Change)
    for clause in _change_clauses(f):
        query = query.where(clause)
    return session.scalar(query) or 0


def _competitor_page_ids(session: Session, f: ChangeFilter, limit: int, offset: int) -> list[int]:
    """One page of a competitor's changes, newest first, as ids: its own changes and those of its
    watches without a competitor of their own, each walked newest first on (competitor_id,
    detected_at) and stopped after offset + limit, then merged. (One OR over both would read and sort
    every change of the competitor for each page.)"""
    from dataclasses import replace

    cid = select(Competitor.id).where(Competitor.name == f.competitor).scalar_subquery()
    rest = _change_clauses(replace(f, competitor=None))
    branches = [
        select(Change.id, Change.detected_at).where(Change.competitor_id == cid, *rest),
        select(Change.id, Change.detected_at).where(
            Change.competitor_id.is_(None), Change.watch_id.in_(select(Watch.id).where(Watch.competitor_id == cid)), *rest
        ),
    ]
    newest = (Change.detected_at.desc(), Change.id.desc())
    walked = [select(*b.order_by(*newest).limit(offset + limit).subquery().c) for b in branches]
    both = union_all(*walked).subquery()
    return list(session.scalars(select(both.c.id).order_by(both.c.detected_at.desc(), both.c.id.desc()).limit(limit).offset(offset)))


def changes(session: Session, f: ChangeFilter, limit: int = 100, offset: int = 0) -> Page[ChangeItem]:
    total = _change_count(session, f)
    if f.competitor:
        query = _change_query(ChangeFilter()).where(Change.id.in_(_competitor_page_ids(session, f, limit, offset)))
        rows = session.execute(query.order_by(Change.detected_at.desc(), Change.id.desc()))
    else:
        query = _change_query(f)
        rows = session.execute(query.order_by(Change.detected_at.desc(), Change.id.desc()).limit(limit).offset(offset))
    items = [
        ChangeItem(
            c.id, c.watch_id, label or url, wkind, comp, c.kind, c.summary, c.old, c.new, c.magnitude,
            c.anomaly_score, c.detected_at, c.observation_id,
        )
        for c, label, url, wkind, comp in rows
    ]  # fmt: skip
    return Page(items, total, limit, offset)


@dataclass(frozen=True)
class PricePoint:
    at: datetime
    price: str | None
    currency: str | None
    availability: str | None


def price_history(session: Session, watch_id: int, since: datetime | None = None) -> list[PricePoint]:
    query = select(ProductState.observed_at, ProductState.price, ProductState.currency, ProductState.availability).where(
        ProductState.watch_id == watch_id
    )
    if since is not None:
        query = query.where(ProductState.observed_at >= since)
    rows = session.execute(query.order_by(ProductState.observed_at, ProductState.id))
    return [PricePoint(r.observed_at, _money(r.price), r.currency, r.availability) for r in rows]


@dataclass(frozen=True)
class RankPoint:
    at: datetime
    domain: str
    rank: int | None
    engine: str
    locale: str
    device: str


def rank_history(session: Session, watch_id: int, since: datetime | None = None) -> list[RankPoint]:
    query = (
        select(DomainRank.checked_at, DomainRank.domain, DomainRank.rank, RankCheck.engine, RankCheck.locale, RankCheck.device)
        .join(RankCheck, RankCheck.id == DomainRank.check_id)
        .where(DomainRank.watch_id == watch_id)
    )
    if since is not None:
        query = query.where(DomainRank.checked_at >= since)
    return [RankPoint(*r) for r in session.execute(query.order_by(DomainRank.checked_at, DomainRank.id))]


@dataclass(frozen=True)
class CountPoint:
    at: datetime
    count: int


def count_history(session: Session, watch: Watch) -> list[CountPoint]:
    """Item counts of a listing, good pages of a site, lines of a page, over time."""
    if watch.kind == "listing":
        q = select(ListingSnapshot.observed_at, ListingSnapshot.item_count).where(ListingSnapshot.watch_id == watch.id)
    elif watch.kind == "site":
        q = select(SiteSnapshotRow.observed_at, SiteSnapshotRow.pages_ok).where(SiteSnapshotRow.watch_id == watch.id)
    elif watch.kind == "page":
        q = select(PageText.observed_at, PageText.lines).where(PageText.watch_id == watch.id)
    else:
        return []
    return [CountPoint(at, n) for at, n in session.execute(q.order_by(q.selected_columns[0]))]


@dataclass(frozen=True)
class DiffRow:
    id: int
    watch_id: int
    observed_at: datetime
    added: list[str]
    removed: list[str]
    old_text: str | None = None
    new_text: str | None = None


def _text(session: Session, digest: str | None) -> str | None:
    if digest is None:
        return None
    body = session.get(Body, digest)
    return body.raw().decode("utf-8", "replace") if body else None


def diffs(session: Session, watch_id: int, limit: int = 20) -> list[DiffRow]:
    rows = session.scalars(
        select(PageDiff).where(PageDiff.watch_id == watch_id).order_by(PageDiff.observed_at.desc()).limit(limit)
    )
    return [DiffRow(d.id, d.watch_id, d.observed_at, list(d.added_lines or []), list(d.removed_lines or [])) for d in rows]


def diff(session: Session, diff_id: int) -> DiffRow | None:
    d = session.get(PageDiff, diff_id)
    if d is None:
        return None
    return DiffRow(
        d.id, d.watch_id, d.observed_at, list(d.added_lines or []), list(d.removed_lines or []),
        _text(session, d.old_text_hash), _text(session, d.new_text_hash),
    )  # fmt: skip


@dataclass(frozen=True)
class ItemMove:
    at: datetime
    kind: str  # added | removed
    title: str | None
    url: str
    price: str | None


def _recent_snapshots(session: Session, model: Any, watch_id: int) -> list[Any]:
    """The last 31 snapshots (id, observed_at) of a listing or site watch, oldest first: 30 steps."""
    return list(
        session.execute(
            select(model.id, model.observed_at)
            .where(model.watch_id == watch_id)
            .order_by(model.observed_at.desc(), model.id.desc())
            .limit(31)
        )
    )[::-1]


Shown = tuple[str | None, str, str | None]  # what a move shows of a card or page: title, URL, price


def _moves(snaps: list[Any], members: dict[int, dict[str, Shown]], limit: int) -> list[ItemMove]:
    """What was added and removed between consecutive snapshots (newest first), from each snapshot's
    members by key."""
    out: list[ItemMove] = []
    for prev, cur in zip(snaps, snaps[1:], strict=False):
        a, b = members[prev.id], members[cur.id]
        out += [ItemMove(cur.observed_at, "added", *b[k]) for k in b.keys() - a.keys()]
        out += [ItemMove(cur.observed_at, "removed", *a[k]) for k in a.keys() - b.keys()]
    return sorted(out, key=lambda m: m.at, reverse=True)[:limit]


def listing_moves(session: Session, watch_id: int, limit: int = 200) -> list[ItemMove]:
    """Cards added and removed between consecutive snapshots of a listing (newest first)."""
    snaps = _recent_snapshots(session, ListingSnapshot, watch_id)
    cards: dict[int, dict[str, Shown]] = {s.id: {} for s in snaps}
    for it in session.scalars(select(ListingSnapshotItem).where(ListingSnapshotItem.snapshot_id.in_(list(cards)))):
        cards[it.snapshot_id][it.key] = (it.title, it.url, _money(it.price))
    return _moves(snaps, cards, limit)


@dataclass(frozen=True)
class ListingCard:
    position: int
    title: str | None
    url: str
    price: str | None
    currency: str | None
    sponsored: bool


def listing_cards(session: Session, watch_id: int, limit: int = 200) -> list[ListingCard]:
    """A listing's cards as its latest snapshot found them, in page order."""
    cards = latest_items(session, [watch_id]).get(watch_id, [])[:limit]
    return [ListingCard(c.position, c.title, c.url, _money(c.price), c.currency, c.sponsored) for c in cards]


def site_moves(session: Session, watch_id: int, limit: int = 200) -> list[ItemMove]:
    """Pages added and removed between consecutive crawls of a site (newest first)."""
    snaps = _recent_snapshots(session, SiteSnapshotRow, watch_id)
    pages: dict[int, dict[str, Shown]] = {s.id: {} for s in snaps}
    for snap_id, url, title in session.execute(
        select(SitePage.snapshot_id, SitePage.url, SitePage.title).where(SitePage.snapshot_id.in_(list(pages)))
    ):
        pages[snap_id][url] = (title, url, None)
    return _moves(snaps, pages, limit)


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str


def snapshot(session: Session, observation_id: int, screenshot: bool = False) -> StoredFile | None:
    """The stored body (or screenshot) of one observation."""
    obs = session.get(Observation, observation_id)
    digest = None if obs is None else (obs.screenshot_hash if screenshot else obs.content_hash)
    body = session.get(Body, digest) if digest else None
    if body is None:
        return None
    kind = "image/png" if screenshot else (body.content_type or "text/html")
    return StoredFile(body.raw(), kind)


@dataclass(frozen=True)
class RankResultRow:
    rank: int
    url: str
    domain: str
    title: str | None


def rank_results(session: Session, check_id: int) -> tuple[RankCheck | None, list[RankResultRow]]:
    check = session.get(RankCheck, check_id)
    rows = session.scalars(select(RankResult).where(RankResult.check_id == check_id).order_by(RankResult.rank))
    return check, [RankResultRow(r.rank, r.url, r.domain, r.title) for r in rows]


def latest_check_ids(session: Session, watch_ids: list[int]) -> dict[int, int]:
    if not watch_ids:
        return {}
    return dict(
        session.execute(
            select(RankCheck.watch_id, func.max(RankCheck.id)).where(RankCheck.watch_id.in_(watch_ids)).group_by(RankCheck.watch_id)
        ).all()
    )


def sparklines(session: Session, watch_ids: list[int], since: datetime) -> dict[tuple[int, str], list[int | None]]:
    """Each (keyword watch, domain)'s ranks of its good checks since `since`, oldest first."""
    out: dict[tuple[int, str], list[int | None]] = {}
    if not watch_ids:
        return out
    for watch_id, domain, rank in session.execute(
        select(DomainRank.watch_id, DomainRank.domain, DomainRank.rank)
        .where(DomainRank.watch_id.in_(watch_ids), DomainRank.checked_at >= since)
        .order_by(DomainRank.checked_at, DomainRank.id)
    ):
        out.setdefault((watch_id, domain), []).append(rank)
    return out


# ---- deliveries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    channel: str
    rule: str | None
    severity: str
    title: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    changes: int


def deliveries(session: Session, status: str | None = None, limit: int = 100, offset: int = 0) -> Page[DeliveryRow]:
    query = select(AlertDelivery)
    if status:
        query = query.where(AlertDelivery.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AlertDelivery.id.desc()).limit(limit).offset(offset))
    items = [
        DeliveryRow(
            d.id, d.channel, d.rule, d.severity, d.title, d.status, d.attempts, d.created_at, d.next_attempt_at,
            d.sent_at, d.last_error, len(d.change_ids or []),
        )
        for d in rows
    ]  # fmt: skip
    return Page(items, total, limit, offset)


def retry_delivery(session: Session, delivery_id: int, now: datetime) -> bool:
    """A failed delivery back to pending, due now: the dispatcher sends it on its next pass."""
    result = session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.id == delivery_id, AlertDelivery.status == "failed")
        .values(status="pending", next_attempt_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def queue_test_message(session: Session, channel: str, user: str, now: datetime) -> int:
    """A test message for a channel, queued in the outbox like any alert (the dispatcher sends it)."""
    row = AlertDelivery(
        dedup_key=f"test:{channel}:{now.isoformat()}",
        channel=channel,
        rule=None,
        severity="info",
        title="rivalwatch: test message",
        body=f"A test message from the rivalwatch dashboard, asked for by {user} at {now:%Y-%m-%d %H:%M} UTC.",
        status="pending",
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


# ---- the actions --------------------------------------------------------------------------------


def check_now(session: Session, watch_id: int, now: datetime) -> bool:
    """Mark a watch due now: the service's next pass (or `rivalwatch run`) checks it through the normal
    watch path, address guard and all. Nothing is fetched here. A paused watch stays paused."""
    result = session.execute(
        update(Watch).where(Watch.id == watch_id, Watch.active.is_(True), Watch.paused.is_(False)).values(next_due_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def set_paused(session: Session, watch_id: int, paused: bool) -> bool:
    result = session.execute(update(Watch).where(Watch.id == watch_id).values(paused=paused))
    return bool(getattr(result, "rowcount", 0))


def mute(session: Session, watch_id: int, until: datetime | None) -> bool:
    result = session.execute(update(Watch).where(Watch.id == watch_id).values(muted_until=until))
    return bool(getattr(result, "rowcount", 0))


# ---- the overview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetitorWeek:
    id: int | None
    name: str
    moves: dict[str, int]  # change kind -> count in the window
    stock_outs: int
    new_products: int
    failing: int
    watches: int


def overview(session: Session, now: datetime, days: int = 7) -> list[CompetitorWeek]:
    since = now - timedelta(days=days)
    comp = func.coalesce(Change.competitor_id, Watch.competitor_id)
    counts: dict[int | None, dict[str, int]] = {}
    for cid, kind, n in session.execute(
        select(comp, Change.kind, func.count())
        .join(Watch, Watch.id == Change.watch_id)
        .where(Change.detected_at >= since)
        .group_by(comp, Change.kind)
    ):
        counts.setdefault(cid, {})[kind] = n
    new_products = dict(
        session.execute(
            select(Watch.competitor_id, func.count())
            .where(Watch.kind == "product", Watch.active.is_(True), Watch.created_at >= since)
            .group_by(Watch.competitor_id)
        ).all()
    )
    failing = dict(
        session.execute(
            select(Watch.competitor_id, func.count())
            .where(Watch.active.is_(True), Watch.last_error.is_not(None))
            .group_by(Watch.competitor_id)
        ).all()
    )
    watches = dict(
        session.execute(select(Watch.competitor_id, func.count()).where(Watch.active.is_(True)).group_by(Watch.competitor_id)).all()
    )
    out = []
    for c in session.scalars(select(Competitor).order_by(Competitor.name)):
        moves = counts.get(c.id, {})
        out.append(
            CompetitorWeek(
                c.id, c.name, dict(sorted(moves.items())), moves.get("out_of_stock", 0),
                new_products.get(c.id, 0) + moves.get("listing_item_added", 0), failing.get(c.id, 0), watches.get(c.id, 0),
            )
        )  # fmt: skip
    return out


def top_changes(session: Session, now: datetime, days: int = 7, limit: int = 15) -> list[ChangeItem]:
    """The week's changes that matter most: the most anomalous first, then the largest moves."""
    query = _change_query(ChangeFilter(since=now - timedelta(days=days)))
    rows = session.execute(
        query.order_by(
            Change.anomaly_score.is_(None), Change.anomaly_score.desc(), func.abs(func.coalesce(Change.magnitude, 0)).desc()
        ).limit(limit)
    )
    return [
        ChangeItem(
            c.id, c.watch_id, label or url, wkind, comp, c.kind, c.summary, c.old, c.new, c.magnitude,
            c.anomaly_score, c.detected_at, c.observation_id,
        )
        for c, label, url, wkind, comp in rows
    ]  # fmt: skip


def filter_options(session: Session) -> dict[str, list[str]]:
    """What the watch table's filters offer: competitors, kinds, tags."""
    tags: set[str] = set()
    for (t,) in session.execute(select(Watch.tags).where(Watch.active.is_(True)).distinct()):
        tags.update(t or [])
    return {
        "competitors": list(session.scalars(select(Competitor.name).order_by(Competitor.name))),
        "kinds": list(session.scalars(select(Watch.kind).where(Watch.active.is_(True)).distinct().order_by(Watch.kind))),
        "tags": sorted(tags),
    }
