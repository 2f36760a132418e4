"""Keyword positions from the rank history tables (models/rank.py), when the store has them.

Only good checks have `DomainRank` rows, so nothing read here can turn a failed check into a rank.
When the tables are missing or empty for the period, `load_ranks` returns None and the builder
rebuilds positions from the rank changes instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.rank import DomainRank, RankCheck, RankResult

NEEDED = {"rank_checks", "domain_ranks", "rank_results"}


@dataclass(frozen=True)
class RankRow:
    """One domain's position for one keyword check (rank None: not within the depth checked)."""

    keyword: str
    engine: str
    domain: str
    at: datetime
    rank: int | None


def load_ranks(
    session: Session, tables: set[str], since: datetime, until: datetime, cutoffs: tuple[datetime, ...] = ()
) -> list[RankRow] | None:
    """Tracked domains' positions from every good check in [since, until), plus, for the latest good
    check of each keyword before each cutoff, every domain in its top 20 (for share of voice)."""
    if not NEEDED <= tables:
        return None

    rows = session.execute(
        select(RankCheck.keyword, RankCheck.engine, DomainRank.domain, RankCheck.checked_at, DomainRank.rank)
        .join(RankCheck, RankCheck.id == DomainRank.check_id)
        .where(RankCheck.checked_at >= since, RankCheck.checked_at < until, RankCheck.status == "ok")
        .order_by(RankCheck.checked_at, RankCheck.id)
    ).all()
    if not rows:
        return None
    out = [RankRow(k, e, d, at, r) for k, e, d, at, r in rows]
    tracked = {(r.keyword, r.engine, r.domain, r.at) for r in out}
    for cutoff in cutoffs:
        latest = (
            select(func.max(RankCheck.id))
            .where(RankCheck.checked_at >= since, RankCheck.checked_at < cutoff, RankCheck.status == "ok")
            .group_by(RankCheck.watch_id)
        )
        for k, e, d, at, r in session.execute(
            select(
                RankCheck.keyword, RankCheck.engine, RankResult.domain, RankCheck.checked_at, RankResult.rank
            )
            .join(RankCheck, RankCheck.id == RankResult.check_id)
            .where(RankResult.check_id.in_(latest), RankResult.rank <= 20)
        ):
            if (k, e, d, at) not in tracked:
                tracked.add((k, e, d, at))
                out.append(RankRow(k, e, d, at, r))
    out.sort(key=lambda r: r.at)
    return out
