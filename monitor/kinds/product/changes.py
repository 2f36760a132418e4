"""Product change detection: last good state + new state -> price and stock changes. Pure.

The change kinds a product watch reports are declared here (`CHANGE_KINDS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from monitor.changes.kinds import ChangeKind
from monitor.changes.record import DetectedChange

PRICE_RULES = ("price_drop", "price_rise", "price_change", "undercut", "below_map")
CHANGE_KINDS = (
    ChangeKind("price_down", "product", "Price drop", "降价", PRICE_RULES, "price_changes"),
    ChangeKind("price_up", "product", "Price rise", "涨价", PRICE_RULES, "price_changes"),
    ChangeKind("currency_changed", "product", "Currency changed", "币种变化", ("currency_changed",), None, "info"),
    ChangeKind("out_of_stock", "product", "Out of stock", "缺货", ("out_of_stock",), "stock_outs"),
    ChangeKind("back_in_stock", "product", "Back in stock", "恢复有货", ("back_in_stock",), "restocks", "info"),
    ChangeKind("product_gone", "product", "Product gone", "商品下架", ("product_gone",), "products_removed"),
    ChangeKind(
        "product_returned", "product", "Product back", "商品重新上架", ("product_returned",), "products_returned", "info"
    ),
)
# What the price matrix reports (monitor.catalogue.matrix_changes detects them after a crawl): a product
# of ours against every matched competitor. Each is stored on the competitor watch whose offer it is
# about, so rules, alerts and the report read them like any product change.
# The weekly report's "Price position" counts them (`report="price_position"`).
MATRIX_KINDS = (
    ChangeKind("undercut_by", "product", "Undercut by a competitor", "竞品低于我方价格", ("undercut_by",), "price_position"),
    ChangeKind("most_expensive", "product", "We are the most expensive", "我方价格最高", ("most_expensive",), "price_position"),
    ChangeKind(
        "map_violation", "product", "Below our MAP", "低于最低广告价", ("map_violation",), "price_position", "critical"
    ),
    ChangeKind(
        "cheapest_changed", "product", "Cheapest competitor changed", "最低价竞品变化", ("cheapest_changed",),
        "price_position", "info",
    ),
    ChangeKind(
        "competitor_out_of_stock", "product", "Out of stock there, in stock here", "竞品缺货而我方有货",
        ("competitor_out_of_stock",), "price_position", "info",
    ),
)
CHANGE_KINDS = CHANGE_KINDS + MATRIX_KINDS
PRICE_KINDS = frozenset({"price_down", "price_up"})

IN_STOCK = frozenset({"InStock", "LimitedAvailability", "OnlineOnly", "InStoreOnly", "PreSale"})
OUT_OF_STOCK = frozenset({"OutOfStock", "SoldOut", "Discontinued"})


@dataclass(frozen=True)
class ProductSnapshot:
    price: Decimal | None
    currency: str | None
    availability: str | None
    name: str | None = None
    sku: str | None = None
    brand: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    gtin: str | None = None  # what the catalogue's matching and the matrix read (see identifiers.py)
    mpn: str | None = None
    shipping: Decimal | None = None
    shipping_currency: str | None = None


def _fmt(price: Decimal) -> str:
    return f"{price.quantize(Decimal('0.01')) if price == price.quantize(Decimal('0.01')) else price:,}"


def stock_state(availability: str | None) -> str | None:
    if availability in IN_STOCK:
        return "in"
    if availability in OUT_OF_STOCK:
        return "out"
    return None


def detect_product_changes(
    last: ProductSnapshot | None,
    new: ProductSnapshot,
    label: str,
    last_priced: ProductSnapshot | None = None,
) -> list[DetectedChange]:
    """Changes between the last good state and a new good one.

    `last_priced` is the last state that had a price: out-of-stock pages often hide the price, and the
    price move that matters is against the last price we saw, not against "no price".
    """
    if last is None:
        return []  # the first good observation is the baseline
    changes: list[DetectedChange] = []
    ref = last if last.price is not None else last_priced
    if ref is not None and ref.price is not None and new.price is not None and new.price != ref.price:
        if ref.currency and new.currency and ref.currency != new.currency:
            changes.append(
                DetectedChange(
                    kind="currency_changed",
                    summary=f"{label}: currency {ref.currency} → {new.currency} ({_fmt(new.price)})",
                    field="currency",
                    old=ref.currency,
                    new=new.currency,
                )
            )
        elif ref.price > 0:
            rel = float((new.price - ref.price) / ref.price)
            cur = f" {new.currency}" if new.currency else ""
            kind = "price_down" if new.price < ref.price else "price_up"
            changes.append(
                DetectedChange(
                    kind=kind,
                    summary=f"{label}: price {_fmt(ref.price)} → {_fmt(new.price)}{cur} ({rel:+.1%})",
                    field="price",
                    old=str(ref.price),
                    new=str(new.price),
                    magnitude=rel,
                    details={"currency": new.currency, "delta": str(new.price - ref.price)},
                )
            )
    before, after = stock_state(last.availability), stock_state(new.availability)
    if {before, after} == {"in", "out"}:  # a clear move either way; unknown states say nothing
        if after == "out":
            kind, summary = "out_of_stock", f"{label}: out of stock ({new.availability})"
        else:
            price = f" at {_fmt(new.price)}{' ' + new.currency if new.currency else ''}" if new.price else ""
            kind, summary = "back_in_stock", f"{label}: back in stock{price}"
        changes.append(
            DetectedChange(
                kind=kind,
                summary=summary,
                field="availability",
                old=last.availability,
                new=new.availability,
            )
        )
    return changes


def gone_change(label: str, http_status: int | None, times: int) -> DetectedChange:
    return DetectedChange(
        kind="product_gone",
        summary=f"{label}: product page gone (HTTP {http_status} {times} times in a row)",
        field="exists",
        old="yes",
        new="no",
    )


def returned_change(label: str) -> DetectedChange:
    return DetectedChange(
        kind="product_returned", summary=f"{label}: product page is back", field="exists", old="no", new="yes"
    )
