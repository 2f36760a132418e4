"""Change facts the alert tests render: one price drop, with the fields a test is about replaced."""

from __future__ import annotations

from monitor.rules import ChangeFacts

PRICE_DROP = dict(
    kind="price_down",
    summary="Widget 1: price 100.00 → 80.00 USD (-20.0%)",
    field="price",
    old="100.00",
    new="80.00",
    magnitude=-0.2,
    change_id=7,
    watch_label="Widget 1",
    watch_url="https://shop-a.example/p/1",
    competitor="ShopA",
)


def price_drop(**fields) -> ChangeFacts:  # noqa: ANN003
    """Widget 1 at ShopA down from 100.00 to 80.00 USD, with `fields` in place of those given."""
    return ChangeFacts(**(PRICE_DROP | fields))
