"""Product pages: stock from what the page shows (never from a shown price), structured-data keys in
any case, the SKU shoppers see, and a reason for every absent field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from spiders.extract.product import extract_product


def _page(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def test_text_only_page_out_of_stock_beside_a_price() -> None:
    record = extract_product(_page("<div>price: $10.99</div><div>Out of stock</div>"), "https://shop.example/p/1")
    assert record.price == Decimal("10.99")
    assert record.availability == "OutOfStock"


def test_text_only_page_with_a_count() -> None:
    record = extract_product(_page("<div>Price: 24,90 €</div><p>Only 2 left in stock</p>"), "https://shop.example/p/1")
    assert record.availability == "InStock"


@pytest.mark.parametrize(
    ("statement", "term"),
    [
        ("Sold-out", "OutOfStock"),
        ("Currently not in stock", "OutOfStock"),
        ("No longer in stock", "OutOfStock"),
        ("0 in stock", "OutOfStock"),
        ("Temporarily out of stock", "OutOfStock"),
        ("Notify me when available", "OutOfStock"),
        ("Ausverkauft", "OutOfStock"),
        ("Nicht verfügbar", "OutOfStock"),
        ("Rupture de stock", "OutOfStock"),
        ("No disponible", "OutOfStock"),
        ("Esgotado", "OutOfStock"),
        ("Non disponibile", "OutOfStock"),
        ("Uitverkocht", "OutOfStock"),
        ("Nie ma w magazynie", "OutOfStock"),
        ("Нет в наличии", "OutOfStock"),
        ("售罄", "OutOfStock"),
        ("売り切れ", "OutOfStock"),
        ("품절", "OutOfStock"),
        ("Pre-order", "PreOrder"),
        ("On back-order", "BackOrder"),
        ("In stock", "InStock"),
    ],
)
def test_text_only_page_in_any_language(statement: str, term: str) -> None:
    """No structured data, no title, no h1, no class names: the statement is plain text beside the price."""
    body = f"<div>price: $10.99</div><div>{statement}</div>"
    record = extract_product(_page(body), "https://shop.example/p/1")
    assert (record.price, record.availability) == (Decimal("10.99"), term)


def test_text_only_page_with_the_statement_before_the_price() -> None:
    record = extract_product(_page("<div>Out of stock</div><div>price: $10.99</div>"), "https://shop.example/p/1")
    assert (record.price, record.availability) == (Decimal("10.99"), "OutOfStock")


@pytest.mark.parametrize(
    ("body", "term"),
    [
        pytest.param(
            '<h1>Desk lamp</h1><span class="price">$19.00</span><button class="btn">Coming soon</button>',
            "OutOfStock",
            id="a_buy_button_labelled_coming_soon_says_out_of_stock",
        ),
        pytest.param(
            '<h1>Desk lamp</h1><span class="price">$19.00</span><button type="submit">Add to cart</button>',
            "InStock",
            id="enabled_add_to_cart_button_says_in_stock",
        ),
        pytest.param(
            '<h1>Desk lamp</h1><span class="price">$19.00</span><button disabled>Add to cart</button>',
            "OutOfStock",
            id="disabled_add_to_cart_button_says_out_of_stock",
        ),
        pytest.param(
            '<h1>Shirt</h1><span class="price">$19.00</span><button disabled>Select a size</button>',
            None,
            id="disabled_button_waiting_for_a_choice_says_nothing",
        ),
        pytest.param(
            '<h1>Desk lamp</h1><span class="price">$19.00</span><button class="add-to-cart" disabled>Sold out</button>',
            "OutOfStock",
            id="sold_out_label_on_the_buy_button",
        ),
        pytest.param(
            '<h1>Desk lamp</h1><span class="price">$19.00</span><p class="availability">Sold out</p>'
            '<div class="related-products"><button>Add to cart</button></div>',
            "OutOfStock",
            id="buy_button_of_another_product_in_a_carousel_is_ignored",
        ),
        pytest.param(
            '<div class="user-menu"><a href="/cart">Add to cart</a></div><h1>Lamp</h1><span class="price">$9</span>',
            None,
            id="cart_link_in_the_header_is_no_buy_button",
        ),
        pytest.param(
            '<h1>Crib mattress</h1><span class="price">$169.99</span>'
            '<img id="addToCartButton" class="cursor-pointer" alt="Add to Cart" src="/img/add.png">',
            "InStock",
            id="a_buy_button_drawn_as_an_image_says_in_stock",
        ),
        pytest.param(
            '<h1>Crib mattress</h1><span class="price">$169.99</span><img class="hero" alt="Add to Cart" src="/a.png">',
            None,
            id="an_image_that_is_no_buy_button_says_nothing",
        ),
        pytest.param(
            '<h1>Console</h1><span class="price">$24.990</span>'
            '<div class="delivery"><p class="unavailable">Retiro en tienda</p>'
            '<strong><span class="unavailable">No Disponible</span></strong></div>'
            '<p class="stock">Despacho a domicilio disponible</p><button class="add-to-cart">Agregar al carro</button>',
            "InStock",
            id="a_pickup_option_that_is_unavailable_is_not_the_products_stock",
        ),
    ],
)
def test_stock_from_the_buy_button_and_what_is_beside_it(body: str, term: str | None) -> None:
    """A buy button of this product says in stock (disabled: out of stock, unless it waits for a
    choice); buttons and links of other products, the header, or a pickup option say nothing."""
    assert extract_product(_page(body), "https://shop.example/p/1").availability == term


def test_a_shown_price_is_no_evidence_of_stock() -> None:
    record = extract_product(_page('<h1>Lamp</h1><span class="price">$19.00</span>'), "https://shop.example/p/1")
    assert record.price == Decimal("19.00")
    assert record.availability is None
    assert "price is no evidence" in record.missing["availability"]


@pytest.mark.parametrize(
    ("statement", "term"),
    [
        ("Not in stock", "OutOfStock"),
        ("No longer in stock", "OutOfStock"),
        ("0 in stock", "OutOfStock"),
        ("Nicht auf Lager", "OutOfStock"),
        ("Plus disponible", "OutOfStock"),
        ("Temporarily unavailable", "OutOfStock"),
        ("Coming soon", "OutOfStock"),
        ("Only 3 left", "InStock"),
    ],
)
def test_stock_statement_beside_the_price(statement: str, term: str) -> None:
    body = f'<h1>Desk lamp</h1><span class="price">$19.00</span><p class="stock-status">{statement}</p>'
    assert extract_product(_page(body), "https://shop.example/p/1").availability == term


def test_json_ld_keys_in_any_case() -> None:
    ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@Type": "product",'
        ' "Name": "Desk lamp", "SKU": "DL-100", "Offers": {"@type": "offer", "Price": "19.00",'
        ' "PriceCurrency": "EUR", "Availability": "http://schema.org/OutOfStock"}}</script>'
    )
    record = extract_product(_page("<p>lamp</p>", ld), "https://shop.example/p/1")
    assert (record.name, record.price, record.currency) == ("Desk lamp", Decimal("19.00"), "EUR")
    assert (record.availability, record.sku) == ("OutOfStock", "DL-100")
    assert record.sources["price"] == "json-ld"


def test_json_ld_keys_in_lower_case_under_a_graph() -> None:
    ld = (
        '<script type="application/ld+json">{"@Graph": [{"@type": "product", "name": "Desk lamp",'
        ' "offers": [{"@type": "offer", "price": 19, "pricecurrency": "usd",'
        ' "availability": "schema.org/OutOfStock"}]}]}</script>'
    )
    record = extract_product(_page("<p>lamp</p>", ld), "https://shop.example/p/1")
    assert (record.price, record.availability) == (Decimal("19"), "OutOfStock")


def test_microdata_itemprops_in_any_case() -> None:
    body = (
        '<div itemscope itemtype="http://schema.org/Product"><h1 itemprop="Name">Lamp</h1>'
        '<div itemprop="Offers" itemscope itemtype="http://schema.org/Offer">'
        '<span itemprop="Price" content="19.00">$19.00</span>'
        '<link itemprop="Availability" href="http://schema.org/OutOfStock"></div></div>'
    )
    record = extract_product(_page(body), "https://shop.example/p/1")
    assert (record.price, record.availability) == (Decimal("19.00"), "OutOfStock")


@pytest.mark.parametrize(
    ("ld", "body", "sku"),
    [
        pytest.param(
            '<script type="application/ld+json">{"@type": "Product", "name": "Lamp", "sku": "236840879"}</script>',
            '<h1>Lamp</h1><p class="product-code">Product code: 46286401</p>',
            "46286401",
            id="shown_product_code_beats_an_internal_id_in_json_ld",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "Product", "name": "Lamp", "sku": "AB-123"}</script>',
            '<h1>Lamp</h1><p>Item AB-123</p><p class="product-code">Product code: 46286401</p>',
            "AB-123",
            id="json_ld_sku_that_the_page_shows_stays",
        ),
        pytest.param(
            "",
            '<h1>Lamp</h1><span itemscope itemtype="http://schema.org/Product"><span itemprop="sku" content="4667999">466/7999</span></span>',
            "466/7999",
            id="shown_spelling_of_the_same_code_wins",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "Product", "name": "Tablet", "sku": "AB-123"}</script>',
            '<h1>Tablet</h1><p>AB-123</p><p class="prd">Model number: XYZ-9</p>',
            "AB-123",
            id="structured_sku_the_page_shows_is_kept_over_a_plain_text_label",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "Product", "name": "Boots", "sku": "84518927-040-35"}</script>',
            '<h1>Boots</h1><p><span>Black</span> - <span data-qa-qualifier="product-reference">1002/710</span></p>',
            "1002/710",
            id="product_code_named_only_by_a_test_attribute_beats_an_unshown_id",
        ),
        pytest.param(
            "",
            '<h1>Doorbell</h1><div class="info"><strong>Model Number: </strong><span>NC5100EF</span></div>'
            '<div class="info"><strong>Web Code: </strong><span>12222651</span></div>',
            "12222651",
            id="shop_code_beats_a_model_number_shown_before_it",
        ),
        pytest.param(
            "",
            '<h1>Doorbell</h1><div class="info"><strong>Model Number: </strong><span>NC5100EF</span></div>',
            "NC5100EF",
            id="a_model_number_alone_is_read",
        ),
    ],
)
def test_the_code_shoppers_see_is_the_sku(ld: str, body: str, sku: str) -> None:
    """A code the page shows beats an id only the structured data has; a structured code the page
    shows stays; a shop's own code beats a model number."""
    assert extract_product(_page(body, ld), "https://shop.example/p/1").sku == sku


def test_every_absent_field_has_a_reason() -> None:
    record = extract_product(_page('<h1>Lamp</h1><span class="price">$19.00</span>'), "https://shop.example/p/1")
    absent = {f for f, v in record.to_json().items() if v is None}
    assert absent and absent <= set(record.missing)
    assert "currency" not in record.missing  # "$" on a .example page: the symbol is kept


def test_unreadable_page_gives_the_reason_for_every_field() -> None:
    record = extract_product(b"", "https://shop.example/p/1")
    assert record.reason == "empty body"
    assert set(record.missing) == {"name", "price", "currency", "availability", "sku", "brand"}


def test_labelled_code_in_plain_text_beats_an_unshown_structured_id() -> None:
    ld = '<script type="application/ld+json">{"@type": "Product", "name": "Tablet", "sku": "10206131"}</script>'
    body = '<h1>Tablet</h1><p class="prd">Product code: 287807</p>'
    record = extract_product(_page(body, ld), "https://shop.example/tablet-10206131-pdt.html")
    assert record.sku == "287807"


def test_price_just_after_the_title_when_class_names_say_nothing() -> None:
    body = (
        '<div class="x1Ab"><h1 class="q9Zt">Puffer jacket</h1><span class="u6V8">Save up to 25%</span>'
        '<span class="uqkI" style="text-decoration: line-through">99,95 €</span>'
        '<span class="uqkI ka2E">74,95 €</span></div>'
        '<div class="related"><span>19,95 €</span></div>'
    )
    record = extract_product(_page(body), "https://shop.example/p/1", explain=True)
    assert (record.price, record.currency) == (Decimal("74.95"), "EUR")
    assert record.explanation is not None
    assert "first amount after the title" in record.explanation["price"]["winner"]["detail"]


def test_an_amount_without_a_currency_after_the_title_is_no_price() -> None:
    body = '<h1 class="q9Zt">Puffer jacket</h1><span class="u6V8">Size 42</span><span>3 colours</span>'
    assert extract_product(_page(body), "https://shop.example/p/1").price is None


def test_price_named_only_by_a_test_attribute() -> None:
    body = (
        '<h1 class="a9_x">Felt pens</h1><div class="z1"><span>Check availability</span></div>'
        '<div data-testid="price" class="a0v_ajv"><span class="l1_l2">CHF <!-- -->19.50</span></div>'
    )
    assert extract_product(_page(body), "https://shop.example/p/1").price == Decimal("19.50")


@pytest.mark.parametrize(
    ("element", "code"),
    [
        ('<span data-test="product-name-catNumber">466/7999</span>', "466/7999"),
        ('<p class="product-id">Tootekood: 763127</p>', "763127"),
        ('<p class="product-code">Kod towaru: AB-1234</p>', "AB-1234"),
    ],
)
def test_code_in_an_element_named_for_it(element: str, code: str) -> None:
    body = f'<h1>Camera</h1><span class="price">£29.99</span>{element}'
    assert extract_product(_page(body), "https://shop.example/p/1").sku == code


@pytest.mark.parametrize(
    ("body", "price", "term"),
    [
        ("<table><tr><td>Price:</td><td>$10.99</td></tr><tr><td>Availability:</td><td>Out of stock</td></tr></table>",
         "10.99", "OutOfStock"),
        ("<dl><dt>Price</dt><dd>$10.99</dd><dt>Availability</dt><dd>In stock (3 items)</dd></dl>", "10.99", "InStock"),
        ("<div>가격: 10,900원</div><div>품절</div>", "10900", "OutOfStock"),
        ("<div>价格：¥109</div><div>该商品已售罄</div>", "109", "OutOfStock"),
        ("<div>Preis: 10,99 €</div><div>Artikel zurzeit nicht auf Lager</div>", "10.99", "OutOfStock"),
    ],
)
def test_text_only_page_with_the_price_beside_its_label(body: str, price: str, term: str) -> None:
    record = extract_product(_page(body), "https://shop.example/p/1")
    assert (record.price, record.availability) == (Decimal(price), term)


@pytest.mark.parametrize(
    "availability",
    ['{"@id": "http://schema.org/OutOfStock"}', '"schema:OutOfStock"', '["https://schema.org/OutOfStock"]'],
)
def test_json_ld_availability_written_as_a_node_or_a_compact_term(availability: str) -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "Product", "name": "Lamp",'
        f' "offers": {{"@type": "Offer", "price": "10", "availability": {availability}}}}}</script>'
    )
    assert extract_product(_page("<h1>Lamp</h1>", ld), "https://shop.example/p/1").availability == "OutOfStock"


def test_named_sections_sharing_one_class_are_no_grid_of_cards() -> None:
    """Pages built of widgets that share a class ("celwidget") are not a grid of other products."""
    widgets = "".join(
        f'<div id="{name}_feature_div" class="celwidget"><a href="/help">{name}</a></div>'
        for name in ("title", "reviews", "badges", "shipping")
    )
    body = (
        f'<div id="centerCol">{widgets}<div id="desktop_unifiedPrice" class="celwidget">'
        '<table><tr><td><span class="a-color-price priceBlockDealPriceString">66,75 €</span>'
        '<a href="/deal">Deal</a></td></tr></table></div></div>'
        '<div id="buybox"><span class="a-color-price">EUR 32,29</span></div>'
    )
    record = extract_product(_page(f"<h1 id='title'>Dog seat</h1>{body}"), "https://shop.example/p/1")
    assert record.price == Decimal("66.75")


def test_a_grid_of_alike_cards_still_counts_as_other_products() -> None:
    cards = "".join(
        f'<li class="card"><a href="/p/{i}">Other {i}</a><span class="price">€ {i}9,00</span></li>' for i in range(1, 5)
    )
    body = f'<h1>Dog seat</h1><span class="price">€ 66,75</span><ul class="related">{cards}</ul>'
    assert extract_product(_page(body), "https://shop.example/p/1").price == Decimal("66.75")
