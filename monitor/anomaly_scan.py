"""Series from the store for the anomaly models, beyond each product's price (monitor/anomaly_feed.py).

Builds daily series (a competitor's price level against our prices, how often its watches change,
listing item counts, keyword ranks per domain) and per-competitor daily features for the multivariate
model, scores each series causally, and returns the points that stand out. The builders are pure
functions of rows; `scan_store` is the thin edge that queries them. `rivalwatch anomaly scan` prints it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Change, Competitor, ProductState, Watch
from models.crawl import Observation
from models.listing import ListingSnapshot
from models.rank import DomainRank
from monitor.anomaly import AnomalyScore, ScorerConfig, score_series
from monitor.anomaly.multivariate import CompetitorDay, score_competitor_days

PRICE_MOVES = frozenset({"price_down", "price_up"})
NEW_ITEMS = frozenset({"listing_item_added", "page_added", "new_content_published"})


@dataclass(frozen=True)
class AnomalyFlag:
    series: str  # price_index | change_rate | listing_count | rank | competitor_activity
    label: str
    day: date
    value: float
    score: float
    explanation: str


Series = list[tuple[date, float]]


def daily_last(points: Iterable[tuple[datetime, float]]) -> Series:
    """One value per day: the day's last observation (a step series checked many times a day)."""
    by_day: dict[date, tuple[datetime, float]] = {}
    for at, value in points:
        day = at.date()
        if day not in by_day or at >= by_day[day][0]:
            by_day[day] = (at, value)
    return [(day, by_day[day][1]) for day in sorted(by_day)]


def daily_counts(days: Iterable[date], since: date, until: date) -> Series:
    """Counts per day over [since, until], zeros included: quiet days are part of the pattern."""
    counts: dict[date, int] = defaultdict(int)
    for day in days:
        counts[day] += 1
    out, day = [], since
    while day <= until:
        out.append((day, float(counts.get(day, 0))))
        day += timedelta(days=1)
    return out


def price_index(
    prices: Iterable[tuple[int, datetime, Decimal | None]], our_price: dict[int, Decimal], since: date, until: date
) -> Series:
    """A competitor's daily price level: 100 x median(price / our price) over its watches with our price,
    each watch carrying its last known price forward."""
    by_watch: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for watch_id, at, price in prices:
        if watch_id in our_price and our_price[watch_id] > 0 and price is not None:
            by_watch[watch_id].append((at, float(price / our_price[watch_id])))
    daily = {w: dict(daily_last(points)) for w, points in by_watch.items()}
    out, last, day = [], {}, since
    while day <= until:
        for w, values in daily.items():
            if day in values:
                last[w] = values[day]
        if last:
            out.append((day, 100 * statistics.median(last.values())))
        day += timedelta(days=1)
    return out


def competitor_days(
    changes: Iterable[tuple[str, date, str, float | None]],
    watches_per_competitor: dict[str, int],
    since: date,
    until: date,
    starts: dict[str, date] | None = None,
) -> dict[str, list[CompetitorDay]]:
    """Per competitor and day: share of its product watches whose price moved, the mean move, stock-outs,
    new items. `changes` are (competitor, day, kind, magnitude). A competitor's days begin at its
    `starts` day when later than `since` (days before it was first checked are not quiet days)."""
    acc: dict[str, dict[date, list]] = defaultdict(lambda: defaultdict(lambda: [0, [], 0, 0]))
    for competitor, day, kind, magnitude in changes:
        cell = acc[competitor][day]
        if kind in PRICE_MOVES:
            cell[0] += 1
            if magnitude is not None:
                cell[1].append(magnitude)
        elif kind == "out_of_stock":
            cell[2] += 1
        elif kind in NEW_ITEMS:
            cell[3] += 1
    out: dict[str, list[CompetitorDay]] = {}
    for competitor in set(acc) | set(watches_per_competitor):
        total = max(watches_per_competitor.get(competitor, 0), 1)
        rows, day = [], max(since, (starts or {}).get(competitor, since))
        while day <= until:
            moved, moves, outs, new = acc[competitor].get(day, (0, [], 0, 0))
            rows.append(
                CompetitorDay(day, moved / total, statistics.fmean(moves) if moves else 0.0, outs, new)
            )
            day += timedelta(days=1)
        out[competitor] = rows
    return out


# Which preset scores which series: a price level moves in percent, counts can be zero, ranks move
# in places (see monitor/anomaly/config.py).
CONFIGS = {
    "price_index": ScorerConfig(),
    "change_rate": ScorerConfig.count(),
    "listing_count": ScorerConfig.count(),
    "rank": ScorerConfig.rank(),
}


def flags_of(series: str, label: str, points: Series, min_score: float, last_days: int) -> list[AnomalyFlag]:
    """Score a daily series causally; flag the points of its last `last_days` days at or above
    min_score (points without a score yet, for lack of history, are never flagged)."""
    scores = score_series(
        [datetime.combine(d, datetime.min.time()) for d, _ in points],
        [v for _, v in points],
        CONFIGS[series],
        label=label,
    )
    return _flags(series, label, points, scores, min_score, last_days)


def _flags(
    series: str, label: str, points: Series, scores: list[AnomalyScore], min_score: float, last_days: int
) -> list[AnomalyFlag]:
    if not points:
        return []
    cutoff = points[-1][0] - timedelta(days=last_days - 1)
    return [
        AnomalyFlag(series, label, day, value, round(s.score, 4), s.explanation)
        for (day, value), s in zip(points, scores, strict=True)
        if day >= cutoff and s.score is not None and s.score >= min_score
    ]

def first_checks(session: Session, competitor_of: dict[int, str]) -> dict[str, date]:
    """Per competitor, the day its watches were first checked: its count series start there, since
    the days before the store watched it are unknown, not days without changes."""

    out: dict[str, date] = {}
    rows = session.execute(select(Observation.watch_id, func.min(Observation.fetched_at)).group_by(Observation.watch_id))
    for watch_id, first in rows:
        competitor = competitor_of.get(watch_id, "-")
        out[competitor] = min(out.get(competitor, first.date()), first.date())
    return out


def scan_store(
    session: Session, until: datetime, history_days: int = 90, last_days: int = 7, min_score: float = 0.8
) -> list[AnomalyFlag]:
    """Every series the store holds, scored over `history_days`; flags in the last `last_days` days."""

    since_dt = until - timedelta(days=history_days)
    since, end = since_dt.date(), until.date()
    names = {c.id: c.name for c in session.scalars(select(Competitor))}
    watches = list(session.scalars(select(Watch).where(Watch.active.is_(True))))
    label_of = {w.id: w.label or w.url for w in watches}
    # a watch without a competitor counts under "-"
    competitor_of = {w.id: "-" if w.competitor_id is None else names.get(w.competitor_id, "-") for w in watches}
    flags: list[AnomalyFlag] = []

    def flag(series: str, label: str, points: Series) -> None:
        flags.extend(flags_of(series, label, points, min_score, last_days))

    ours: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for w in watches:
        if w.kind == "product" and (w.options or {}).get("our_price"):
            ours[competitor_of[w.id]][w.id] = Decimal(str(w.options["our_price"]))
    states = session.execute(
        select(ProductState.watch_id, ProductState.observed_at, ProductState.price).where(
            ProductState.observed_at >= since_dt, ProductState.price.is_not(None)
        )
    ).all()
    for competitor, our_price in ours.items():
        rows = [(w, at, p) for w, at, p in states if w in our_price]
        flag("price_index", f"{competitor} price index vs ours", price_index(rows, our_price, since, end))

    changes = session.execute(
        select(Change.watch_id, Change.detected_at, Change.kind, Change.magnitude).where(
            Change.detected_at >= since_dt
        )
    ).all()
    starts = first_checks(session, competitor_of)
    by_competitor: dict[str, list[date]] = defaultdict(list)
    for watch_id, at, _kind, _m in changes:
        by_competitor[competitor_of.get(watch_id, "-")].append(at.date())
    for competitor, days in by_competitor.items():
        first_day = max(since, starts.get(competitor, since))
        flag("change_rate", f"{competitor} changes per day", daily_counts(days, first_day, end))
    products = defaultdict(int)
    for w in watches:
        if w.kind == "product":
            products[competitor_of[w.id]] += 1
    features = competitor_days(
        [(competitor_of.get(w, "-"), at.date(), kind, m) for w, at, kind, m in changes],
        dict(products),
        since,
        end,
        starts,
    )
    for competitor, days in features.items():
        scores = score_competitor_days(days)
        points = [(d.day, d.share_moved) for d in days]
        flags += _flags("competitor_activity", f"{competitor} activity", points, scores, min_score, last_days)

    listing_rows = session.execute(
        select(ListingSnapshot.watch_id, ListingSnapshot.observed_at, ListingSnapshot.item_count).where(
            ListingSnapshot.observed_at >= since_dt
        )
    ).all()
    per_listing: dict[int, list] = defaultdict(list)
    for watch_id, at, count in listing_rows:
        per_listing[watch_id].append((at, float(count)))
    for watch_id, points in per_listing.items():
        flag("listing_count", f"{label_of.get(watch_id, watch_id)} item count", daily_last(points))

    rank_rows = session.execute(
        select(DomainRank.watch_id, DomainRank.domain, DomainRank.checked_at, DomainRank.rank).where(
            DomainRank.checked_at >= since_dt
        )
    ).all()
    per_rank: dict[tuple[int, str], list] = defaultdict(list)
    for watch_id, domain, at, rank in rank_rows:
        # Not found within the depth checked counts as just past it, so falling out is a move.
        per_rank[(watch_id, domain)].append((at, float(rank) if rank is not None else 101.0))
    for (watch_id, domain), points in per_rank.items():
        flag("rank", f"{domain} on {label_of.get(watch_id, watch_id)}", daily_last(points))
    return sorted(flags, key=lambda f: (-f.score, f.series, f.label))
