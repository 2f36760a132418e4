"""Currency to ISO 4217: symbol, structured data, page language and domain country together."""

from __future__ import annotations

import pytest

from spiders.extract.currency import to_iso
from spiders.extract.product import extract_product


@pytest.mark.parametrize(
    ("text", "url", "lang", "want"),
    [
        ("€", "", None, "EUR"),
        ("zł", "", None, "PLN"),
        ("$", "https://shop.example.com.au/p/1", None, "AUD"),
        ("$", "https://tienda.example.cl/p/1", "es", "CLP"),
        ("$", "https://shop.example.io/p/1", "en-CA", "CAD"),
        ("kr", "https://shop.example.com/p/1", "sv", "SEK"),
        ("kr", "https://shop.example.dk/p/1", None, "DKK"),
        ("¥", "https://shop.example.com/p/1", "ja", "JPY"),
        ("¥", "https://shop.example.com/p/1", "zh-CN", "CNY"),
        ("元", "https://shop.example.tw/p/1", None, "TWD"),
        ("Rs", "https://www.example.com.pk/item/1", None, "PKR"),
        ("usd", "", None, "USD"),
    ],
)
def test_symbol_to_iso(text, url, lang, want):
    assert to_iso(text, url, lang) == want


def test_ambiguous_symbol_is_kept_when_nothing_settles_it():
    assert to_iso("$", "https://shop.example.io/p/1", "en") == "$"
    assert to_iso("kr", "https://shop.example.io/p/1", None) == "kr"


def _page(body: str, lang: str = "en", head: str = "") -> str:
    return (
        f"<html lang='{lang}'><head><title>Lamp</title>{head}</head><body><h1>Lamp</h1>{body}</body></html>"
    )


def test_structured_code_settles_a_visible_dollar():
    head = (
        '<script type=\'application/ld+json\'>{"@type": "Product", "name": "Lamp", '
        '"offers": {"price": "29.00", "priceCurrency": "CAD"}}</script>'
    )
    rec = extract_product(
        _page("<span class='price'>$29.00</span>", head=head), "https://lamps.example.com/p/1"
    )
    assert rec.currency == "CAD"


def test_visible_symbol_resolved_by_page_language_and_domain():
    body = "<span class='product-price'>1 299 kr</span><button class='add-to-cart'>Lägg i varukorg</button>"
    assert extract_product(_page(body, lang="sv"), "https://lampor.example.com/p/1").currency == "SEK"
    body = "<span class='product-price'>$ 24.990</span>"
    rec = extract_product(_page(body, lang="es"), "https://tienda.example.cl/p/1")
    assert rec.currency == "CLP"


def test_unsettled_symbol_stays_raw():
    rec = extract_product(_page("<span class='product-price'>$19.99</span>"), "https://lamps.example.io/p/1")
    assert rec.currency == "$"


def test_dot_com_means_dollars_only_for_english_pages():
    assert to_iso("$", "https://www.example.com/p/1", "en") == "USD"
    assert to_iso("$", "https://www.example.com/p/1", "es") == "$"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "<div class='convPrice'><span class='price-conv'>US $2.66</span></div>"
            "<div><span class='product-price'>GBP 1.99</span></div>",
            id="converted by class",
        ),
        pytest.param(
            "<div>(approx. <span class='price'>US $2.66</span>)</div>"
            "<div><span class='product-price'>GBP 1.99</span></div>",
            id="approx before the element",
        ),
        pytest.param(
            "<div><span class='price'>ca. 2,25 €</span><span class='product-price'>GBP 1.99</span></div>",
            id="ca. inside the element",
        ),
    ],
)
def test_a_converted_estimate_is_not_the_price(body):
    rec = extract_product(_page(body), "https://shop.example.co.uk/itm/1")
    assert (str(rec.price), rec.currency) == ("1.99", "GBP")


def test_converted_estimate_alone_leaves_the_labelled_price():
    body = (
        "<div><div>Price:</div><div><span id='prcIsum'>GBP 1.99</span></div></div>"
        "<div id='prcIsumConv'>Approximately <span id='convbinPrice'>US $2.66</span></div>"
    )
    rec = extract_product(_page(body), "https://shop.example.co.uk/itm/1")
    assert (str(rec.price), rec.currency) == ("1.99", "GBP")


def test_a_price_indented_by_its_template_is_read():
    """Server templates indent the amount with hundreds of blanks; the text limit counts what shows."""
    blank = "\n" + " " * 40
    gallery = "".join(f"<span>photo {i}</span>" for i in range(100))  # the price far below the title
    body = gallery + (
        f"<div class='price'><span class='range'><span class='sales'>{blank * 8}<span class='value'>"
        f"{blank * 8}$3.499{blank * 4}</span></span></span></div>"
    )
    rec = extract_product(_page(body, lang="es"), "https://tienda.example.com.ar/p/1")
    assert (str(rec.price), rec.currency) == ("3499", "ARS")


def test_layout_rows_around_the_title_are_no_grid_of_cards():
    """Rows of a layout grid ("row" among "row"s, each with a link) look like product tiles; the rows
    that hold the product's own title are its block, while a real grid of other products stays one."""
    import lxml.html

    from spiders.extract.product_dom import in_card_list, title_blocks

    rows = "".join(f"<div class='row'><a href='/info/{i}'>info {i}</a></div>" for i in range(3))
    tiles = "".join(f"<li class='tile'><a href='/p/{i}'>Other {i}</a><b class='t'>$9</b></li>" for i in range(3))
    doc = lxml.html.fromstring(
        f"<html><body><div class='detail'><div class='row'><div><h1>Lamp</h1></div><a href='/brand'>Acme</a>"
        f"<div><span class='price'>$50.00</span></div></div>{rows}</div><ul>{tiles}</ul></body></html>"
    )
    title, price, tile_price = (next(doc.iter(tag)) for tag in ("h1", "span", "b"))
    assert in_card_list(price, {})  # by shape alone the product's own row is one of several alike
    assert not in_card_list(price, title_blocks(title))
    assert in_card_list(tile_price, title_blocks(title))


@pytest.mark.parametrize(
    ("block", "want"),
    [
        pytest.param(
            "<div data-testid='price' class='a0v'><span class='l1'>-<!-- -->50<!-- -->%</span>"
            "<span class='l2'><span>statt</span> 4.50</span><span class='l3'>CHF <!-- -->2.25</span></div>",
            ("2.25", "CHF"),
            id="saving, old price and price side by side",
        ),
        pytest.param(
            "<div class='product-price'><span>UVP 39,99 €</span> <span>-25 %</span> <b>29,99 €</b></div>",
            ("29.99", "EUR"),
            id="list price and saving before the price",
        ),
    ],
)
def test_a_price_block_is_read_by_its_parts(block, want):
    rec = extract_product(_page(block, lang="de"), "https://shop.example.ch/p/1")
    assert (str(rec.price), rec.currency) == want


def test_was_now_in_one_price_element_is_still_read_whole():
    rec = extract_product(_page("<span class='price'>Was £120.00 Now £60.00</span>"), "https://shop.example.co.uk/p/1")
    assert str(rec.price) == "60.00"


def test_twitter_card_label_and_data_pairs():
    head = (
        "<meta name='twitter:label1' content='Price'><meta name='twitter:data1' content='$60.00 USD'>"
        "<meta name='twitter:label2' content='Availability'><meta name='twitter:data2' content='Out of stock'>"
    )
    rec = extract_product(_page("<p>1970s skate board, collected in person</p>", head=head), "https://ads.example.com/1")
    assert (str(rec.price), rec.currency, rec.availability) == ("60.00", "USD", "OutOfStock")
    assert rec.sources["price"] == "meta"


def test_twitter_pairs_with_other_labels_say_nothing():
    head = "<meta name='twitter:label1' content='Written by'><meta name='twitter:data1' content='Ann 42'>"
    rec = extract_product(_page("<p>no price here</p>", head=head), "https://blog.example.com/1")
    assert rec.price is None and rec.availability is None


def test_the_block_holding_the_title_is_no_banner_of_the_page():
    """A page wrapper whose class names a cookie banner ("with-cookie-info") holds the product itself:
    its price is the product's, not a banner's; a carousel inside it stays a carousel."""
    import lxml.html

    from spiders.extract.product_dom import bad_context, title_context

    body = (
        "<section class='main with-cookie-info'><div><h1>Panel 60 x 30 cm</h1>"
        "<span class='product-price'>32 zł</span></div>"
        "<div class='swiper'><div><a href='/p/2'>Panel 30 x 30</a><span class='price'>25,99 zł</span></div></div>"
        "</section>"
    )
    page = f"<html lang='pl'><head><title>Panel 60 x 30 cm</title></head><body>{body}</body></html>"
    rec = extract_product(page, "https://sklep.example.pl/p/1")
    assert (str(rec.price), rec.currency) == ("32", "PLN")
    doc = lxml.html.fromstring(f"<html><body>{body}</body></html>")
    title, price, other = (next(doc.iter(tag)) for tag in ("h1", "span", "a"))
    assert bad_context(price, {}) == "cookie"
    assert bad_context(price, title_context(title)) is None
    assert bad_context(other, title_context(title)) == "~swiper"


@pytest.mark.parametrize(
    ("inner", "want"),
    [
        ("<span class='integer'>25</span>\n  ,<span class='fractional'>99</span>\n  <span>zł</span>", "25.99"),
        ("<span>25</span>, <span>99</span> zł", "25.99"),
        ("<span>1</span> <span>299</span> zł", "1299"),  # a thousands group is left alone
    ],
)
def test_a_decimal_mark_set_apart_by_the_template(inner, want):
    rec = extract_product(_page(f"<div class='product-price'>{inner}</div>", lang="pl"), "https://sklep.example.pl/p/1")
    assert str(rec.price) == want
