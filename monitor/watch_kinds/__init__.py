"""The registry of watch kinds. A new kind adds its module and one line here."""

from __future__ import annotations

from monitor.watch_kinds.base import CycleContext, KindCrawl, WatchKind, WatchSpec
from monitor.watch_kinds.product import ProductKind

KINDS: dict[str, WatchKind] = {kind.name: kind for kind in (ProductKind(),)}

__all__ = ["KINDS", "CycleContext", "KindCrawl", "WatchKind", "WatchSpec"]
