"""Price strings, currency codes and availability terms."""

from __future__ import annotations

from decimal import Decimal

import pytest

from spiders.extract.availability import availability_from_text, normalize_availability
from spiders.extract.currency import to_iso
from spiders.extract.price import parse_amount, parse_price
from spiders.extract.product import extract_product


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("1.299,00 €", "1299.00", "€"),
        ("$1,299.99", "1299.99", "$"),
        ("Was $120.00 Now $60.00", "60.00", "$"),
        ("8 Optionen von 98,65 €", "98.65", "€"),
        ("From 26 to 50 €", "26", "€"),
        ("270,00 Kn", "270.00", "Kn"),
        ("Free Shipping on Orders $49+.", None, "$"),
        ("25-09", None, None),
        ("", None, None),
    ],
)
def test_parse_price(text, amount, currency):
    parsed = parse_price(text)
    assert parsed.amount == (None if amount is None else Decimal(amount))
    assert parsed.currency == currency


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (19.5, "19.5"),
        ("249990", "249990"),
        ("56,00 €", "56.00"),
        ({"value": 3499}, "3499"),
        (True, None),
        (-3, None),
        ("n/a", None),
    ],
)
def test_parse_amount(value, amount):
    assert parse_amount(value) == (None if amount is None else Decimal(amount))


@pytest.mark.parametrize(
    ("symbol", "url", "lang", "code"),
    [
        ("€", "", None, "EUR"),
        ("$", "https://www.bestbuy.ca/x", None, "CAD"),
        ("$", "https://x.com.au/", "en-AU", "AUD"),
        ("$", "https://shop.example/", None, "$"),
        ("kr", "https://x.se/", None, "SEK"),
        ("zł", "", None, "PLN"),
        ("RUR", "", None, "RUB"),
        ("eur", "", None, "EUR"),
    ],
)
def test_currency_to_iso(symbol, url, lang, code):
    assert to_iso(symbol, url, lang) == code


@pytest.mark.parametrize(
    ("value", "term"),
    [
        ("http://schema.org/InStock", "InStock"),
        ("https://schema.org/OutOfStock", "OutOfStock"),
        ("instock", "InStock"),
        ("PreOrder", "PreOrder"),
        ("BackOrder", "BackOrder"),
        ("Discontinued", "Discontinued"),
        (False, "OutOfStock"),
        ("", None),
    ],
)
def test_normalize_availability(value, term):
    assert normalize_availability(value) == term


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("加入购物车", "InStock"),
        ("缺货", "OutOfStock"),
        ("In den Warenkorb", "InStock"),
        ("Ausverkauft", "OutOfStock"),
        ("Sold out", "OutOfStock"),
        ("Add to basket", "InStock"),
        ("Currently unavailable.", "OutOfStock"),
        ("Pre-order now", "PreOrder"),
        ("Rupture de stock", "OutOfStock"),
        ("Free delivery", None),
    ],
)
def test_availability_from_text(text, term):
    assert availability_from_text(text) == term


@pytest.mark.parametrize(
    ("markup", "amount"),
    [
        ("63<sup>07</sup> <span>Lei</span>", "63.07"),
        ("$1,299<sup>99</sup>", "1299.99"),
        ("1.299<sup>99</sup> €", "1299.99"),
        ("19,99<sup>1</sup> €", "19.99"),
        ("19,99 €<sup>*</sup>", "19.99"),
        ("19,99<sup>12</sup> €", "19.99"),
        ("$19.99<sup>†</sup>", "19.99"),
        ('$249<span class="right-end">99</span>', "249.99"),
        ('<span class="sr">$249.99</span><span class="price_FH">$249<span class="rightEndPrice">99</span></span>', "249.99"),
        ("CHF <!-- -->19.50", "19.50"),
    ],
)
def test_superscript_cents_and_footnotes_in_a_price_element(markup: str, amount: str) -> None:
    page = f'<html><body><h1>Drum unit</h1><p class="price">{markup}</p></body></html>'.encode()
    assert extract_product(page, "https://shop.example/p/1").price == Decimal(amount)


@pytest.mark.parametrize(
    ("markup", "amount", "currency"),
    [
        ('<strong> € <span class="gtmActualPrice">17,10</span></strong>'
         '<div class="full-price"><span class="barred">€ 18,00</span></div>', "17.10", "EUR"),
        ('<span class="price">19.50</span> CHF', "19.50", "CHF"),
        ('<span class="prezzo-barrato">€ 24,00</span> <span class="prezzo">€ 19,90</span>', "19.90", "EUR"),
    ],
)
def test_currency_beside_the_amount_and_struck_prices_by_name(markup: str, amount: str, currency: str) -> None:
    page = f"<html><body><h1>Book</h1><div>{markup}</div></body></html>".encode()
    record = extract_product(page, "https://shop.example/p/1")
    assert (record.price, record.currency) == (Decimal(amount), currency)
