"""Listing watches: a category, search or "new arrivals" page, read across its pages, one observation per crawl."""

from __future__ import annotations

from monitor.kinds.base import WatchKind
from monitor.kinds.listing.changes import CHANGE_KINDS

LISTING = WatchKind(
    "listing", "listings", CHANGE_KINDS, "spiders.listing_spider.ListingSpider", "monitor.kinds.listing.crawl"
)
