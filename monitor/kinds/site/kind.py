"""Site watches: a competitor's whole site (robots.txt, sitemaps, a bounded link crawl) as one watch."""

from __future__ import annotations

from monitor.kinds.base import WatchKind
from monitor.kinds.site.changes import CHANGE_KINDS

SITE = WatchKind("site", "sites", CHANGE_KINDS, "spiders.site_spider.SiteSpider", "monitor.kinds.site.crawl")
