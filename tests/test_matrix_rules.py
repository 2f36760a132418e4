"""The matrix's definitions and its rules' changes (pure), the alert rules that read them, and the
watchlist checks of the `catalogue:` section."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from monitor.catalogue.matrix import (
    Cell,
    MatrixRow,
    OurView,
    build_matrix,
    map_violations,
    where_most_expensive,
)
from monitor.catalogue.matrix_changes import CellBefore, ProductBefore, before_of, detect_matrix_changes
from monitor.config.alerting import AlertRule
from monitor.kinds import RULE_KINDS, change_kind
from monitor.rules import ChangeFacts, rule_fires
from monitor.watchlist import ConfigError, load_watchlist_text

D = Decimal


def _cell(watch_id: int, competitor: str, price: str | None, availability: str = "InStock", gone: bool = False) -> Cell:
    value = None if price is None else D(price)
    return Cell(watch_id, competitor, f"https://{competitor}.example/p", value, "USD", value, availability, gone=gone, observation_id=watch_id)


def _row(ours: str, *cells: Cell, map_price: str | None = None) -> MatrixRow:
    product = OurView(1, "SKU-1", "Kestrel K12 Pro", "USD", D(ours), D(map_price) if map_price else None)
    return build_matrix([product], {1: list(cells)})[0]


def test_rank_cheapest_median_and_most_expensive_count_only_offers_that_sell() -> None:
    row = _row(
        "100", _cell(1, "a", "90"), _cell(2, "b", "95"), _cell(3, "c", "110"),
        _cell(4, "d", "50", "OutOfStock"), _cell(5, "e", "40", gone=True), _cell(6, "f", None),
    )
    assert (row.our_rank, row.offers, row.median, row.most_expensive) == (3, 3, D("95"), False)
    assert row.cheapest is not None and row.cheapest.competitor == "a"
    assert row.gap_to_cheapest is not None and row.gap_to_cheapest.share == D("-0.1")
    assert [c.competitor for c in row.cells][:3] == ["a", "b", "c"]  # counting offers first, cheapest first
    dear = _row("120", _cell(1, "a", "90"), _cell(2, "b", "119.99"))
    assert dear.most_expensive and dear.our_rank == 3
    assert [r.product.price for r in where_most_expensive([row, dear])] == [D("120"), D("100")]
    assert map_violations([_row("100", _cell(1, "a", "80"), _cell(2, "b", "95"), map_price="90")])["a"]


def _changes(before: MatrixRow, after: MatrixRow) -> list[tuple[str, str]]:
    product, cells = before_of(before)
    return sorted((c.kind, cell.competitor) for cell, c in detect_matrix_changes(after, product, cells))


def test_the_matrix_rules_report_moves_not_states() -> None:
    start = _row("100", _cell(1, "a", "105"), _cell(2, "b", "98"), map_price="90")
    # a goes below us: undercut; b goes further below: undercut again; a is now the cheapest, and
    # we are the dearest (reported on the dearest offer's watch).
    moved = _row("100", _cell(1, "a", "92"), _cell(2, "b", "97"), map_price="90")
    assert _changes(start, moved) == [
        ("cheapest_changed", "a"), ("most_expensive", "b"), ("undercut_by", "a"), ("undercut_by", "b")
    ]
    # b rises but stays below us: nothing; a drops below our MAP: a MAP violation and an undercut.
    again = _row("100", _cell(1, "a", "85"), _cell(2, "b", "99"), map_price="90")
    assert _changes(moved, again) == [("map_violation", "a"), ("undercut_by", "a")]
    # b sells out while we have it (we were and stay the dearest: no news there).
    sold = _row("100", _cell(1, "a", "85"), _cell(2, "b", "99", "OutOfStock"), map_price="90")
    assert _changes(again, sold) == [("competitor_out_of_stock", "b")]
    # a competitor above us again, then below: we are the most expensive once more.
    above = _row("100", _cell(1, "a", "85"), _cell(2, "b", "101"), map_price="90")
    assert _changes(sold, above) == []
    assert _changes(above, again) == [("most_expensive", "b"), ("undercut_by", "b")]


def test_a_products_first_place_in_the_matrix_is_its_baseline() -> None:
    row = _row("100", _cell(1, "a", "50"))
    assert detect_matrix_changes(row, None, {}) == []
    # An offer new to the matrix is a baseline too (no undercut), though it may be the cheapest now.
    product = ProductBefore(2, False, D("100"))
    changes = detect_matrix_changes(_row("100", _cell(1, "a", "50"), _cell(2, "b", "90")), product, {2: CellBefore(D("90"), True, "in")})
    assert sorted(c.kind for _, c in changes) == ["cheapest_changed", "most_expensive"]


def test_we_do_not_hear_of_a_stock_out_when_we_are_out_too() -> None:
    ours = OurView(1, "SKU-1", "K12", "USD", D("100"), availability="OutOfStock")
    before = build_matrix([ours], {1: [_cell(1, "a", "90")]})[0]
    after = build_matrix([ours], {1: [_cell(1, "a", "90", "OutOfStock")]})[0]
    assert _changes(before, after) == []


def test_alert_rules_match_the_matrix_kinds_with_their_thresholds() -> None:
    assert RULE_KINDS["undercut_by"] == frozenset({"undercut_by"}) and change_kind("map_violation").severity == "critical"
    change = ChangeFacts(kind="undercut_by", magnitude=-0.08)
    assert rule_fires(AlertRule(name="u", when="undercut_by", threshold_pct=5), change)
    assert not rule_fires(AlertRule(name="u", when="undercut_by", threshold_pct=10), change)
    assert not rule_fires(AlertRule(name="u", when="undercut", threshold_pct=5), change)  # the per-watch rule


def test_the_catalogue_section_is_checked_with_the_rest() -> None:
    text = yaml.safe_dump(
        {
            "products": [{"url": "https://a.example/p/1"}],
            "catalogue": {
                "products": [
                    {"sku": "A", "name": "K12", "watches": ["https://a.example/p/2"]},
                    {"sku": "A", "name": "K13"},
                ]
            },
            "rules": [{"name": "r", "when": "undercut_bye"}],
        }
    )
    with pytest.raises(ConfigError) as err:
        load_watchlist_text(text)
    messages = "\n".join(str(p) for p in err.value.problems)
    assert 'not a product watch: https://a.example/p/2; did you mean "https://a.example/p/1"' in messages
    assert "SKU given twice: A" in messages
    assert 'did you mean "undercut_by"' in messages
    with pytest.raises(ConfigError, match="check digit"):
        load_watchlist_text(yaml.safe_dump({"catalogue": {"products": [{"sku": "A", "name": "x", "gtin": "4006381333932"}]}}))


def test_undercut_by_more_than_x_percent_fires_on_the_detected_gap() -> None:
    """The detector's magnitude is the gap to our price, so `threshold_pct` means "more than X %
    below us": 8 % below fires a 5 % rule and not a 10 % one; a MAP violation measures against MAP."""
    before = _row("100", _cell(1, "a", "105"), map_price="95")
    after = _row("100", _cell(1, "a", "92"), map_price="95")
    product, cells = before_of(before)
    found = {c.kind: c for _, c in detect_matrix_changes(after, product, cells)}
    undercut, below_map = found["undercut_by"], found["map_violation"]
    assert undercut.magnitude == pytest.approx(-0.08) and below_map.magnitude == pytest.approx(92 / 95 - 1, abs=1e-4)
    facts = ChangeFacts(kind=undercut.kind, magnitude=undercut.magnitude, details=undercut.details)
    assert rule_fires(AlertRule(name="u5", when="undercut_by", threshold_pct=5), facts)
    assert not rule_fires(AlertRule(name="u10", when="undercut_by", threshold_pct=10), facts)
    assert undercut.details["gap_pct"] == pytest.approx(-8.0) and undercut.details["our_sku"] == "SKU-1"
