"""Page-content watches (like changedetection.io): any URL, filtered to text, diffed line by line."""

from __future__ import annotations

from monitor.kinds.base import WatchKind
from monitor.kinds.page.changes import CHANGE_KINDS

PAGE = WatchKind("page", "pages", CHANGE_KINDS, "spiders.page_spider.PageSpider", "monitor.kinds.page.crawl")
