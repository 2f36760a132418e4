"""What a site watch saw: one snapshot per good crawl of a site, and the SEO facts of every page in it.

A snapshot row also keeps the URLs the site listed (its sitemaps) or linked to without being
fetched this time, so the next crawl can tell "removed" from "not reached".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from models.base import Base, ObservedAtRow


class SiteSnapshotRow(ObservedAtRow, Base):
    __tablename__ = "site_snapshots"

    pages_fetched: Mapped[int] = mapped_column(default=0)
    pages_ok: Mapped[int] = mapped_column(default=0)
    # True when max_pages stopped the crawl before every known page was fetched.
    truncated: Mapped[bool] = mapped_column(default=False)
    sections: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    known_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    sitemap_urls: Mapped[int] = mapped_column(default=0)
    robots_error: Mapped[str | None] = mapped_column(Text)
    sitemap_errors: Mapped[list[str]] = mapped_column(JSON, default=list)

    pages: Mapped[list[SitePage]] = relationship(
        back_populates="snapshot", order_by="SitePage.id", cascade="all, delete-orphan"
    )


class SitePage(Base):
    """One page of one site crawl. `status` 0 with `error` set: no usable answer (timeout, block page)."""

    __tablename__ = "site_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("site_snapshots.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(default=0)
    in_sitemap: Mapped[bool] = mapped_column(default=False)
    section: Mapped[str] = mapped_column(String(300), default="/")
    title: Mapped[str | None] = mapped_column(Text)
    meta_description: Mapped[str | None] = mapped_column(Text)
    meta_keywords: Mapped[str | None] = mapped_column(Text)
    h1: Mapped[str | None] = mapped_column(Text)
    h1_count: Mapped[int] = mapped_column(default=0)
    canonical: Mapped[str | None] = mapped_column(Text)
    hreflang: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    robots: Mapped[str | None] = mapped_column(String(300))
    noindex: Mapped[bool] = mapped_column(default=False)
    word_count: Mapped[int] = mapped_column(default=0)
    internal_links: Mapped[int] = mapped_column(default=0)
    outbound_links: Mapped[int] = mapped_column(default=0)
    structured_data_types: Mapped[list[str]] = mapped_column(JSON, default=list)

    snapshot: Mapped[SiteSnapshotRow] = relationship(back_populates="pages")

    def facts_dict(self) -> dict[str, Any]:
        """The columns a `spiders.extract.site.PageFacts` has."""
        return {
            "url": self.url,
            "status": self.status,
            "title": self.title,
            "meta_description": self.meta_description,
            "meta_keywords": self.meta_keywords,
            "h1": self.h1,
            "h1_count": self.h1_count,
            "canonical": self.canonical,
            "hreflang": dict(self.hreflang or {}),
            "robots": self.robots,
            "noindex": self.noindex,
            "word_count": self.word_count,
            "internal_links": self.internal_links,
            "outbound_links": self.outbound_links,
            "structured_data_types": list(self.structured_data_types or []),
        }


def latest_snapshots(session: Session, watch_ids: Iterable[int]) -> dict[int, SiteSnapshotRow]:
    """Each watch's latest site snapshot with its pages (two queries for all watches)."""
    ids = list(watch_ids)
    if not ids:
        return {}
    newest = (
        select(func.max(SiteSnapshotRow.id)).where(SiteSnapshotRow.watch_id.in_(ids)).group_by(SiteSnapshotRow.watch_id)
    )
    rows = session.scalars(
        select(SiteSnapshotRow).where(SiteSnapshotRow.id.in_(newest)).options(selectinload(SiteSnapshotRow.pages))
    )
    return {row.watch_id: row for row in rows}
