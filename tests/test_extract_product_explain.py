"""`--explain`: every candidate per field, the winner marked, and why it won, in readable lines."""

from __future__ import annotations

from spiders.extract.product import extract_product
from spiders.extract.product_explain import explain_text

PAGE = (
    "<html lang='en'><head><title>Desk Lamp</title><script type='application/ld+json'>"
    '{"@type": "Product", "name": "Desk Lamp", "sku": "DL-1", "offers": {"price": "39.00", "priceCurrency": "USD"}}'
    "</script></head><body><h1>Desk Lamp</h1><span class='price'>$39.00</span>"
    "<span class='old-price'><del>$49.00</del></span><button class='add-to-cart'>Add to cart</button></body></html>"
)


def test_explanation_lists_candidates_and_why():
    rec = extract_product(PAGE, "https://lamps.example.com/p/dl-1", explain=True)
    price = rec.explanation["price"]
    assert price["winner"]["source"] == "json-ld"
    assert {c["source"] for c in price["candidates"]} >= {"json-ld", "heuristic"}
    assert price["why"]
    text = explain_text(rec.explanation)
    lines = text.splitlines()
    winner_line = next(line for line in lines if line.startswith("price"))
    assert "*" in winner_line and "39.00" in winner_line and "json-ld" in winner_line
    assert any(line.strip().startswith("won:") for line in lines)
    assert "brand" in text


def test_no_explanation_without_the_flag():
    assert extract_product(PAGE, "https://lamps.example.com/p/dl-1").explanation is None
    assert explain_text(None) == ""
