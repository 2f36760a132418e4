"""Matching a competitor page to one of our products: identifiers read from pages, and the decisions."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from monitor.catalogue.matching import CatalogueIndex, OurItem, PageItem
from monitor.catalogue.titles import parse_title
from spiders.extract.gtin import normalise_gtin
from spiders.extract.product_identifiers import read_identifiers

HEADPHONES = OurItem(1, "NV-K12P", "Kestrel K12 Pro Wireless Headphones", "Kestrel", "04006381333931")
LITE = OurItem(2, "NV-K12L", "Kestrel K12 Lite Wireless Headphones", "Kestrel", "05012345678900")
NEXT = OurItem(3, "NV-K13P", "Kestrel K13 Pro Wireless Headphones", "Kestrel")
PHONE = OurItem(4, "AW-S11-128", "Arcwave S11 Max Smartphone 128GB", "Arcwave", mpn="AWS11M-128")


def test_gtins_are_normalised_and_their_check_digit_verified() -> None:
    assert normalise_gtin("4006381333931") == "04006381333931"
    assert normalise_gtin("036000291452") == "00036000291452"  # UPC-A
    assert normalise_gtin("gtin13: 4006381333931") == "04006381333931"
    assert normalise_gtin("4006381333932") is None  # wrong check digit
    assert normalise_gtin("0000000000000") is None  # what shops write when they have none
    assert normalise_gtin("12345") is None and normalise_gtin(None) is None
    # Leading zeros a spreadsheet dropped, or a float it wrote: the check digit still decides.
    assert normalise_gtin("36000291452") == "00036000291452"
    assert normalise_gtin("4006381333931.0") == "04006381333931" and normalise_gtin("36000291453") is None
    # An ISBN-10 is its ISBN-13, where the value is said to be an ISBN; ten digits are no barcode.
    assert normalise_gtin("0-306-40615-2", isbn=True) == normalise_gtin("978-0-306-40615-7") == "09780306406157"
    assert normalise_gtin("ISBN: 080442957X") == "09780804429573"
    assert normalise_gtin("0306406152") is None and normalise_gtin("0306406153", isbn=True) is None
    assert read_identifiers(_page(body="<p>ISBN-10: 0306406152</p>")).gtin == "09780306406157"


def _page(head: str = "", body: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def test_identifiers_come_from_the_pages_own_product_not_its_related_ones() -> None:
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Kestrel K12 Pro",
        "sku": "A-1",
        "gtin13": "4006381333931",
        "mpn": "K12P-BLK",
        "isRelatedTo": {"@type": "Product", "name": "Case", "gtin13": "5012345678900"},
        "offers": {
            "@type": "Offer",
            "price": "99.00",
            "shippingDetails": {"@type": "OfferShippingDetails", "shippingRate": {"value": "4.99", "currency": "EUR"}},
        },
    }
    ids = read_identifiers(_page(f'<script type="application/ld+json">{json.dumps(data)}</script>'), "A-1")
    assert (ids.gtin, ids.mpn, ids.shipping, ids.shipping_currency) == (
        "04006381333931", "K12P-BLK", Decimal("4.99"), "EUR"
    )


def test_a_shipping_rate_written_as_a_json_number_is_read() -> None:
    offer = {"@type": "Offer", "price": 99, "shippingDetails": {"shippingRate": {"value": 4.99, "currency": "EUR"}}}
    data = {"@context": "https://schema.org", "@type": "Product", "name": "Kestrel K12", "offers": offer}
    ids = read_identifiers(_page(f'<script type="application/ld+json">{json.dumps(data)}</script>'))
    assert (ids.shipping, ids.shipping_currency) == (Decimal("4.99"), "EUR")


def test_identifiers_from_microdata_and_from_a_labelled_specification_row() -> None:
    micro = _page(body='<div itemscope itemtype="https://schema.org/Product"><meta itemprop="gtin13" content="4006381333931">'
                  '<span itemprop="mpn">K12P-BLK</span></div>')
    assert (read_identifiers(micro).gtin, read_identifiers(micro).mpn) == ("04006381333931", "K12P-BLK")
    table = _page(body="<table><tr><th>Weight</th><td>230 g</td></tr><tr><th>EAN</th><td>4006381333931</td></tr></table>")
    assert read_identifiers(table).gtin == "04006381333931"
    # A 13-digit number that is not labelled as a barcode is not one, nor is a labelled one whose
    # check digit fails.
    assert read_identifiers(_page(body="<p>Order 4006381333931 today</p>")).gtin is None
    assert read_identifiers(_page(body="<p>EAN: 4006381333932</p>")).gtin is None


@pytest.fixture()
def index() -> CatalogueIndex:
    return CatalogueIndex([HEADPHONES, LITE, NEXT, PHONE])


def test_a_gtin_match_is_applied_unless_the_brands_disagree(index: CatalogueIndex) -> None:
    d = index.decide(PageItem(9, "Some title", "Kestrel", gtin="04006381333931"))
    assert (d.status, d.candidate.our_id, d.candidate.method) == ("accepted", 1, "gtin")  # type: ignore[union-attr]
    d = index.decide(PageItem(9, "Some title", "Nordvik", gtin="04006381333931"))
    assert d.status == "proposed"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Kestrel Wireless Headphones K12 Pro – Black", 1),  # words reordered, a colour added
        ("KESTREL K12 PRO Kabellose Kopfhörer", None),  # the words disagree: proposed, not applied
        ("Kestrel K12 Wireless Headphones", None),  # no variant: neither Pro nor Lite
        ("Kestrel K14 Pro Wireless Headphones", None),  # another model of the series
        ("Replacement ear cushions for Kestrel K12 Pro", None),  # an accessory for it
        ("Nordvik K12 Pro Wireless Headphones", None),  # another brand's K12 Pro
        ("Arcwave S11 Max Smartphone 256GB", None),  # another capacity
        ("Arcwave S11 Max Smartphone 128 GB, Midnight Blue", 4),
    ],
)
def test_titles_tell_variants_series_accessories_brands_and_capacities_apart(
    index: CatalogueIndex, title: str, expected: int | None
) -> None:
    d = index.decide(PageItem(9, title))
    applied = d.candidate.our_id if d.status == "accepted" and d.candidate else None
    assert applied == expected, (title, d)


def test_an_mpn_or_sku_equal_to_ours_matches_even_written_otherwise(index: CatalogueIndex) -> None:
    d = index.decide(PageItem(9, "Smartphone S11 Max", "Arcwave", sku="AWS11M-128"))
    assert (d.status, d.candidate.method) == ("accepted", "mpn")  # type: ignore[union-attr]
    d = index.decide(PageItem(9, "Smartphone S11 Max", "Arcwave", mpn="aws11m 128"))
    assert d.status == "accepted"


def test_titles_in_another_script_need_a_specific_model(index: CatalogueIndex) -> None:
    assert index.decide(PageItem(9, "Kestrel K12 Pro 无线耳机")).status == "accepted"  # code + variant
    short = CatalogueIndex([OurItem(5, "HX", "Hexa X19 Wireless Headphones", "Hexa")])
    assert short.decide(PageItem(9, "Hexa X19 无线耳机")).status == "proposed"  # "X19" alone


def test_two_of_ours_nearly_tied_wait_for_a_person() -> None:
    twins = CatalogueIndex(
        [OurItem(1, "A", "Kestrel K12 Pro Wireless Headphones", "Kestrel"), OurItem(2, "B", "Kestrel K12 Pro Headphones", "Kestrel")]
    )
    d = twins.decide(PageItem(9, "Kestrel K12 Pro Wireless Headphones"))
    assert d.status == "proposed" and d.runner_up is not None


def test_a_rejected_product_is_never_proposed_again(index: CatalogueIndex) -> None:
    page = PageItem(9, "Kestrel Wireless Headphones K12 Pro")
    assert index.decide(page).candidate.our_id == 1  # type: ignore[union-attr]
    assert index.decide(page, rejected=[1]).status == "none"


def test_without_a_brand_only_long_titles_repeated_word_for_word_are_applied() -> None:
    unbranded = CatalogueIndex(
        [OurItem(1, "A", "Sealy Soybean Nature Couture Crib Mattress"), OurItem(2, "B", "Long Strappy Dress")]
    )
    assert unbranded.decide(PageItem(9, "SEALY SOYBEAN NATURE COUTURE CRIB MATTRESS")).status == "accepted"
    assert unbranded.decide(PageItem(9, "LONG STRAPPY DRESS")).status == "proposed"


def test_a_labelled_model_number_is_the_pages_mpn_when_structured_data_gives_none() -> None:
    row = _page(body="<table><tr><th>Item model number</th><td> PTV17-16912 </td></tr></table>")
    assert (read_identifiers(row).mpn, read_identifiers(row).mpn_label) == ("PTV17-16912", "item model number")
    inline = _page(body='<li><span class="b">Numero modello articolo : </span> <span>EUA1026P</span></li>')
    assert read_identifiers(inline).mpn == "EUA1026P"
    assert read_identifiers(_page(body="<p>Modellnummer: K12P</p>")).mpn == "K12P"
    # A word is not a model number, structured data comes first, and a label switched off is not read.
    assert read_identifiers(_page(body="<p>Model number: <span>Pro</span></p>")).mpn is None
    ld = '<script type="application/ld+json">{"@type": "Product", "name": "K", "mpn": "K12P-BLK"}</script>'
    both = _page(ld, "<p>Model number: OTHER-1</p>")
    assert (read_identifiers(both).mpn, read_identifiers(both).mpn_label) == ("K12P-BLK", None)
    assert read_identifiers(row, mpn_labels=("modellnummer",)).mpn is None


def test_a_model_number_read_from_the_page_matches_our_mpn() -> None:
    ours = OurItem(7, "PS-1", "PetSafe Happy Ride Dog Safety Seat", "PetSafe", mpn="PTV17-16912")
    body = _page(body="<h1>PetSafe Siège de sécurité pour chiens</h1><table><tr><th>Numéro du modèle de l'article</th>"
                 "<td>PTV17-16912</td></tr></table>")
    ids = read_identifiers(body)
    page = PageItem(70, "PetSafe Siège de sécurité pour chiens Happy Ride", None, "B082QBCYY8", ids.gtin, ids.mpn)
    decision = CatalogueIndex([ours, HEADPHONES]).decide(page)
    assert decision.status == "accepted" and decision.candidate and decision.candidate.method == "mpn"


def test_cyrillic_and_greek_titles_compare_with_their_transliteration() -> None:
    ours = OurItem(8, "LU-H9811", "Luminarc nabor stakanov Octime 330 ml 6 sht H9811", "Luminarc")
    page = PageItem(80, "Luminarc Набор стаканов Octime 330 мл 6 шт H9811", "Luminarc")
    decision = CatalogueIndex([ours, HEADPHONES]).decide(page)
    assert decision.status == "accepted" and decision.candidate and decision.candidate.our_id == 8
    # Transliterated, a capacity still tells products apart: 330 ml is not 250 мл.
    other = PageItem(81, "Luminarc Набор стаканов Octime 250 мл 6 шт H9811", "Luminarc")
    assert CatalogueIndex([ours]).decide(other).status != "accepted"


def test_a_model_name_of_ours_written_in_the_title_matches_with_the_brand() -> None:
    ours = OurItem(9, "CG-ZDLC", "CIGA Design", "CIGA Design", mpn="Z Series DLC")
    page = PageItem(90, "CIGA Design Z-Series DLC Automatic Mechanical Skeleton Watch", None, "B07C8KMQQ6")
    decision = CatalogueIndex([ours, HEADPHONES]).decide(page)
    assert decision.status == "accepted" and decision.candidate and decision.candidate.method == "mpn"
    # Without the brand, the phrase alone is only a proposal; a short one, or one with a digit
    # (a code, matched as codes are), is no model name.
    bare = PageItem(91, "Z Series DLC Automatic Mechanical Skeleton Watch")
    assert CatalogueIndex([ours]).decide(bare).status == "proposed"
    short = OurItem(10, "X", "Acme", "Acme", mpn="Pro Max")
    assert CatalogueIndex([short]).decide(PageItem(92, "Acme Pro Max Kettle")).status != "accepted"


def test_qualifiers_the_page_adds_after_its_name_do_not_count_against_our_words() -> None:
    throw = OurItem(1, "JL-1", "John Lewis & Partners Faux Fur Throw", "John Lewis & Partners")
    page = PageItem(9, "John Lewis & Partners Faux Fur Throw, Platinum", "John Lewis & Partners")
    assert CatalogueIndex([throw]).decide(page).status == "accepted"
    # A row that names its colour is compared whole: another colour after the dash is not ours.
    hook = OurItem(2, "IK-1", "FJANTIG Hook white", "IKEA")
    assert CatalogueIndex([hook]).decide(PageItem(9, "FJANTIG Hook - black", "IKEA")).status != "accepted"


def test_a_long_title_the_page_writes_as_one_phrase_is_applied_without_a_brand() -> None:
    event = OurItem(1, "E-1", "De vez en cuando la vida Streaming")
    page = PageItem(9, "Entradas De vez en cuando la vida Streaming Punto Play - Santiago")
    assert CatalogueIndex([event]).decide(page).status == "accepted"
    # Short, or with a word of ours missing from the phrase, it waits for a person.
    short = OurItem(2, "E-2", "Lina de Lima Streaming")
    assert CatalogueIndex([short]).decide(PageItem(9, "Entradas Lina de Lima Streaming Punto Play")).status == "proposed"
    gap = PageItem(9, "Entradas De vez en cuando la nueva vida Streaming")
    assert CatalogueIndex([event]).decide(gap).status != "accepted"


def test_sizes_and_ratings_are_not_model_codes() -> None:
    # Real search results: two monitors that share a resolution, two testers that share a rating.
    ours = CatalogueIndex([
        OurItem(1, "A", "AOC CQ32G1 Curved Frameless Gaming Monitor, Quad HD 2560x1440, VA Panel"),
        OurItem(2, "B", "Visual Fault Locator 30mW30KM, VFL Tester Kit includes Single Mode"),
    ])  # fmt: skip
    assert ours.decide(PageItem(9, "Acer 27\" IPS Gaming Monitor, Resolution 2560x1440 @144Hz, 1MS")).status != "accepted"
    assert ours.decide(PageItem(9, "Visual Obstacle Locator 30mw30km Optical Cable Tester")).status != "accepted"
    assert parse_title("Monitor 2560x1440 144Hz 1080p").codes == frozenset()
    assert parse_title("Brome 1055-V01 feeder").codes == {"1055v01"}


def test_a_code_two_titles_share_is_no_identifier_without_the_brand() -> None:
    champion = OurItem(1, "A", "Creative Sound Blaster Recon3D Fatal1ty Champion PCIe")
    page = PageItem(9, "Creative Sound Blaster Recon3D Fatal1ty Professional PCIe")
    assert CatalogueIndex([champion]).decide(page).status != "accepted"
    # The page's MPN is one: a code of ours it gives as its MPN still matches.
    assert CatalogueIndex([champion]).decide(PageItem(9, "Sound card", mpn="RECON3D-FATAL1TY")).candidate is not None


def test_a_code_written_against_chinese_words_is_still_a_code() -> None:
    title = parse_title("惠普（HP）LaserJet Pro MFP M128fn黑白激光多功能一体机")
    assert "m128fn" in title.codes and "黑白激光多功能一体机" in title.words
    ours = OurItem(1, "HP-1", "惠普（HP）LaserJet Pro MFP M128fn黑白激光多功能一体机 打印复印扫描传真", "HP")
    other = PageItem(9, "惠普（HP）LaserJet Pro MFP M128fw黑白激光多功能一体机 无线打印复印扫描传真")
    assert CatalogueIndex([ours]).decide(other).status != "accepted"  # another model of the series


def test_a_number_that_names_our_product_must_be_on_the_page() -> None:
    sequel = CatalogueIndex([OurItem(1, "M2", "Mannequin 2 Movie Poster Fridge Magnet")])
    assert sequel.decide(PageItem(9, "Mannequin Movie Poster Fridge Magnet")).status != "accepted"
    assert sequel.decide(PageItem(9, "Mannequin 2 Movie Poster Fridge Magnet - 2x3")).status == "accepted"
    # A number the page adds describes its product, it does not name another one.
    heater = CatalogueIndex([OurItem(2, "DL", "DeLonghi", "DeLonghi", mpn="HMP2000")])
    assert heater.decide(PageItem(9, "De'Longhi Wärmewelle HMP2000 - Heizgerät mit 2 Heizstufen")).status == "accepted"


def test_a_template_placeholder_is_no_brand() -> None:
    ours = CatalogueIndex([OurItem(1, "K", "Kiabi Brassiere de sport post operatoire microfibre noir", "Kiabi")])
    page = PageItem(9, "Kiabi Brassière de sport post-opératoire microfibre noir", "$metabrand")
    assert ours.decide(page).status == "accepted"  # "$metabrand" does not disagree with "Kiabi"
    assert ours.decide(PageItem(9, page.name, "Decathlon")).status == "none"


def test_a_number_the_page_writes_inside_our_name_is_another_product() -> None:
    ours = CatalogueIndex([OurItem(1, "M", "Mannequin Movie Poster Fridge Magnet")])
    assert ours.decide(PageItem(9, "Mannequin 2 Movie Poster Fridge Magnet")).status != "accepted"  # the sequel
    # A number after our name, or in the page's own words, describes: still ours.
    assert ours.decide(PageItem(9, "Mannequin Movie Poster Fridge Magnet (2 pack)")).status == "accepted"


def test_a_brand_that_is_the_shops_own_name_contradicts_no_brand_of_ours() -> None:
    slicer = OurItem(1, "Y", "Lemon Cheese Garlic Ginger Handheld Stainless", "YONGLI")
    page = PageItem(9, "Lemon/cheese/garlic/ginger Handheld Stainless Steel Cheese Slicer", "Ali", site="www.alibaba.com")
    assert CatalogueIndex([slicer]).decide(page).status == "accepted"
    # The same brand on another shop is the maker's, and it disagrees with ours.
    assert CatalogueIndex([slicer]).decide(PageItem(9, page.name, "Ali", site="www.example.com")).status == "none"
    # A house brand still confirms ours when ours is that brand.
    dress = OurItem(2, "Z", "Long Strappy Dress", "ZARA")
    assert CatalogueIndex([dress]).decide(PageItem(9, "LONG STRAPPY DRESS", "ZARA", site="www.zara.com")).status == "accepted"


def test_our_mpn_with_a_word_after_its_code_matches_the_code_alone() -> None:
    watch = OurItem(1, "C-1", "Casio Pro Trek PRT-B50", "Casio", mpn="Ca304103-0000 Montre")
    d = CatalogueIndex([watch]).decide(PageItem(9, "Montre Casio", "Casio", sku="CA304103-0000"))
    assert d.status == "accepted" and d.candidate and d.candidate.method == "mpn"
    # Short or all-digit parts are no code of their own: "HMP 2000" is compared whole.
    heater = CatalogueIndex([OurItem(2, "D", "Heater", "DeLonghi", mpn="HMP 2000")])
    assert heater.decide(PageItem(9, "Heizgerät", "DeLonghi", sku="2000")).status != "accepted"


def test_a_page_mpn_equal_to_our_model_name_is_evidence_like_the_title_phrase() -> None:
    ours = OurItem(1, "W", "Halloween wound kit", mpn="Fake Wounds")
    page = PageItem(9, "Halloween Zombie Scars Tattoos Fake Blood Scab Costume Kit", mpn="fake wounds")
    assert CatalogueIndex([ours]).decide(page).status == "proposed"  # a name, without a brand: a person decides
    branded = OurItem(2, "W2", "Halloween wound kit", "Ghoulish", mpn="Fake Wounds")
    assert CatalogueIndex([branded]).decide(replace(page, brand="Ghoulish")).status == "accepted"


def test_a_model_name_the_pages_mpn_field_and_its_title_both_write_is_applied_without_a_brand() -> None:
    nameless = OurItem(1, "W", "", mpn="Fake Wounds")  # a row that knows only the model name
    kit = OurItem(2, "K", "", mpn="Fake Blood")
    index = CatalogueIndex([nameless, kit, HEADPHONES])
    page = PageItem(9, "Halloween Zombie Scars Fake Blood Scab Scar Wound Costume Kit", mpn="Fake Wounds")
    d = index.decide(page)
    assert d.status == "accepted" and d.candidate and (d.candidate.our_id, d.candidate.method) == (1, "mpn")
    # Confusions: the field alone, the title alone, another model name of the same words, a brand
    # that disagrees, a title naming another variant of our row's product.
    assert index.decide(replace(page, name="Halloween Fake Blood Bottle Costume Kit")).status == "proposed"
    assert index.decide(replace(page, mpn=None)).status != "accepted"  # "Fake Blood" is only title words
    assert index.decide(replace(page, mpn="Fake Wounds Deluxe")).status != "accepted"
    branded = CatalogueIndex([replace(nameless, brand="Kryolan")])
    assert branded.decide(replace(page, brand="Mehron")).status != "accepted"
    named = CatalogueIndex([OurItem(3, "W3", "Fake Wounds Kit Mini", mpn="Fake Wounds")])
    assert named.decide(page).status != "accepted"  # ours is the Mini


def test_a_size_range_is_the_sizes_a_product_comes_in_not_a_variant() -> None:
    assert parse_title("brassiere de sport microfibre lingerie du s au xxl noir").variants == frozenset()
    assert parse_title("Sport-BH Microfaser S-XXL").variants == frozenset()
    assert parse_title("Tee XS to XL").variants == frozenset()
    assert parse_title("Kestrel Running Tee XL").variants == {"xl"}  # one size alone still is one
    tee = OurItem(1, "T", "Kestrel Running Tee Mesh S-XXL", "Kestrel")
    index = CatalogueIndex([tee])
    assert index.decide(PageItem(9, "Kestrel Running Tee Mesh S-XXL, Black", "Kestrel")).status == "accepted"
    # Before, our range's "XXL" was a variant the page did not name: no candidate at all.
    assert index.decide(PageItem(9, "Kestrel Running Tee Mesh", "Kestrel")).status != "none"
    assert index.decide(PageItem(9, "Kestrel Running Tee Mesh XXL", "Kestrel")).status != "accepted"


def test_a_labelled_brand_is_the_pages_brand_when_the_extractor_found_none() -> None:
    row = _page(body="<table><tr><td><span>Brand</span></td><td><span>Brome</span></td></tr></table>")
    assert (read_identifiers(row).brand, read_identifiers(row).brand_label) == ("Brome", "brand")
    byline = _page(body='<a id="bylineInfo" href="/s?k=Oceana">Marke: Oceana</a>')
    assert read_identifiers(byline).brand == "Oceana"
    assert read_identifiers(byline, brand="Tchibo").brand == "Tchibo"  # the extractor's brand stands
    # Not a label: a link's query, a script's text, a manufacturer's address.
    noise = _page(body='<a href="/marque.php?id=3">x</a><script>var brand: "Ali";</script><td>Hersteller</td><td>Jesteburg</td>')
    assert read_identifiers(noise).brand is None


def test_a_row_named_only_by_its_brand_lets_its_code_decide() -> None:
    # A feed row that gives the brand for a name names no variant: the page's "Mini" is no conflict.
    feeder = OurItem(1, "BR-1", "Brome", "Brome", mpn="1055-V01")
    page = PageItem(9, "Squirrel Buster Mini Squirrel-proof Bird Feeder", "Brome", mpn="1055-V01")
    assert CatalogueIndex([feeder]).decide(page).status == "accepted"
    # A row that names the product still conflicts with another variant.
    named = OurItem(2, "BR-2", "Brome Squirrel Buster Plus", "Brome", mpn="1055-V01")
    assert CatalogueIndex([named]).decide(page).status != "accepted"


def test_a_brand_field_that_says_there_is_none_is_no_brand() -> None:
    ours = CatalogueIndex([OurItem(1, "K", "Kestrel K12 Pro Wireless Headphones", "Kestrel", mpn="KST-K12P-BLK")])
    for none in ("Unbranded", "Does not apply", "N/A", "Generic"):
        d = ours.decide(PageItem(9, "K12 Pro wireless headphones", none, mpn="KST-K12P-BLK"))
        assert d.candidate is not None and d.candidate.evidence["brand_agrees"] is None, none


def test_another_number_where_ours_has_one_is_another_model_or_size() -> None:
    boots = OurItem(1, "P", "Puma Future 5.5 OSG TT Football Boots", "Puma")
    puzzle = OurItem(2, "G", "Gormiti Ravensburger Puzzle 4x43 Bumper Pack", "Ravensburger")
    watch = OurItem(3, "C", "Casio Pro Trek PRW 3101YB Resin Watch Black", "Casio")
    index = CatalogueIndex([boots, puzzle, watch])
    for title in (
        "Botines Puma Future 5.4 OSG TT Football Boots",  # a version is no model code, yet it names one
        "Gormiti Ravensburger Puzzle 4x42 Bumper Pack",  # a size is no code either
        "Montre Casio PRO TREK PRW-3100YB-1ER Resin Watch Black",
    ):
        assert index.decide(PageItem(9, title)).status != "accepted", title
    assert index.decide(PageItem(9, "Puma Future 5.5 OSG TT Football Boots")).status == "accepted"
    # A number the page writes elsewhere ("4x43" after the brand) is no other number.
    page = PageItem(9, "Ravensburger 4x43 Gormiti Puzzle 4x43 Bumper Pack")
    assert index.decide(page).candidate.our_id == 2  # type: ignore[union-attr]


def test_titles_alike_with_identifiers_that_differ_wait_for_a_person() -> None:
    doorbell = OurItem(1, "N", "Google Nest Hello Video Doorbell", "Google", "00842776106070", mpn="NC5101EF")
    index = CatalogueIndex([doorbell])
    page = PageItem(9, "Google Nest Hello Wi-Fi Video Doorbell - Black/White", "Google")
    assert index.decide(page).status == "accepted"  # the page states neither
    assert index.decide(replace(page, mpn="NC5100EF")).status == "proposed"  # another model's MPN
    assert index.decide(replace(page, gtin="00036000291452")).status == "proposed"  # another GTIN
    d = index.decide(replace(page, mpn="NC5101EF-US"))  # ours, as a shop writes it
    assert d.status == "accepted" and d.candidate and d.candidate.method == "mpn"
