"""Product change detection and the observation classifier: errors are observations, never changes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from monitor.kinds.product.changes import ProductSnapshot, detect_product_changes
from monitor.kinds.product.observe import ProductMemory, observe, remember
from spiders.extract.product import extract_product
from spiders.fetch import FetchedPage, FetchJob

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def snap(price: str | None, availability: str | None = "InStock", currency: str = "USD") -> ProductSnapshot:
    return ProductSnapshot(Decimal(price) if price else None, currency, availability)


def test_price_moves_with_relative_magnitude() -> None:
    (change,) = detect_product_changes(snap("100.00"), snap("77.00"), "Alpha · Widget")
    assert change.kind == "price_down"
    assert change.magnitude == -0.23
    assert change.summary == "Alpha · Widget: price 100.00 → 77.00 USD (-23.0%)"
    (change,) = detect_product_changes(snap("10"), snap("12.5"), "w")
    assert change.kind == "price_up" and change.old == "10" and change.new == "12.5"


def test_first_observation_is_a_baseline_and_equal_prices_do_not_change() -> None:
    assert detect_product_changes(None, snap("5"), "w") == []
    assert detect_product_changes(snap("5.00"), snap("5"), "w") == []


def test_stock_out_and_back_compare_with_last_known_price() -> None:
    out = detect_product_changes(snap("20"), snap(None, "OutOfStock"), "w")
    assert [c.kind for c in out] == ["out_of_stock"]  # a hidden price is not a price change
    back = detect_product_changes(
        snap(None, "OutOfStock"), snap("18", "InStock"), "w", last_priced=snap("20")
    )
    assert sorted(c.kind for c in back) == ["back_in_stock", "price_down"]


def test_currency_switch_is_not_a_price_move() -> None:
    (change,) = detect_product_changes(snap("100", currency="USD"), snap("700", currency="CNY"), "w")
    assert change.kind == "currency_changed"


JSONLD = (
    '<html><head><title>Widget</title><script type="application/ld+json">{"@context":"https://schema.org",'
    '"@type":"Product","name":"Widget","offers":{"@type":"Offer","price":"%s","priceCurrency":"USD",'
    '"availability":"https://schema.org/InStock"}}</script></head><body><h1>Widget</h1></body></html>'
)


def page(
    body: str | bytes = b"", status: int | None = 200, error: str | None = None, ctype: str = "text/html"
) -> FetchedPage:
    raw = body.encode() if isinstance(body, str) else body
    return FetchedPage(
        FetchJob(1, "http://shop.test/p/1"),
        "http://shop.test/p/1",
        status=status,
        headers={"content-type": ctype},
        body=raw,
        error=error,
    )


def seen_memory() -> ProductMemory:
    memory = ProductMemory(1, "Widget", interval_s=3600, gone_after=3)
    first = observe(page(JSONLD % "10.00"), memory, NOW, extract_product)
    assert first.status == "ok" and first.value is not None and first.value.price == Decimal("10.00")
    remember(memory, first)
    return memory


def test_failures_are_failed_observations_without_changes() -> None:
    memory = seen_memory()
    captcha = (
        "<html><head><title>Robot Check</title></head><body><form action='/captcha'></form></body></html>"
    )
    login = "<html><body><form><input type='password' name='p'></form></body></html>"
    cases = {
        "timed out": page(error="timed out", status=None),
        "HTTP 503": page("oops", status=503),
        "empty page": page(""),
        "not an HTML page": page(b"\x89PNG....", ctype="image/png"),
        "blocked: challenge page": page(captcha),
        "blocked: login wall": page(login),
        "no price found (was 10.00 before)": page("<html><body><h1>Widget</h1>Redesigned!</body></html>"),
    }
    for expected, fetched in cases.items():
        outcome = observe(fetched, memory, NOW, extract_product)
        assert outcome.status == "failed", expected
        assert expected in outcome.reason, (expected, outcome.reason)
        assert outcome.changes == [] and outcome.value is None and outcome.rows == []
        remember(memory, outcome)
    # After all those failures, the next good page is compared with the last GOOD state.
    outcome = observe(page(JSONLD % "8.00"), memory, NOW, extract_product)
    assert [c.kind for c in outcome.changes] == ["price_down"] and outcome.changes[0].old == "10.00"


def test_unchanged_body_skips_extraction_and_404s_become_gone_once() -> None:
    memory = seen_memory()
    same = observe(page(JSONLD % "10.00"), memory, NOW, extract_product)
    assert same.status == "ok" and same.unchanged and same.rows == []  # no extraction, no new state
    kinds = []
    for _ in range(5):
        outcome = observe(page("not found", status=404), memory, NOW, extract_product)
        assert outcome.status == "failed"
        kinds.append([c.kind for c in outcome.changes])
        remember(memory, outcome)
    assert kinds == [[], [], ["product_gone"], [], []]
    back = observe(page(JSONLD % "10.00"), memory, NOW, extract_product)
    assert [c.kind for c in back.changes] == ["product_returned"]
