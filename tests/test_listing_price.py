"""A listing card's price is a money amount: never a review count, a rating, bids or watchers, a size
or part number of the title, a date or a shop name's digits; currency from the page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import lxml.html
import pytest

from spiders.extract.listing import extract_listing
from spiders.extract.listing_price import card_price, money_in


def _card(inner: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(f"<div class='card'>{inner}</div>")


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("$22.09", "22.09"),
        ("129,00 €", "129.00"),
        ("US $6.26 - 10.19 / piece", "6.26"),
        ("￥3580.00", "3580.00"),
        ("£1,299.99", "1299.99"),
        ("2,292 ₹110", "110"),  # a review count before a glued price
        ("144 11,99 €", "11.99"),  # a count beside a price written with a decimal comma
        ("£2.20 3 bids", "2.20"),
        ("$9.99 38+ Watching", "9.99"),
        ("1 299,00 €", "1299.00"),  # a plain space before a group of three is a thousands mark
        ("4.3 out of 5 stars", None),
        ("Jul 30, 2013", None),
        ("Jul 30, 2013 USD 5.00", "5.00"),  # the year of a date is not the amount before a code
        ("Listed 30 Jul 2013 €", None),
        ("30. Juli 2013 €", None),
        ("Decor 12 €", "12"),  # a word starting like a month is not one
        ("Made in Ukraine, 12 pcs", None),  # a sign written in letters is a word of its own
        ("50 RMS power", None),
        ("1 299 Ft", "1299"),
        ("From 26 to 50 €", "26"),  # a range with the sign after its end: the price is its start
        ("12,50 – 19,99 €", "12.50"),
        ("Set of 3 - 12,99 €", "12.99"),  # a dash between a count and a price is no range
        ("SGD4.90 $", "4.90"),  # a currency code touching the amount
        ("Samsung 27-inch monitor", None),
        ("+$4.99 shipping", None),
        ("Save $5.00", None),
        ("($0.34/count)", None),
        ("£2.2038+ Watching", None),  # a count run into the price: no amount rather than 2203
        ("11,99 € (2,29 €/100 g)", "11.99"),  # the unit mark is its own amount's, not the price's
        ("$19.99 ($0.50 per ounce)", "19.99"),
        ("$5 each", None),
        ("Sale Price $12.50 Original Price $25.00", "12.50"),  # old-price words stand before the old price
        ("Original Price $25.00", None),  # the window cutting "riginal" still reads the word
        ("Was $30 now $20", "20"),  # the "was" is the $30's
        ("$12.50 + $4.99 shipping", "12.50"),
        ("Shipping: $4.99", None),
        ("12,900원", "12900"),
        ("1.234,56 TL", "1234.56"),
        ("499 грн", "499"),
        ("TLC 5 pack", None),
        ("$4.9912 sold", None),  # more digits than any amount has after its mark
    ],
)
def test_money_in_text(text: str, amount: str | None) -> None:
    found = money_in(text)
    if amount is None:
        assert found is None
    else:
        assert found is not None and found[0] == Decimal(amount)


_TITLE = "Acer 27 inch monitor 144Hz, part 0457-$12 adapter set"


@pytest.mark.parametrize(
    ("inner", "price", "where"),
    [
        pytest.param(
            "<a href='/p/1'>Desk lamp</a><span>4.3 out of 5 stars</span><span>2,292</span>"
            "<span class='a-price'><span class='a-offscreen'>$24.99</span></span>",
            "24.99",
            {"page_url": "https://shop.example/s?k=lamp"},
            id="review count and rating are not the price",
        ),
        pytest.param(
            "<a href='/p/1'>Lamp</a><del>$30.00</del><span class='price-old'>$29.00</span>"
            "<span>+$4.99 shipping</span><span class='price'>$19.50</span>",
            "19.50",
            {},
            id="struck list price and shipping are left out",
        ),
        pytest.param(
            "<a href='/p/1'>Lamp</a><span class='price'><span>$</span><span>19</span><sup>99</sup></span>",
            "19.99",
            {},
            id="price split across spans with cents in superscript",
        ),
        pytest.param(
            "<a href='/p/1'>Lamp</a><span class='a-price'><span class='sym'>$</span><span class='whole'>22"
            "<span class='dec'>.</span></span><span class='frac'>09</span></span>",
            "22.09",
            {},
            id="price split with a decimal point element",
        ),
        pytest.param(
            f"<a href='/p/1'>{_TITLE}</a><span>Rating 4.5</span><b class='price'>€ 199,00</b>",
            "199.00",
            {"title": _TITLE},
            id="title numbers are not the price",
        ),
        pytest.param(
            "<a href='/p/1'>Lamp</a><div class='info'><span>144</span><span>11,99 €</span></div>",
            "11.99",
            {},
            id="review count in the element before the price is not glued to it",
        ),
        pytest.param(
            "<a href='/itm/1'>Watch</a><div class='details'><span>£2.20</span><span>3 bids</span></div>",
            "2.20",
            {},
            id="bid count in the element after the price is not glued to it",
        ),
        pytest.param(
            "<a href='/itm/1'>Watch</a><div><span>$9.99</span><span>38+ Watching</span></div>",
            "9.99",
            {},
            id="watcher count after the price",
        ),
        pytest.param(
            "<a href='/l/1'>Ring</a><p>SilverStudio99</p><span>USD</span><span class='price'>12.50</span>",
            "12.50",
            {"title": "Ring"},
            id="digits ending a shop name are not an amount",
        ),
        pytest.param(
            "<a href='/p/1'>Gift card <b>$50</b> value pack</a><div><span>$45.00</span></div>",
            "45.00",
            {"title": "Gift card $50 value pack"},
            id="money inside the title link is not the price",
        ),
        pytest.param(
            "<a href='/p/1'><img src='x.jpg'></a><h3><span>Gift card $50</span> pack</h3><div><span>$45.00</span></div>",
            "45.00",
            {"title": "Gift card $50 pack"},
            id="money inside a heading is not the price",
        ),
        pytest.param(
            "<a href='/p/1'>Lamp</a><span class='s-price'><span class='currencyINR'>&nbsp;&nbsp;</span>1,299</span>",
            "1299",
            {},
            id="a currency drawn by an icon element",
        ),
        pytest.param(
            "<a href='/p/1'>Lamp</a><div><span>Original: $12.50</span> <span>$10.00</span></div>",
            "10.00",
            {},
            id="an original price written before the price",
        ),
        pytest.param(
            "<a href='/itm/1'>Watch</a><div><span class='s-item__price'><span class='STRIKETHROUGH'>£9.99</span>"
            " £2.20</span></div>",
            "2.20",
            {},
            id="a struck old price inside the price element is not read with it",
        ),
        pytest.param(
            "<a href='/p/1'>Lamp</a><p class='price'><del>$30.00</del> $19.50</p>",
            "19.50",
            {},
            id="a deleted old price inside the price element",
        ),
    ],
)
def test_card_price(inner: str, price: str, where: dict[str, Any]) -> None:
    assert card_price(_card(inner), **where)[0] == Decimal(price)


@pytest.mark.parametrize(
    ("inner", "page_url", "lang", "expected"),
    [
        pytest.param(
            "<a href='/p/1'><img src='x.jpg'></a><div>HDMI Kabel 6 Ft</div><div>10,99 €</div>",
            "https://shop.example/s?q=kabel",
            None,
            ("10.99", "EUR"),
            id="feet beside a euro price",
        ),
        pytest.param(
            "<a href='/p/1'><img src='x.jpg'></a><div>Garden hose 50 Ft</div>",
            "https://shop.example.com/s?q=hose",
            "en-US",
            (None, None),
            id="feet on a page of another country",
        ),
        pytest.param(
            "<a href='/p/1'><img src='x.jpg'></a><div>Kerti slag</div><div>12 990 Ft</div>",
            "https://bolt.example.hu/kereses?q=slag",
            "hu",
            ("12990", "HUF"),
            id="forints on a Hungarian page",
        ),
    ],
)
def test_ft_is_forint_only_where_it_can_be(inner: str, page_url: str, lang: str | None, expected) -> None:
    amount, currency = card_price(_card(inner), page_url, lang)
    assert (None if amount is None else str(amount), currency) == expected


def test_currency_from_the_page_for_a_bare_amount() -> None:
    html = "<html lang='de-DE'><body><ul>" + "".join(
        f"<li class='item'><a href='/p/{i}'><img src='/i/{i}.jpg'>Produkt Nummer {i} mit langem Namen</a>"
        f"<span class='price'>{'12,50' if i == 3 else f'{i},99 €'}</span></li>"
        for i in range(1, 6)
    ) + "</ul></body></html>"
    page = extract_listing(html.encode(), "https://shop.example/suche?q=x")
    by_url = {item.url.rsplit("/", 1)[-1]: item for item in page.items}
    assert by_url["3"].price == Decimal("12.50") and by_url["3"].currency == "EUR"
    assert by_url["1"].price == Decimal("1.99") and by_url["1"].currency == "EUR"


def test_sponsored_card_from_another_template_keeps_its_place() -> None:
    cards = [
        f"<div class='result' data-id='{i}'><div><a href='/dp/ITEM{i}'><img src='/{i}.jpg'></a>"
        f"<h2><a href='/dp/ITEM{i}'>Item number {i} with a long enough title</a></h2>"
        f"<span class='price'>${i}.99</span></div></div>"
        for i in range(1, 6)
    ]
    ad = (
        "<div class='ad-slot'><span><span><a href='/redirect?url=%2Fdp%2FAD1'><img src='/ad.jpg'></a>"
        "<h2><a href='/redirect?url=%2Fdp%2FAD1'>Sponsored item with a long title</a></h2>"
        "<span class='price'>$7.49</span></span></span></div>"
    )
    cards.insert(2, ad)
    html = f"<html><body><div class='grid'>{''.join(cards)}</div></body></html>"
    page = extract_listing(html.encode(), "https://shop.example/s?k=item")
    assert [item.key.rsplit("/", 1)[-1] for item in page.items] == ["ITEM1", "ITEM2", "AD1", "ITEM3", "ITEM4", "ITEM5"]
    assert page.items[2].price == Decimal("7.49")


def test_a_price_link_is_not_the_title() -> None:
    html = "<html><body><ul>" + "".join(
        f"<li class='item'><a href='/dp/{i}'><img src='/i/{i}.jpg'></a><h2><a href='/dp/{i}'>Book {i}</a></h2>"
        f"<a href='/dp/{i}'><span class='a-price'><span class='a-offscreen'>${i}.99</span></span>"
        f"<span class='old-price'>$1{i}.95</span></a></li>"
        for i in range(1, 6)
    ) + "</ul></body></html>"
    page = extract_listing(html.encode(), "https://shop.example/s?k=book")
    assert [(item.title, item.price) for item in page.items][:2] == [("Book 1", Decimal("1.99")), ("Book 2", Decimal("2.99"))]
