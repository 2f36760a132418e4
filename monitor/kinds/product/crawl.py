"""The product kind's crawl side: due watches -> fetch jobs, memories and the price series; its observer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from models import ProductState, Watch
from models.product import latest_and_priced
from monitor.kinds.base import CrawlPlan, CycleContext, memory_fields, read_options
from monitor.kinds.jobs import fetch_job
from monitor.kinds.outcome import Outcome
from monitor.kinds.product.changes import ProductSnapshot
from monitor.kinds.product.config import ProductOptions
from monitor.kinds.product.observe import OBSERVER, ProductMemory

if TYPE_CHECKING:
    # The price series' feed loads with a product crawl's plan (and numpy only once a series has
    # history to score, monitor.anomaly.first).
    from monitor.anomaly_feed import PriceAnomalyFeed

MIN_PAGES_FOR_POOL = 60  # below this a crawl extracts inline: a pool is not worth its start-up


def snapshot_of_row(state: ProductState | Row[Any] | None) -> ProductSnapshot | None:
    """A stored state (an ORM object or a plain row with its columns) as the detector compares it."""
    if state is None:
        return None
    return ProductSnapshot(
        state.price,
        state.currency,
        state.availability,
        state.name,
        state.sku,
        state.brand,
        sources=dict(state.sources or {}),
        gtin=state.gtin,
        mpn=state.mpn,
        shipping=state.shipping,
        shipping_currency=state.shipping_currency,
    )


class PriceSeries:
    """Scores each good check's price against the watch's price history (monitor.anomaly_feed)."""

    def __init__(self, feed: PriceAnomalyFeed) -> None:
        self.feed = feed

    def score(self, outcome: Outcome[Any]) -> None:
        snapshot = outcome.value if isinstance(outcome.value, ProductSnapshot) else None
        if not outcome.ok or snapshot is None:
            return
        price = float(snapshot.price) if snapshot.price is not None else None
        score = self.feed.observe(outcome.watch_id, outcome.fetched_at, price)
        outcome.changes = self.feed.annotate(outcome.changes, score)

    def write(self, session: Session, now: Any) -> None:
        self.feed.write(session, now)


def memories(session: Session, watches: list[Watch], ctx: CycleContext) -> dict[int, ProductMemory]:
    """One query per table for all watches of the crawl, not one per page."""
    ids = [w.id for w in watches]
    latest, priced = latest_and_priced(session, ids)
    gone_after = ctx.settings.gone_after
    return {
        w.id: ProductMemory(
            **memory_fields(w, ctx.settings.default_interval),
            selectors={str(k): v for k, v in read_options(ProductOptions, w.options).selectors.items()},
            last=snapshot_of_row(latest.get(w.id)),
            last_priced=snapshot_of_row(priced.get(w.id)),
            gone_after=gone_after,
            gone_reported=w.consecutive_gone >= gone_after,
        )
        for w in watches
    }


def plan(ctx: CycleContext, session: Session, watches: list[Watch]) -> CrawlPlan:
    from monitor.anomaly_feed import PriceAnomalyFeed

    known = memories(session, watches, ctx)
    jobs = []
    for w, options, obey in ctx.due(session, watches, ProductOptions):
        memory = known[w.id]
        # A 304 is answered from the last good state; a page that was gone must be read again.
        conditional = memory.last is not None and not memory.gone_reported
        jobs.append(fetch_job(w, options, obey, conditional))
    return CrawlPlan(
        jobs,
        dict(known),
        use_pool=bool(ctx.settings.extract_workers) and len(jobs) >= MIN_PAGES_FOR_POOL,
        series=PriceSeries(PriceAnomalyFeed.load(session, [w.id for w in watches])),
    )


__all__ = ["MIN_PAGES_FOR_POOL", "OBSERVER", "PriceSeries", "memories", "plan", "snapshot_of_row"]
