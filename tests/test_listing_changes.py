"""Listing diffs: added, removed, moved, repriced items and count shifts; failures are not changes."""

from __future__ import annotations

from decimal import Decimal

from monitor.kinds.listing.changes import ListingDiffOptions, detect_listing_changes
from spiders.extract.listing import ListingItem, ListingPage


def items(*specs, sponsored: set[int] = frozenset()) -> list[ListingItem]:
    out = []
    for pos, spec in enumerate(specs, 1):
        n, price = spec if isinstance(spec, tuple) else (spec, "10")
        out.append(
            ListingItem(
                position=pos,
                url=f"https://shop.example/p/{n}?qid={pos}",
                title=f"Item {n}",
                price=Decimal(price) if price else None,
                currency="EUR",
                sponsored=n in sponsored,
            )
        )
    return out


def kinds(changes) -> list[str]:
    return sorted(c.kind for c in changes)


def test_identical_listing_with_new_tracking_ids_has_no_changes():
    old = items(1, 2, 3, 4, 5)
    new = [ListingItem(i.position, i.url.replace("qid=", "qid=9"), i.title, i.price, i.currency) for i in old]
    assert detect_listing_changes(old, new) == []


def test_item_added_and_removed():
    changes = detect_listing_changes(items(1, 2, 3, 4, 5), items(1, 2, 3, 4, 6))
    assert kinds(changes) == ["listing_item_added", "listing_item_removed"]
    added = next(c for c in changes if c.kind == "listing_item_added")
    assert added.new == "https://shop.example/p/6?qid=5" and added.details["position"] == 5


def test_card_price_change_with_relative_magnitude():
    changes = detect_listing_changes(items(1, (2, "20"), 3), items(1, (2, "15"), 3))
    assert kinds(changes) == ["listing_price_changed"]
    assert changes[0].old == "20" and changes[0].new == "15"
    assert abs(changes[0].magnitude - (-0.25)) < 1e-9


def test_missing_price_is_not_a_price_change():
    assert detect_listing_changes(items((1, "10"), 2), items((1, None), 2)) == []


def test_item_moved_beyond_threshold_only():
    old = items(1, 2, 3, 4, 5, 6)
    small = items(2, 1, 3, 4, 5, 6)
    assert detect_listing_changes(old, small) == []
    big = items(2, 3, 4, 5, 1, 6)
    moved = [c for c in detect_listing_changes(old, big) if c.kind == "listing_item_moved"]
    assert len(moved) == 1 and (moved[0].old, moved[0].new) == ("1", "5")


def test_count_shift():
    old = items(*range(1, 11))
    new = items(*range(1, 15))
    changes = detect_listing_changes(old, new)
    shift = [c for c in changes if c.kind == "listing_count_shift"]
    assert shift and shift[0].old == "10" and shift[0].new == "14"
    assert kinds(changes).count("listing_item_added") == 4


def test_sponsored_rotation_is_ignored_by_default_and_positions_are_organic():
    old = items(1, 90, 2, 3, sponsored={90})
    new = items(91, 1, 2, 3, sponsored={91})
    assert detect_listing_changes(old, new) == []
    with_ads = detect_listing_changes(old, new, ListingDiffOptions(include_sponsored=True))
    assert "listing_item_added" in kinds(with_ads) and "listing_item_removed" in kinds(with_ads)


def test_failed_or_empty_crawl_never_removes_everything():
    old = items(*range(1, 21))
    assert detect_listing_changes(old, []) == []
    assert detect_listing_changes(old, ListingPage(url="u", items=[], reason="no_cards")) == []


def test_partial_crawl_reports_count_shift_without_itemised_removals():
    old = items(*range(1, 41))
    changes = detect_listing_changes(old, items(*range(1, 11)))
    assert kinds(changes) == ["listing_count_shift"]
    assert changes[0].details["itemised"] is False


def test_no_results_page_is_one_count_shift_not_forty_removals():
    old = items(*range(1, 41))
    changes = detect_listing_changes(old, ListingPage(url="u", items=[], reason="no_results"))
    assert kinds(changes) == ["listing_count_shift"] and changes[0].new == "0"
