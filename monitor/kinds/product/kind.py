"""Product watches: one page per watch, price and stock; prices scored by the anomaly models."""

from __future__ import annotations

from monitor.kinds.base import WatchKind
from monitor.kinds.product.changes import CHANGE_KINDS

PRODUCT = WatchKind(
    "product", "products", CHANGE_KINDS, "spiders.product_spider.ProductSpider", "monitor.kinds.product.crawl"
)
