"""Listing watches: what moved between two good crawls of a category or search page.

Items are matched on `ListingItem.key` (the URL without tracking noise), so a new search id in
every link is not a new product. Sponsored cards rotate on every visit; by default they are left
out of additions, removals and positions (positions are recounted among organic items).

Failures are not changes. A new crawl with no items (empty page, login wall, layout the detector
cannot read) gives no changes at all: the caller stores a failed observation. A page that says
"no results" is real, but its emptiness is reported as one `listing_count_shift`, never as every
item removed; the same holds when the new crawl has less than `min_coverage` of the old items
(a pagination step that failed looks exactly like that).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from monitor.changes.kinds import ChangeKind
from monitor.changes.record import DetectedChange
from spiders.extract.listing_urls import first_per_key  # pure and light (no lxml)

if TYPE_CHECKING:
    from spiders.extract.listing import ListingItem, ListingPage

CHANGE_KINDS = (
    ChangeKind(
        "listing_item_added", "listing", "New item in listing", "列表新增商品", ("listing_item_added",),
        "listing_added", "info",
    ),
    ChangeKind(
        "listing_item_removed", "listing", "Item left listing", "列表移除商品", ("listing_item_removed",),
        "listing_removed", "info",
    ),
    ChangeKind(
        "listing_item_moved", "listing", "Listing position moved", "列表位置变化", ("listing_item_moved",),
        None, "info",
    ),
    ChangeKind(
        "listing_price_changed", "listing", "Listing price changed", "列表价格变化", ("listing_price_changed",),
        None,
    ),
    ChangeKind(
        "listing_count_shift", "listing", "Listing size changed", "列表数量变化", ("listing_count_changed",),
        None,
    ),
)


@dataclass(frozen=True)
class ListingDiffOptions:
    """Thresholds of the listing diff."""

    include_sponsored: bool = False
    min_move: int = 3  # positions an item must move to count as moved
    count_shift: float = 0.2  # relative change of the item count worth reporting
    min_coverage: float = 0.5  # below this share of the old count, items are not itemised
    max_listed: int = 50  # items named in one change's details


def _organic(items: Sequence[ListingItem], include_sponsored: bool) -> list[ListingItem]:
    return first_per_key(i for i in items if include_sponsored or not i.sponsored)


def _label(item: ListingItem) -> str:
    return item.title or item.url


def detect_listing_changes(
    old: ListingPage | Sequence[ListingItem],
    new: ListingPage | Sequence[ListingItem],
    options: ListingDiffOptions | None = None,
) -> list[DetectedChange]:
    """Added, removed, moved and repriced items, and count shifts, from the last good crawl to this one."""
    # Here, not at the top: the registry reads CHANGE_KINDS on every command, the extractor's
    # price parsing is only needed once a listing is compared.
    from spiders.extract.listing import ListingPage

    options = options or ListingDiffOptions()
    new_reason = new.reason if isinstance(new, ListingPage) else None
    old_items = _organic(old.items if isinstance(old, ListingPage) else old, options.include_sponsored)
    new_items = _organic(new.items if isinstance(new, ListingPage) else new, options.include_sponsored)
    if not new_items and new_reason != "no_results":
        return []
    changes: list[DetectedChange] = []
    n_old, n_new = len(old_items), len(new_items)
    shift = (n_new - n_old) / n_old if n_old else None
    partial = n_old > 0 and n_new < options.min_coverage * n_old
    if n_old and shift is not None and abs(shift) >= options.count_shift and n_old != n_new:
        changes.append(
            DetectedChange(
                kind="listing_count_shift",
                summary=f"listing now shows {n_new} items (was {n_old})",
                field="count",
                old=str(n_old),
                new=str(n_new),
                magnitude=shift,
                details={"itemised": not partial, "reason": new_reason},
            )
        )
    if partial:
        return changes
    old_by_key = {item.key: (pos, item) for pos, item in enumerate(old_items, 1)}
    new_by_key = {item.key: (pos, item) for pos, item in enumerate(new_items, 1)}
    for pos, item in enumerate(new_items, 1):
        if item.key not in old_by_key:
            changes.append(
                _card_change("listing_item_added", f"new in listing at #{pos}", item, pos, new=item.url)
            )
    for pos, item in enumerate(old_items, 1):
        if item.key not in new_by_key:
            changes.append(
                _card_change(
                    "listing_item_removed", f"gone from listing (was #{pos})", item, pos, old=item.url
                )
            )
    for key, (new_pos, item) in new_by_key.items():
        if key not in old_by_key:
            continue
        old_pos, before = old_by_key[key]
        if abs(new_pos - old_pos) >= options.min_move:
            changes.append(
                _card_change(
                    "listing_item_moved",
                    f"moved #{old_pos} -> #{new_pos}",
                    item,
                    new_pos,
                    field="position",
                    old=str(old_pos),
                    new=str(new_pos),
                    magnitude=float(old_pos - new_pos),
                )
            )
        if _repriced(before, item):
            assert before.price is not None and item.price is not None
            rel = float((item.price - before.price) / before.price) if before.price else None
            changes.append(
                _card_change(
                    "listing_price_changed",
                    f"card price {before.price} -> {item.price}",
                    item,
                    new_pos,
                    field="price",
                    old=str(before.price),
                    new=str(item.price),
                    magnitude=rel,
                )
            )
    return changes


def _repriced(before: ListingItem, after: ListingItem) -> bool:
    if before.price is None or after.price is None:
        return False  # a price that failed to parse is not a price change
    if before.currency and after.currency and before.currency != after.currency:
        return False  # a currency switch (geo, locale) is not a repricing
    return Decimal(before.price) != Decimal(after.price)


def _card_change(kind: str, what: str, item: ListingItem, position: int, **fields: Any) -> DetectedChange:
    """A change about one card: its summary says what happened and names the card, its details
    are the card's (at `position`)."""
    return DetectedChange(
        kind=kind, summary=f"{what}: {_label(item)}", details=_item_details(item, position), **fields
    )


def _item_details(item: ListingItem, position: int) -> dict:
    return {
        "key": item.key,
        "url": item.url,
        "title": item.title,
        "position": position,
        "price": str(item.price) if item.price is not None else None,
        "currency": item.currency,
    }
