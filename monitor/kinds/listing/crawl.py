"""The listing kind's crawl side: due watches -> listing jobs (with the last good cards) and memories; its observer."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from models import Watch
from models.listing import ListingSnapshotItem, latest_items
from monitor.config.crawl_records import crawl_record
from monitor.kinds.base import CrawlPlan, CycleContext, memory_fields
from monitor.kinds.jobs import request_fields
from monitor.kinds.listing.changes import ListingDiffOptions
from monitor.kinds.listing.config import ListingOptions
from monitor.kinds.listing.observe import OBSERVER, ListingMemory
from spiders.extract.listing import ListingItem, ListingSelectors
from spiders.listing_fetch import ListingJob


def _plain(price: Decimal | None) -> Decimal | None:
    """A stored price as the page showed it: 115.990000 (the column's scale) reads 115.99 again."""
    return None if price is None else Decimal(format(price.normalize(), "f"))


def item_of(row: ListingSnapshotItem) -> ListingItem:
    return ListingItem(
        position=row.position,
        url=row.url,
        title=row.title,
        price=_plain(row.price),
        currency=row.currency,
        sponsored=row.sponsored,
        key=row.key,
    )


def listing_job(watch: Watch, options: ListingOptions, obey_robots: bool, conditional: bool) -> ListingJob:
    """`conditional`: send the last good read's validators (a one-page listing we have cards of)."""
    sel = options.selectors
    conditional = conditional and (options.pagination == "none" or options.max_pages == 1)
    return crawl_record(
        ListingJob,
        options,
        selectors=ListingSelectors(**sel.model_dump()) if sel else None,
        **request_fields(watch, options, obey_robots, conditional),
    )


def plan(ctx: CycleContext, session: Session, watches: list[Watch]) -> CrawlPlan:
    cards = latest_items(session, [w.id for w in watches])
    jobs, memories = [], {}
    for w, options, obey in ctx.due(session, watches, ListingOptions):
        jobs.append(listing_job(w, options, obey, w.id in cards))
        memories[w.id] = ListingMemory(
            **memory_fields(w, ctx.settings.default_interval),
            last_items=[item_of(r) for r in cards[w.id]] if w.id in cards else None,
            options=ListingDiffOptions(
                include_sponsored=options.include_sponsored, min_move=options.min_move
            ),
        )
    return CrawlPlan(jobs, dict(memories))


__all__ = ["OBSERVER", "item_of", "listing_job", "plan"]
