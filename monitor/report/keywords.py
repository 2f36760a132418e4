"""Keyword positions, visibility and share of voice, this period against the previous one. Pure.

Positions come from the rank history tables when the store has them (`RankRow`s), otherwise they are
rebuilt from the rank changes (``rank_moved``, ``entered_top_n``, ``left_top_n``): a domain's position
at a moment is the ``new`` of its last change before it, or the ``old`` of its first change after it.
Visibility is click-through-weighted (monitor.kinds.keyword.ranks.CTR_CURVE): the sum over keywords of CTR(position)
divided by what position 1 on every keyword would give; share of voice is a domain's part of the sum
of all domains' visibility.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.kinds import kinds_counted_as
from monitor.kinds.keyword.ranks import ctr, norm_domain, owner_of
from monitor.report.model import (
    Compare,
    EventLine,
    KeywordPosition,
    KeywordSection,
    RankChart,
    Series,
    VoiceShare,
)
from monitor.report.queries import ChangeRow, CompetitorRow, RankRow, ReportData

POSITION_KINDS = kinds_counted_as("keywords")  # changes that carry a tracked domain's positions
NEW_DOMAIN_KINDS = kinds_counted_as("new_domains")
MAIN_KEYWORDS = 4
CHART_DOMAINS = 6

Key = tuple[str, str]  # keyword, engine


def _rank(value: object) -> int | None:
    try:
        number = int(float(str(value)))
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None


@dataclass
class PositionSeries:
    """One domain on one keyword: positions in time order (None = not within the depth checked)."""

    times: list[datetime] = field(default_factory=list)
    ranks: list[int | None] = field(default_factory=list)
    olds: list[int | None] = field(default_factory=list)  # from changes: the position before each point

    def at(self, moment: datetime) -> int | None:
        i = bisect.bisect_left(self.times, moment)
        if i > 0:
            return self.ranks[i - 1]
        return self.olds[0] if self.olds and i < len(self.times) else None


@dataclass
class RankBook:
    """Every position series of the period, by (keyword, engine) and domain."""

    series: dict[Key, dict[str, PositionSeries]]
    snapshots: bool  # True: from rank checks (a domain absent from a check is unranked)
    check_times: dict[Key, list[datetime]] = field(default_factory=dict)
    _visibility: dict[datetime, dict[str, float]] = field(default_factory=dict)

    def position(self, key: Key, domain: str, moment: datetime) -> int | None:
        s = self.series.get(key, {}).get(domain)
        if s is None:
            return None
        if not self.snapshots:
            return s.at(moment)
        times = self.check_times.get(key, [])
        i = bisect.bisect_left(times, moment)
        if i == 0:
            return None
        latest = times[i - 1]  # the latest check before the moment: absent from it = not ranked
        j = bisect.bisect_left(s.times, moment)
        return s.ranks[j - 1] if j > 0 and s.times[j - 1] == latest else None

    def domains(self) -> set[str]:
        return {d for by_domain in self.series.values() for d in by_domain}

    def checked_before(self, key: Key, moment: datetime) -> bool:
        """Was this keyword checked before `moment`? (Positions rebuilt from changes imply it was.)"""
        if not self.snapshots:
            return True
        times = self.check_times.get(key, [])
        return bool(times) and times[0] < moment

    def any_checked_before(self, moment: datetime) -> bool:
        return any(self.checked_before(k, moment) for k in self.series)


def book_from_ranks(rows: Iterable[RankRow]) -> RankBook:
    series: dict[Key, dict[str, PositionSeries]] = defaultdict(dict)
    checks: dict[Key, set[datetime]] = defaultdict(set)
    for r in sorted(rows, key=lambda r: r.at):
        key = (r.keyword, r.engine)
        s = series[key].setdefault(norm_domain(r.domain), PositionSeries())
        s.times.append(r.at)
        s.ranks.append(r.rank)
        checks[key].add(r.at)
    return RankBook(dict(series), True, {k: sorted(v) for k, v in checks.items()})


def book_from_changes(changes: Iterable[ChangeRow]) -> RankBook:
    series: dict[Key, dict[str, PositionSeries]] = defaultdict(dict)
    for c in changes:
        if c.kind not in POSITION_KINDS:
            continue
        keyword, engine = c.details.get("keyword"), c.details.get("engine") or ""
        domain = c.details.get("domain") or c.field
        if not keyword or not domain:
            continue
        s = series[(str(keyword), str(engine))].setdefault(norm_domain(str(domain)), PositionSeries())
        s.times.append(c.at)
        s.ranks.append(_rank(c.new))
        s.olds.append(_rank(c.old))
    return RankBook(dict(series), False)


def rank_book(data: ReportData) -> RankBook | None:
    book = book_from_ranks(data.ranks) if data.ranks else book_from_changes(data.changes)
    return book if book.series else None


def visibility(book: RankBook, domains: Iterable[str], moment: datetime) -> dict[str, float]:
    """Each domain's visibility at `moment` (computed once per moment for all domains, then reused)."""
    if moment not in book._visibility:
        keys = list(book.series)
        possible = len(keys) * ctr(1) or 1.0
        totals: dict[str, float] = dict.fromkeys(book.domains(), 0.0)
        for k in keys:
            for d in book.series[k]:
                totals[d] += ctr(book.position(k, d, moment))
        book._visibility[moment] = {d: v / possible for d, v in totals.items()}
    known = book._visibility[moment]
    return {d: known.get(d, 0.0) for d in domains}


def share_of_voice(
    book: RankBook, competitors: Sequence[CompetitorRow], start: datetime, end: datetime
) -> list[VoiceShare]:
    domains = sorted(book.domains())
    now, before = visibility(book, domains, end), visibility(book, domains, start)
    measured = book.any_checked_before(start)  # no check before the period: last week is "—", not 0
    total_now, total_before = sum(now.values()), sum(before.values())
    out = []
    for d in domains:
        owner = owner_of(d, competitors)
        out.append(
            VoiceShare(
                d,
                owner.name if owner else None,
                Compare(now[d], before[d] if measured else None),
                Compare(
                    now[d] / total_now if total_now else 0.0,
                    (before[d] / total_before if total_before else 0.0) if measured else None,
                ),
            )
        )
    out.sort(key=lambda v: (-(v.visibility.this_week or 0), v.domain))
    return [v for v in out if v.visibility.this_week or v.visibility.last_week]


def _best(book: RankBook, key: Key, domains: Sequence[str], moment: datetime) -> int | None:
    ranks = [r for d in domains if (r := book.position(key, d, moment)) is not None]
    return min(ranks) if ranks else None


def keyword_section(
    book: RankBook,
    competitor: CompetitorRow,
    competitors: Sequence[CompetitorRow],
    start: datetime,
    end: datetime,
) -> KeywordSection | None:
    mine = sorted(d for d in book.domains() if owner_of(d, competitors) is competitor)
    if not mine:
        return None
    positions = []
    gained, lost = [], []
    for key in sorted(book.series):
        before = book.checked_before(key, start)  # its first week: a baseline, no arrows, nothing gained
        for d in mine:
            if d not in book.series[key]:
                continue
            prev, cur = book.position(key, d, start), book.position(key, d, end)
            if prev is not None or cur is not None:
                positions.append(KeywordPosition(key[0], key[1], d, prev if before else None, cur, before))
        if not before:
            continue
        b0, b1 = _best(book, key, mine, start), _best(book, key, mine, end)
        label = f"{key[0]} ({key[1]})" if key[1] else key[0]
        if b1 is not None and b1 <= 10 and (b0 is None or b0 > 10):
            gained.append(label)
        if b0 is not None and b0 <= 10 and (b1 is None or b1 > 10):
            lost.append(label)
    positions.sort(key=_position_order)
    domains = sorted(book.domains())
    now, before_vis = visibility(book, domains, end), visibility(book, domains, start)
    measured = book.any_checked_before(start)
    vis_now, vis_before = sum(now[d] for d in mine), sum(before_vis[d] for d in mine)
    total_now, total_before = sum(now.values()), sum(before_vis.values())
    return KeywordSection(
        positions=positions,
        visibility=Compare(vis_now, vis_before if measured else None),
        share_of_voice=Compare(
            vis_now / total_now if total_now else 0.0,
            (vis_before / total_before if total_before else 0.0) if measured else None,
        ),
        gained_top10=gained,
        lost_top10=lost,
        source="ranks" if book.snapshots else "changes",
    )


def _position_order(p: KeywordPosition) -> tuple:
    if p.previous is not None and p.current is not None:
        moved = abs(p.previous - p.current)
    else:
        moved = 100 if p.arrow in ("new", "lost") else 0
    return (-moved, p.current or 10**6, p.keyword, p.engine, p.domain)


def rank_charts(
    book: RankBook, competitors: Sequence[CompetitorRow], since: datetime, end: datetime, timezone: str
) -> list[RankChart]:
    """Rank history of the main keywords: those where the competitors' domains rank best at the end."""
    tracked = [d for d in sorted(book.domains()) if owner_of(d, competitors) is not None]
    if not tracked:
        return []
    scored = []
    for key in book.series:
        score = sum(ctr(book.position(key, d, end)) for d in tracked)
        if score > 0:
            scored.append((-score, key))
    charts = []
    tz = ZoneInfo(timezone)
    days = local_days(since, end, tz)
    for _, key in sorted(scored)[:MAIN_KEYWORDS]:
        series = []
        for d in tracked[:CHART_DOMAINS]:
            if d not in book.series[key]:
                continue
            points = []
            for day, moment in days:
                r = book.position(key, d, moment)
                if r is not None:
                    points.append((day, float(r)))
            if points:
                owner = owner_of(d, competitors)
                series.append(Series(f"{owner.name if owner else d}", "rank", points))
        if series:
            charts.append(RankChart(key[0], key[1], series))
    return charts


def local_days(since: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[date, datetime]]:
    """(local day, the moment it ends) for each day from `since` to `end`."""

    out = []
    day = since.astimezone(tz).date()
    last = (end - timedelta(seconds=1)).astimezone(tz).date()
    while day <= last:
        moment = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        out.append((day, min(moment, end)))
        day += timedelta(days=1)
    return out


def new_domain_events(data: ReportData) -> list[EventLine]:
    out = []
    for c in data.changes:
        if c.kind in NEW_DOMAIN_KINDS and c.at >= data.period.start:
            domain = str(c.details.get("domain") or c.field or "")
            keyword = str(c.details.get("keyword") or "")
            out.append(EventLine(c.kind, f"{domain} · {keyword}", None, c.at, c.summary, None, c.new))
    return out[:25]
