"""Product extractor on synthetic pages: each signal, the choice between them, and bad input."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from monitor.cli import main as cli
from spiders.extract.product import MAX_BODY_BYTES, ProductRecord, SelectorSyntaxError, extract_product


def page(head: str = "", body: str = "", lang: str = "en", charset: str = "utf-8") -> str:
    return f"<!doctype html><html lang='{lang}'><head><meta charset='{charset}'>{head}</head><body>{body}</body></html>"


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_json_ld_graph_product():
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "name": "Shop"},
            {
                "@type": "Product",
                "name": "Blue Kettle",
                "sku": "KET-1",
                "brand": {"@type": "Brand", "name": "Acme"},
                "offers": {
                    "@type": "Offer",
                    "price": "24.90",
                    "priceCurrency": "EUR",
                    "availability": "https://schema.org/InStock",
                },
            },
        ],
    }
    rec = extract_product(page(ld(data), "<h1>Blue Kettle</h1>"), "https://shop.example.de/kettle")
    assert (rec.name, rec.price, rec.currency, rec.availability, rec.sku, rec.brand) == (
        "Blue Kettle",
        Decimal("24.90"),
        "EUR",
        "InStock",
        "KET-1",
        "Acme",
    )
    assert rec.sources["price"] == "json-ld"
    assert rec.to_json()["price"] == "24.90"
    assert rec.reason is None


def test_product_group_variants_pool_offers():
    data = {
        "@type": "ProductGroup",
        "name": "Tee",
        "productGroupID": "T1",
        "hasVariant": [
            {
                "@type": "Product",
                "name": "Tee S",
                "sku": "T1-S",
                "offers": {
                    "@type": "Offer",
                    "price": 19,
                    "priceCurrency": "USD",
                    "availability": "OutOfStock",
                },
            },
            {
                "@type": "Product",
                "name": "Tee M",
                "sku": "T1-M",
                "offers": {"@type": "Offer", "price": 21, "priceCurrency": "USD", "availability": "InStock"},
            },
        ],
    }
    rec = extract_product(page(ld(data), "<h1>Tee</h1>"), "https://shop.example.com/tee")
    assert rec.availability == "InStock"  # one variant in stock
    assert rec.price == Decimal("21")  # the lowest price among offers a buyer can take
    assert rec.currency == "USD"


def test_aggregate_offer_low_price():
    data = {
        "@type": "Product",
        "name": "Lamp",
        "offers": {"@type": "AggregateOffer", "lowPrice": "12.50", "highPrice": "30", "priceCurrency": "GBP"},
    }
    rec = extract_product(page(ld(data), "<h1>Lamp</h1>"))
    assert rec.price == Decimal("12.50") and rec.currency == "GBP"


def test_related_products_in_json_ld_are_not_the_product():
    data = {
        "@type": "Product",
        "name": "Main thing",
        "sku": "M1",
        "offers": {"@type": "Offer", "price": "99.00", "priceCurrency": "EUR"},
        "isRelatedTo": [
            {
                "@type": "Product",
                "name": "Other",
                "sku": "O1",
                "offers": {"@type": "Offer", "price": "5.00", "priceCurrency": "EUR"},
            }
        ],
    }
    rec = extract_product(page(ld(data), "<h1>Main thing</h1>"))
    assert rec.sku == "M1" and rec.price == Decimal("99.00")


def test_microdata_product():
    body = """<div itemscope itemtype="http://schema.org/Product"><h1 itemprop="name">Drill X</h1>
      <span itemprop="sku">DR-77</span>
      <div itemprop="offers" itemscope itemtype="http://schema.org/Offer">
        <meta itemprop="priceCurrency" content="PLN"><span itemprop="price" content="199.00">199,00 zł</span>
        <link itemprop="availability" href="http://schema.org/OutOfStock"></div></div>"""
    rec = extract_product(page(body=body), "https://sklep.example.pl/drill")
    assert (rec.name, rec.price, rec.currency, rec.availability, rec.sku) == (
        "Drill X",
        Decimal("199.00"),
        "PLN",
        "OutOfStock",
        "DR-77",
    )
    assert rec.sources["price"] == "microdata"


def test_opengraph_product_tags():
    head = """<meta property="og:title" content="Garden Chair"><meta property="product:price:amount" content="49.00">
      <meta property="product:price:currency" content="CHF"><meta property="product:availability" content="instock">"""
    rec = extract_product(page(head, "<h1>Garden Chair</h1>"), "https://shop.example.ch/chair")
    assert rec.price == Decimal("49.00") and rec.currency == "CHF" and rec.availability == "InStock"
    assert rec.sources["price"] == "opengraph"


def test_configured_selectors_win():
    data = {
        "@type": "Product",
        "name": "Thing",
        "offers": {"@type": "Offer", "price": "10.00", "priceCurrency": "EUR"},
    }
    body = "<h1>Thing</h1><div class='our-price'>8,50 €</div><p id='stock'>Ausverkauft</p>"
    sel = {"price": "div.our-price", "availability": "xpath://p[@id='stock']"}
    rec = extract_product(page(ld(data), body, "de"), "https://shop.example.de/t", selectors=sel)
    assert rec.price == Decimal("8.50") and rec.sources["price"] == "selector"
    assert rec.availability == "OutOfStock" and rec.sources["availability"] == "selector"
    rec2 = extract_product(page(ld(data), body), selectors={"price": "//div[@class='our-price']"})
    assert rec2.price == Decimal("8.50")
    rec3 = extract_product(page(ld(data), body), selectors={"price": "css:div.missing"})
    assert rec3.price == Decimal("10.00")  # a selector that matches nothing leaves the other signals
    with pytest.raises(SelectorSyntaxError):
        extract_product(page(ld(data), body), selectors={"price": "xpath://div[@"})


def test_struck_old_price_and_carousel_prices_are_ignored():
    body = """<h1>Red Bicycle</h1>
      <div class="product-price"><del class="price-old">$499.00</del> <span class="price">$399.00</span></div>
      <button class="add-to-cart">Add to cart</button>
      <section class="related-products"><div class="price">$19.99</div><div class="price">$29.99</div></section>"""
    rec = extract_product(page(body=body), "https://bikes.example.com/red")
    assert rec.price == Decimal("399.00")
    assert rec.currency == "USD"
    assert rec.availability == "InStock"
    assert rec.sources["price"] == "heuristic"


def test_instalment_price_is_not_the_price():
    body = """<h1>Sofa</h1><div class="price-instalment">Pay in 4 x 100 €</div>
      <div class="price">1.299,00 €</div>"""
    rec = extract_product(page(body=body, lang="de-DE"), "https://moebel.example.de/sofa")
    assert rec.price == Decimal("1299.00") and rec.currency == "EUR"


@pytest.mark.parametrize(
    ("button", "expected"),
    [
        ("<button class='buy'>加入购物车</button>", "InStock"),
        ("<span class='stock-status'>缺货</span>", "OutOfStock"),
        ("<button class='cart-button'>In den Warenkorb</button>", "InStock"),
        ("<p class='availability'>Leider ausverkauft</p>", "OutOfStock"),
        ("<div class='stock'>Sold out</div>", "OutOfStock"),
    ],
)
def test_availability_text_in_many_languages(button, expected):
    body = f"<h1>Teapot</h1><span class='price'>¥ 128</span>{button}"
    rec = extract_product(page(body=body), "https://shop.example.cn/teapot")
    assert rec.availability == expected


def test_sku_from_label():
    body = "<h1>Gloves</h1><span class='price'>£12.00</span><p>Product code: 46286401</p>"
    rec = extract_product(page(body=body), "https://shop.example.co.uk/gloves")
    assert rec.sku == "46286401" and rec.currency == "GBP"


def test_broken_encoding_and_declared_charset():
    text = page(
        "", "<h1>Caf\u00e9 cr\u00e8me</h1><span class='price'>4,50 \u20ac</span>", charset="windows-1252"
    )
    body = text.encode("cp1252") + b"\xff\xfe\x81 broken \x8d bytes"
    rec = extract_product(body, "https://shop.example.fr/cafe")
    assert rec.name == "Caf\u00e9 cr\u00e8me" and rec.price == Decimal("4.50")
    gbk = page("", "<h1>\u7eff\u8336</h1><span class='price'>\uffe5 35.00</span>", charset="gbk").encode(
        "gbk"
    )
    assert extract_product(gbk).name == "\u7eff\u8336"


@pytest.mark.parametrize(
    ("body", "content_type", "word"),
    [
        (b'{"price": 10, "name": "api"}', None, "JSON"),
        (b"%PDF-1.7 binary", None, "PDF"),
        (b"\x89PNG\r\n\x1a\nxxxx", None, "PNG"),
        (b"<html><body>x</body></html>", "image/jpeg", "image/jpeg"),
        (b"", None, "empty"),
        ("just text with no markup at all", None, "markup"),
    ],
)
def test_non_html_gives_nulls_and_reason(body, content_type, word):
    rec = extract_product(body, "https://x.example/", content_type=content_type)
    assert isinstance(rec, ProductRecord)
    assert rec.price is None and rec.name is None and rec.availability is None
    assert rec.reason and word.lower() in rec.reason.lower()


def test_page_without_product_says_why():
    rec = extract_product(page(body="<p>Hello</p>"))
    assert rec.price is None and rec.reason == "no product data found on the page"


def test_huge_page_is_cut_and_still_read():
    head = page(
        ld({"@type": "Product", "name": "Big", "offers": {"price": "7.00", "priceCurrency": "EUR"}}),
        "<h1>Big</h1>",
    )
    filler = "<p>" + "x" * 1000 + "</p>"
    body = (head.replace("</body></html>", "") + filler * (MAX_BODY_BYTES // len(filler) + 50)).encode()
    assert len(body) > MAX_BODY_BYTES
    rec = extract_product(body)
    assert rec.price == Decimal("7.00")
    empty = b"<html><body>" + b"<p>" + b"y" * (MAX_BODY_BYTES + 10) + b"</p>"
    assert "first 20 MB" in (extract_product(empty).reason or "")


def test_broken_json_ld_is_repaired():
    script = (
        '<script type="application/ld+json">/*<![CDATA[*/{"@type":"Product","name":"Fix",'
        '"offers":{"price":"3.10","priceCurrency":"EUR",},}/*]]>*/</script>'
    )
    rec = extract_product(page(script, "<h1>Fix</h1>"))
    assert rec.price == Decimal("3.10")


def test_explain_lists_candidates():
    data = {"@type": "Product", "name": "Pen", "offers": {"price": "2.00", "priceCurrency": "EUR"}}
    rec = extract_product(page(ld(data), "<h1>Pen</h1><span class='price'>2,00 €</span>"), explain=True)
    assert rec.explanation is not None
    price = rec.explanation["price"]
    assert price["winner"]["source"] == "json-ld"
    assert {c["source"] for c in price["candidates"]} >= {"json-ld", "heuristic"}


def test_cli_files_batch_and_errors(tmp_path):
    data = {
        "@type": "Product",
        "name": "Mug",
        "sku": "MUG1",
        "offers": {"price": "6.5", "priceCurrency": "EUR", "availability": "InStock"},
    }
    (tmp_path / "a.html.gz").write_bytes(gzip.compress(page(ld(data), "<h1>Mug</h1>").encode()))
    (tmp_path / "b.html").write_text(page(body="<h1>Box</h1><span class='price'>$3.00</span>"))
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        json.dumps({"file": "a.html.gz", "url": "https://x.example.de/mug"})
        + "\n"
        + json.dumps({"file": str(tmp_path / "missing.html"), "url": ""})
        + "\n"
    )
    runner = CliRunner()
    result = runner.invoke(
        cli, ["extract", "product", str(tmp_path / "b.html"), "--url", "https://x.example.com/"]
    )
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.strip())
    assert line["price"] == "3.00" and line["currency"] == "USD" and line["file"].endswith("b.html")
    result = runner.invoke(cli, ["extract", "product", "--batch", str(manifest)])
    assert result.exit_code == 1
    lines = [json.loads(x) for x in result.output.strip().splitlines()]
    assert lines[0]["file"] == "a.html.gz" and lines[0]["price"] == "6.5" and lines[0]["sku"] == "MUG1"
    assert set(lines[0]) >= {"file", "name", "price", "currency", "availability", "sku", "brand"}
    assert "error" in lines[1]
    result = runner.invoke(cli, ["extract", "product", "--explain", str(tmp_path / "a.html.gz")])
    assert result.exit_code == 0 and "explain" in json.loads(result.stdout)
    assert "won:" in result.stderr  # the readable candidates go to the terminal
