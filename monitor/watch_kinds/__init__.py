"""The registry of watch kinds. A new kind adds its module and one line here."""

from __future__ import annotations

from monitor.watch_kinds.base import CycleContext, KindCrawl, WatchKind, WatchSpec
from monitor.watch_kinds.keyword import KeywordKind
from monitor.watch_kinds.listing import ListingKind
from monitor.watch_kinds.page import PageKind
from monitor.watch_kinds.product import ProductKind
from monitor.watch_kinds.site import SiteKind

KINDS: dict[str, WatchKind] = {kind.name: kind for kind in (ProductKind(), KeywordKind())}
KINDS[ListingKind.name] = ListingKind()
KINDS[SiteKind.name] = SiteKind()
KINDS[PageKind.name] = PageKind()

__all__ = ["KINDS", "CycleContext", "KindCrawl", "WatchKind", "WatchSpec"]
