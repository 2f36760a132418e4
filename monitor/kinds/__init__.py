"""The registry of watch kinds and of the change kinds they report.

A new kind adds its package (see `monitor.kinds.base`) and one line here; `CHANGE_KINDS` follows.
"""

from __future__ import annotations

from monitor.changes.kinds import ChangeKind, unknown_kind
from monitor.kinds.base import WatchKind
from monitor.kinds.keyword.kind import KEYWORD
from monitor.kinds.listing.kind import LISTING
from monitor.kinds.page.kind import PAGE
from monitor.kinds.product.kind import PRODUCT
from monitor.kinds.site.kind import SITE

KINDS: dict[str, WatchKind] = {kind.name: kind for kind in (PRODUCT, LISTING, SITE, PAGE, KEYWORD)}

CHANGE_KINDS: dict[str, ChangeKind] = {ck.name: ck for kind in KINDS.values() for ck in kind.change_kinds}

# The `when:` values of alert rules, each with the change kinds it matches (besides `any` and `anomaly`).
RULE_KINDS: dict[str, frozenset[str]] = {}
for _ck in CHANGE_KINDS.values():
    for _rule in _ck.rules:
        RULE_KINDS[_rule] = RULE_KINDS.get(_rule, frozenset()) | {_ck.name}


def change_kind(name: str) -> ChangeKind:
    """The registered change kind, or a stand-in for a name stored by another version."""
    return CHANGE_KINDS.get(name) or unknown_kind(name)


def kinds_of(watch_kind: str) -> frozenset[str]:
    """Every change kind a kind of watch reports."""
    return frozenset(ck.name for ck in CHANGE_KINDS.values() if ck.watch_kind == watch_kind)


def kinds_counted_as(report_figure: str) -> frozenset[str]:
    """The change kinds a report figure counts (e.g. ``pages_added``: page_added, new_content_published)."""
    return frozenset(ck.name for ck in CHANGE_KINDS.values() if ck.report == report_figure)


__all__ = ["CHANGE_KINDS", "KINDS", "RULE_KINDS", "change_kind", "kinds_counted_as", "kinds_of"]
