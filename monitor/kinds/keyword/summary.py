"""The rank report behind `rivalwatch ranks` and the demo: per keyword the tracked domains' latest rank,
move since the previous good check, best rank, and per group each domain's visibility and share of voice.

Built from the store's `domain_ranks` rows (good checks only) and `rank_checks` (to know which checks
failed), through the pure analytics of `monitor.kinds.keyword.ranks`: a failed check shows as failed, never as a rank.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Watch
from models.rank import DomainRank, checks_of
from monitor.kinds.base import read_options
from monitor.kinds.keyword.config import KeywordOptions
from monitor.kinds.keyword.ranks import (
    FAILED,
    RankObservation,
    Visibility,
    best_rank,
    daily_moves,
    rank_of,
    visibility,
)


@dataclass(frozen=True)
class DomainCell:
    domain: str
    status: str  # ranked | not_found | failed | unchecked
    rank: int | None = None
    previous: int | None = None  # rank at the previous good check (None: not found then)
    moved: bool = False  # the rank differs from the previous good check's
    best: int | None = None
    depth: int = 0

    @property
    def delta(self) -> int | None:
        """Positions climbed since the previous good check (negative: fell)."""
        return None if self.rank is None or self.previous is None else self.previous - self.rank


@dataclass(frozen=True)
class KeywordRow:
    watch_id: int
    keyword: str
    engine: str
    locale: str
    device: str
    checked_at: datetime | None
    last_status: str | None  # of the latest check, good or failed
    last_error: str | None
    cells: list[DomainCell]


@dataclass
class GroupReport:
    name: str
    domains: list[tuple[str, str | None]]  # (domain, competitor name or None for ours)
    rows: list[KeywordRow] = field(default_factory=list)
    visibility: list[Visibility] = field(default_factory=list)

    def share_of_voice(self) -> dict[str, float]:
        """Each tracked domain's share of the group's tracked visibility (sums to 1 when any is visible)."""
        total = sum(v.score for v in self.visibility)
        return {v.domain: (v.score / total if total else 0.0) for v in self.visibility}


def _observations(watch: Watch, session: Session) -> list[RankObservation]:
    o = read_options(KeywordOptions, watch.options)
    checks = checks_of(session, [watch.id])
    ranks: dict[int, list[DomainRank]] = defaultdict(list)
    for row in session.scalars(select(DomainRank).where(DomainRank.watch_id == watch.id)):
        ranks[row.check_id].append(row)
    out = []
    for c in checks:
        results = None
        if c.status == "ok":
            results = tuple(sorted((r.rank, r.url or r.domain) for r in ranks[c.id] if r.rank is not None))
        out.append(
            RankObservation(
                o.keyword, o.engine, o.locale, o.device, c.checked_at.date(), results, c.depth
            )
        )
    return out


def _cell(domain: str, series: list[RankObservation]) -> DomainCell:
    points = [rank_of(obs, domain) for obs in series]
    good = [p for p in points if p.status != FAILED]
    if not good:
        return DomainCell(domain, FAILED if points else "unchecked")
    latest = good[-1]
    moves = daily_moves(points)
    previous = moves[-1].old if moves else None
    return DomainCell(
        domain,
        latest.status,
        latest.rank,
        previous,
        bool(moves) and moves[-1].old != moves[-1].new,
        best_rank(points),
        latest.depth,
    )


def rank_report(
    session: Session, group: str | None = None, weights: dict[str, dict[str, float]] | None = None
) -> list[GroupReport]:
    """The report of every keyword group in the store (or just `group`), from active keyword watches."""
    query = select(Watch).where(Watch.kind == "keyword", Watch.active.is_(True)).order_by(Watch.id)
    groups: dict[str, GroupReport] = {}
    series_by_group: dict[str, list[RankObservation]] = defaultdict(list)
    for watch in session.scalars(query):
        o = read_options(KeywordOptions, watch.options)
        if group is not None and o.group != group:
            continue
        report = groups.setdefault(o.group, GroupReport(o.group, [(d, owner) for d, owner in o.domains]))
        series = _observations(watch, session)
        series_by_group[o.group] += series
        report.rows.append(
            KeywordRow(
                watch.id,
                o.keyword,
                o.engine,
                o.locale,
                o.device,
                watch.last_checked_at,
                None if watch.last_checked_at is None else ("ok" if watch.last_error is None else "failed"),
                watch.last_error,
                [_cell(d, series) for d, _ in report.domains],
            )
        )
    for name, report in groups.items():
        domains = [d for d, _ in report.domains]
        report.visibility = visibility(series_by_group[name], domains, weights=(weights or {}).get(name))
    return list(groups.values())


def move_text(cell: DomainCell) -> str:
    """'▲2', '▼3', 'new', 'lost', '' (no move), for a cell."""
    if not cell.moved:
        return ""
    if cell.previous is None:
        return "new"
    if cell.rank is None:
        return "lost"
    delta = cell.delta or 0
    return f"▲{delta}" if delta > 0 else f"▼{-delta}"


def rank_text(cell: DomainCell) -> str:
    if cell.status == "ranked":
        return f"#{cell.rank}"
    if cell.status == "not_found":
        return f">{cell.depth}"
    return "failed" if cell.status == FAILED else "–"
