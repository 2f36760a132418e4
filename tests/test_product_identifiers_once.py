"""A product page is parsed once: its identifiers come from the JSON-LD the extractor already read."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from monitor.kinds.base import Extraction
from monitor.kinds.product.observe import ProductMemory, conclude, precheck
from spiders.extract.product import extract_product
from spiders.extract.product_identifiers import read_identifiers
from spiders.fetch import FetchedPage, FetchJob

PRODUCT = {
    "@context": "https://schema.org",
    "@type": "Product",
    "name": "Kestrel K12 Pro",
    "sku": "A-1",
    "gtin13": "4006381333931",
    "mpn": "K12P-BLK",
    "offers": {
        "@type": "Offer",
        "price": "99.00",
        "priceCurrency": "EUR",
        "availability": "https://schema.org/InStock",
        "shippingDetails": {"shippingRate": {"value": "4.99", "currency": "EUR"}},
    },
}
PAGE = (
    f'<html><head><title>Kestrel K12 Pro</title><script type="application/ld+json">{json.dumps(PRODUCT)}'
    "</script></head><body><h1>Kestrel K12 Pro</h1><p>Marke: Kestrel</p></body></html>"
).encode()


def test_the_extractors_record_carries_the_identifiers_of_its_json_ld() -> None:
    record = extract_product(PAGE, "https://shop.example/p/a-1")
    assert record.identifiers is not None
    ids = record.identifiers
    assert (ids.gtin, ids.mpn, ids.shipping, ids.shipping_currency) == (
        "04006381333931",
        "K12P-BLK",
        Decimal("4.99"),
        "EUR",
    )
    assert ids == read_identifiers(
        PAGE, record.sku, record.name, brand=record.brand
    )  # as from the bytes alone


def test_the_given_json_ld_is_read_and_the_source_is_not_parsed_for_it() -> None:
    bare = b"<html><body><h1>Kestrel K12 Pro</h1></body></html>"
    assert read_identifiers(bare).gtin is None
    assert read_identifiers(bare, "A-1", json_ld=[PRODUCT]).gtin == "04006381333931"
    assert read_identifiers(PAGE, "A-1", json_ld=[]).gtin is None  # the caller's blocks stand


def test_a_crawled_page_stores_the_records_identifiers() -> None:
    job = FetchJob(1, "https://shop.example/p/a-1")
    page = FetchedPage(job, job.url, 200, {"content-type": "text/html"}, PAGE)
    memory = ProductMemory(1, "Kestrel", 3600.0)
    step = precheck(page, memory, datetime.now(UTC))
    assert isinstance(step, Extraction)
    record = extract_product(step.body, step.url)
    assert record.identifiers is not None
    # Stand-in identifiers the page does not hold: the snapshot takes the record's, not a re-read of the page.
    record = replace(record, identifiers=read_identifiers(b"<p>EAN: 5012345678900</p>"))
    outcome = conclude(step, memory, record, None)
    assert outcome.ok and outcome.value is not None
    assert outcome.value.gtin == "05012345678900" and outcome.value.mpn is None
