"""What a keyword check saw: the result pages' kind, the organic results, and each tracked domain's rank.

One `RankCheck` per observation of a keyword watch, failed ones included (their page kind and reason
say why: ``blocked``, ``needs_render``, ``error``). `RankResult` rows are the organic results in order.
`DomainRank` rows exist only for GOOD checks: a domain's rank, or None when it was not within the
depth checked. A failed check has no DomainRank rows, so no query can read it as a rank.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, ObservedRow, utcnow


class RankCheck(ObservedRow, Base):
    __tablename__ = "rank_checks"
    __table_args__ = (Index("ix_rank_checks_watch_time", "watch_id", "checked_at"),)

    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    group_name: Mapped[str] = mapped_column(String(200))
    keyword: Mapped[str] = mapped_column(Text)
    engine: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(40))
    device: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))  # ok | failed
    page_kind: Mapped[str] = mapped_column(
        String(20)
    )  # results | no_results | blocked | needs_render | error
    reason: Mapped[str | None] = mapped_column(Text)
    pages_checked: Mapped[int] = mapped_column(default=0)
    depth: Mapped[int] = mapped_column(default=0)  # positions covered: pages asked x results per page
    result_count_text: Mapped[str | None] = mapped_column(Text)
    features: Mapped[list[str]] = mapped_column(JSON, default=list)


class RankResult(Base):
    __tablename__ = "rank_results"
    __table_args__ = (Index("ix_rank_results_check_rank", "check_id", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("rank_checks.id"))
    rank: Mapped[int]
    url: Mapped[str] = mapped_column(Text)
    domain: Mapped[str] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(Text)


class DomainRank(Base):
    __tablename__ = "domain_ranks"
    __table_args__ = (Index("ix_domain_ranks_watch_domain", "watch_id", "domain", "checked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("rank_checks.id"), index=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    domain: Mapped[str] = mapped_column(String(300))
    rank: Mapped[int | None]  # None: not within the depth checked (never: the check failed)
    url: Mapped[str | None] = mapped_column(Text)


def last_good_checks(session: Session, watch_ids: Iterable[int]) -> dict[int, RankCheck]:
    """The latest good check of each watch (one query)."""
    ids = list(watch_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(RankCheck)
        .where(RankCheck.watch_id.in_(ids), RankCheck.status == "ok")
        .order_by(RankCheck.watch_id, RankCheck.checked_at, RankCheck.id)
    )
    return {row.watch_id: row for row in rows}


def results_of(session: Session, check_ids: Iterable[int]) -> dict[int, list[RankResult]]:
    """Organic results per check, in rank order (one query)."""
    ids = list(check_ids)
    out: dict[int, list[RankResult]] = {i: [] for i in ids}
    if not ids:
        return out
    for row in session.scalars(
        select(RankResult).where(RankResult.check_id.in_(ids)).order_by(RankResult.check_id, RankResult.rank)
    ):
        out[row.check_id].append(row)
    return out


def checks_of(session: Session, watch_ids: Iterable[int], *, good_only: bool = False) -> list[RankCheck]:
    """Every check of these watches, oldest first."""
    ids = list(watch_ids)
    if not ids:
        return []
    query = select(RankCheck).where(RankCheck.watch_id.in_(ids))
    if good_only:
        query = query.where(RankCheck.status == "ok")
    return list(session.scalars(query.order_by(RankCheck.checked_at, RankCheck.id)))
