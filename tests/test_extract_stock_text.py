"""Stock statements in many languages: negations, counts, conditions, buttons, and texts that are no
statement at all. The cases are ordinary shop wording written for this test, one per line."""

from __future__ import annotations

import pytest

from spiders.extract.availability import availability_from_text, normalize_availability
from spiders.extract.stock_text import BUTTON, COUNT, DELIVERY, WEAK, read_stock_text

IN, OUT, PRE, BACK, DISC = "InStock", "OutOfStock", "PreOrder", "BackOrder", "Discontinued"

CASES = [
    # English: plain statements
    ("In stock", IN),
    ("In Stock.", IN),
    ("IN STOCK - ships today", IN),
    ("Currently in stock online", IN),
    ("Ready to ship", IN),
    ("Low stock", IN),
    ("Only a few left!", IN),
    ("Selling fast", IN),
    ("Back in stock", IN),
    ("Out of stock", OUT),
    ("Out-of-stock", OUT),
    ("OUT OF STOCK", OUT),
    ("Sold out", OUT),
    ("Sold-out", OUT),
    ("SOLDOUT", OUT),
    ("Currently unavailable.", OUT),
    ("Temporarily unavailable", OUT),
    ("Temporarily out of stock", OUT),
    ("This item is currently unavailable", OUT),
    ("Unavailable", OUT),
    ("Coming soon", OUT),
    ("Coming Soon!", OUT),
    ("Arriving soon", OUT),
    ("Back in stock soon", OUT),
    ("Out of print", OUT),
    # English: negations of in-stock words
    ("Not in stock", OUT),
    ("Not currently in stock", OUT),
    ("Currently not in stock", OUT),
    ("No longer in stock", OUT),
    ("This product is no longer available", OUT),
    ("Item isn't in stock", OUT),
    ("In stock: no", OUT),
    ("No stock", OUT),
    ("None left", OUT),
    # English: conditions (the state is expected, so not the case now)
    ("Notify me when in stock", OUT),
    ("Email me when available", OUT),
    ("Notify me when back in stock", OUT),
    ("Let me know once available", OUT),
    ("Expected in stock on 12 May", OUT),
    ("Will be in stock next week", OUT),
    # English: counts
    ("0 in stock", OUT),
    ("0 available", OUT),
    ("Only 3 left", IN),
    ("Only 3 left in stock - order soon.", IN),
    ("Hurry, only 1 left!", IN),
    ("12 in stock", IN),
    ("20+ available", IN),
    ("5 items left", IN),
    ("Stock: 0", OUT),
    ("Stock: 14", IN),
    ("Quantity available: 0", OUT),
    ("Only one left", IN),
    # English: other states
    ("Pre-order", PRE),
    ("Pre-order now", PRE),
    ("Available for pre-order", PRE),
    ("Preorder", PRE),
    ("On backorder", BACK),
    ("Available on backorder", BACK),
    ("Discontinued", DISC),
    ("This product has been discontinued", DISC),
    # German
    ("Auf Lager", IN),
    ("Sofort lieferbar", IN),
    ("Nur noch 2 Stück auf Lager", IN),
    ("Nur noch 1 auf Lager (mehr ist unterwegs).", IN),
    ("Nur noch 3 Stück", IN),
    ("Ausverkauft", OUT),
    ("Nicht auf Lager", OUT),
    ("nicht mehr auf Lager", OUT),
    ("Derzeit nicht verfügbar", OUT),
    ("Dieser Artikel ist leider nicht lieferbar", OUT),
    ("Leider vergriffen", OUT),
    ("Sobald wieder verfügbar, benachrichtigen wir Sie", OUT),
    ("Demnächst verfügbar", OUT),
    ("0 Stück auf Lager", OUT),
    ("Lagerbestand: 0", OUT),
    ("Vorbestellbar", PRE),
    ("Nicht mehr erhältlich", DISC),
    # French
    ("En stock", IN),
    ("En stock, expédié sous 24h", IN),
    ("Plus que 2 en stock", IN),
    ("Rupture de stock", OUT),
    ("Épuisé", OUT),
    ("Plus disponible", OUT),
    ("Ce produit n'est plus disponible", OUT),
    ("Pas en stock", OUT),
    ("Bientôt disponible", OUT),
    ("Me prévenir dès que disponible", OUT),
    ("Précommande", PRE),
    # Spanish, Portuguese
    ("En existencia", IN),
    ("Agotado", OUT),
    ("No disponible", OUT),
    ("Sin stock", OUT),
    ("Próximamente", OUT),
    ("Solo quedan 2 unidades", IN),
    ("Em estoque", IN),
    ("Esgotado", OUT),
    ("Indisponível", OUT),
    ("Produto não está disponível", OUT),
    # Italian
    ("Disponibilità immediata", IN),
    ("Subito disponibile", IN),
    ("Esaurito", OUT),
    ("Non disponibile", OUT),
    ("Attualmente non disponibile", OUT),
    # Dutch
    ("Op voorraad", IN),
    ("Niet op voorraad", OUT),
    ("Uitverkocht", OUT),
    ("Niet meer leverbaar", OUT),
    # Polish, Czech, Slovak, Slovenian, Croatian, Hungarian, Romanian
    ("Produkt dostępny", IN),
    ("Brak w magazynie", OUT),
    ("Produkt niedostępny", OUT),
    ("Skladem", IN),
    ("Není skladem", OUT),
    ("Na zalogi", IN),
    ("Ni na zalogi", OUT),
    ("Nema na zalihi", OUT),
    ("Raktáron", IN),
    ("Elfogyott", OUT),
    ("În stoc", IN),
    ("Stoc epuizat", OUT),
    # Russian, Ukrainian
    ("В наличии", IN),
    ("Есть в наличии", IN),
    ("Нет в наличии", OUT),
    ("Товар не в наличии", OUT),
    ("Немає в наявності", OUT),
    ("Предзаказ", PRE),
    # Nordic, Finnish, Turkish, Greek
    ("I lager", IN),
    ("Inte i lager", OUT),
    ("Slutsåld", OUT),
    ("På lager", IN),
    ("Ikke på lager", OUT),
    ("Udsolgt", OUT),
    ("Varastossa", IN),
    ("Ei varastossa", OUT),
    ("Stokta var", IN),
    ("Stokta yok", OUT),
    ("Tükendi", OUT),
    ("Εξαντλήθηκε", OUT),
    # Chinese, Japanese, Korean
    ("有货", IN),
    ("现货", IN),
    ("缺货", OUT),
    ("无货", OUT),
    ("暂无库存", OUT),
    ("已售罄", OUT),
    ("仅剩3件", IN),
    ("库存: 0", OUT),
    ("预售", PRE),
    ("在庫あり", IN),
    ("在庫切れ", OUT),
    ("在庫なし", OUT),
    ("売り切れ", OUT),
    ("残り2点", IN),
    ("품절", OUT),
    ("일시품절", OUT),
    # Wording other tools' suites use that the tables once missed: soon, waitlists, idioms
    ("Available soon", OUT),
    ("Join the waitlist", OUT),
    ("Victime de son succès", OUT),
    ("Pas de stock", OUT),
    ("Fuera de stock", OUT),
    ("No hay stock", OUT),
    ("Ya no disponible", OUT),
    ("Non più disponibile", OUT),
    ("Chwilowo brak", OUT),
    ("Товар закончился", OUT),
    ("Нет в продаже", OUT),
    ("Keine Ware", OUT),
    # Negations written with two words ("nie ma" = "there is not")
    ("Nie ma w magazynie", OUT),
    ("Available: 0", OUT),
    ("Available: 7", IN),
    ("Verfügbar: 0", OUT),
    # An in-stock phrase with a word of the future after it: not the case now
    ("In stock soon", OUT),
    ("Bientôt en stock", OUT),
    ("Bald wieder auf Lager", OUT),
    ("Auf Lager bald", OUT),
    ("Op voorraad binnenkort", OUT),
    # Languages and inflections the tables once missed
    ("Tillfälligt slut", OUT),
    ("Kein Lagerbestand", OUT),
    ("Esauriti", OUT),
    ("Agotados", OUT),
    ("Nema na stanju", OUT),
    ("Hết hàng", OUT),
    ("Còn hàng", IN),
    ("Không còn hàng", OUT),
    ("Stok habis", OUT),
    ("Stok tersedia", IN),
    ("Tidak tersedia", OUT),
    ("אזל מהמלאי", OUT),
    ("לא במלאי", OUT),
    ("במלאי", IN),
    ("نفدت الكمية", OUT),
    ("غير متوفر", OUT),
    # Marketplaces: sold by the market's other sellers
    ("Available from these sellers.", IN),
    ("Erhältlich bei diesen Anbietern.", IN),
    ("Disponibile presso questi venditori.", IN),
    ("Not available from other sellers", OUT),
]

NOT_STATEMENTS = [
    "Available in 3 colours",
    "Also available as an e-book",
    "Only 9.99 €",
    "Only $24.99",
    "Nur noch 2 Tage",
    "Free delivery on orders over $50",
    "4.5 out of 5 stars",
    "Stockholm",
    "Customer reviews",
    "",
    "Size guide",
    "Available 24/7",
    "Available from 2 suppliers",
    # About one way to collect the product or one store's shelf, not about buying it
    "Retiro en tienda: No disponible",
    "Pick up in store: unavailable",
    "Not available in stores",
    "Abholung im Markt: nicht verfügbar",
    "Click & Collect: sold out",
    "Retrait en magasin indisponible",
    "Arrives soon after you order",  # "soon" with no in-stock phrase before it
]


@pytest.mark.parametrize(("text", "term"), CASES, ids=[c[0] for c in CASES])
def test_stock_phrase(text: str, term: str) -> None:
    assert availability_from_text(text) == term


@pytest.mark.parametrize("text", NOT_STATEMENTS)
def test_texts_that_state_no_stock(text: str) -> None:
    assert availability_from_text(text) is None


def test_there_are_many_cases_in_many_languages() -> None:
    assert len(CASES) >= 100


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Add to cart", BUTTON),
        ("Add to your basket", BUTTON),
        ("In den Warenkorb", BUTTON),
        ("Ajouter au panier", BUTTON),
        ("加入购物车", BUTTON),
        ("Available", WEAK),
        ("Only 2 left", COUNT),
        ("Lieferzeit: 2-3 Werktage", DELIVERY),
    ],
)
def test_kind_of_evidence(text: str, kind: str) -> None:
    reading = read_stock_text(text)
    assert reading is not None and reading.kind == kind and reading.term == IN


def _strong(text: str) -> bool:
    reading = read_stock_text(text)
    assert reading is not None, text
    return reading.strong


def test_buttons_and_bare_available_are_weaker_than_statements() -> None:
    assert _strong("In stock")
    assert _strong("Sold out")
    assert not _strong("Add to cart")
    assert not _strong("Available")


def test_a_delivery_label_needs_a_time() -> None:
    assert read_stock_text("Delivery time") is None


@pytest.mark.parametrize(
    ("value", "term"),
    [
        ("http://schema.org/InStock", IN),
        ("https://schema.org/OutOfStock", OUT),
        ("InStock", IN),
        ("in_stock", IN),
        ("SoldOut", OUT),
        ("LimitedAvailability", IN),
        ("PreOrder", PRE),
        (True, IN),
        (False, OUT),
        ("Nicht auf Lager", OUT),
        ("schema.org/OutOfStock", OUT),
        ("https://www.schema.org/InStock", IN),
        ("//schema.org/SoldOut", OUT),
        ("https://schema.org/Reserved", OUT),
        ("https://schema.org/BackOrder", BACK),
        ("OUT_OF_STOCK", OUT),
        ("out-of-stock", OUT),
    ],
)
def test_structured_values(value: object, term: str) -> None:
    assert normalize_availability(value) == term
