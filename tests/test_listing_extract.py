"""Listing extraction on small synthetic pages: card detection, fields, pagination, no-results, CLI."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from monitor.cli import main
from spiders.extract.listing import ListingSelectors, extract_listing, merge_listing_pages
from spiders.extract.listing_urls import item_key, unwrap_redirect

NAV = """<header><nav><a href="/c/lamps">Lamps</a><a href="/c/chairs">Chairs</a>
<a href="/c/tables">Tables</a></nav></header>"""
FOOTER = (
    """<footer><a href="/help/1">Help</a><a href="/help/2">Returns</a><a href="/help/3">Jobs</a></footer>"""
)


def card(n: int, price: str = "$10.00", extra: str = "", cls: str = "card") -> str:
    return (
        f'<div class="{cls}"><a href="/p/{n}-lamp?sid=abc{n}"><img src="/i/{n}.jpg"></a>'
        f'<h3><a href="/p/{n}-lamp?sid=abc{n}">Lamp model {n} with shade</a></h3>'
        f'<span class="price">{price}</span>{extra}<a href="/shop/{n}">Seller {n}</a></div>'
    )


def page(cards: str, tail: str = "") -> str:
    return f"<html lang='en-US'><body>{NAV}<main><div class='grid'>{cards}</div>{tail}</main>{FOOTER}</body></html>"


def test_detects_repeated_cards_in_order_with_absolute_urls_titles_prices():
    html = page("".join(card(n, f"${n}.99") for n in range(1, 6)))
    result = extract_listing(html.encode(), "https://shop.example/search?q=lamp")
    assert [i.position for i in result.items] == [1, 2, 3, 4, 5]
    assert [i.url for i in result.items][:2] == [
        "https://shop.example/p/1-lamp?sid=abc1",
        "https://shop.example/p/2-lamp?sid=abc2",
    ]
    assert result.items[0].title == "Lamp model 1 with shade"
    assert result.items[2].price == Decimal("3.99")
    assert result.items[2].currency == "USD"
    assert result.reason is None


def test_nav_footer_and_seller_links_are_not_items():
    html = page("".join(card(n) for n in range(1, 4)))
    urls = [i.url for i in extract_listing(html, "https://shop.example/s").items]
    assert not any("/c/" in u or "/help/" in u or "/shop/" in u for u in urls)
    assert len(urls) == 3


def test_sponsored_card_of_a_variant_template_is_kept_and_flagged():
    sponsored = (
        '<div class="card"><div class="ad-wrap"><span>Sponsored</span>'
        '<a href="/redirect?url=%2Fp%2F9-lamp%3Fsid%3Dz"><img src="/i/9.jpg"></a>'
        '<h3><a href="/redirect?url=%2Fp%2F9-lamp%3Fsid%3Dz">Lamp model 9 promoted</a></h3>'
        '<span class="price">$5.00</span></div></div>'
    )
    html = page(card(1) + sponsored + card(2) + card(3))
    items = extract_listing(html, "https://shop.example/s").items
    assert [i.key for i in items] == [
        "shop.example/p/1-lamp",
        "shop.example/p/9-lamp",
        "shop.example/p/2-lamp",
        "shop.example/p/3-lamp",
    ]
    assert [i.sponsored for i in items] == [False, True, False, False]


def test_side_carousel_of_other_products_is_not_the_grid():
    carousel = "<aside>" + "".join(card(n) for n in range(100, 106)) + "</aside>"
    html = page("".join(card(n) for n in range(1, 5)), tail=carousel)
    keys = [i.key for i in extract_listing(html, "https://shop.example/s").items]
    assert keys == [f"shop.example/p/{n}-lamp" for n in range(1, 5)]


def test_no_results_page_with_suggestions_gives_no_items():
    html = page("".join(card(n) for n in range(1, 5))).replace(
        "<main>", "<main><p>0 results for “zzz”. You may also like:</p>"
    )
    result = extract_listing(html, "https://shop.example/s?q=zzz")
    assert result.items == [] and result.reason == "no_results"


def test_no_results_for_one_query_but_results_for_a_corrected_one_are_kept():
    html = page("".join(card(n) for n in range(1, 5))).replace(
        "<main>", "<main><p>No results found for “lampp”. Showing results for “lamp”.</p>"
    )
    assert len(extract_listing(html, "https://shop.example/s?q=lampp").items) == 4


def test_page_without_cards_says_so():
    result = extract_listing(b"<html><body><p>Please log in</p></body></html>", "https://shop.example/s")
    assert result.items == [] and result.reason == "no_cards"
    assert extract_listing(b"", "https://shop.example/s").reason == "no_cards"


@pytest.mark.parametrize(
    ("links", "url", "next_url"),
    [
        pytest.param('<a rel="next" href="/s?q=x&amp;page=2">2</a>', "s?q=x", "s?q=x&page=2", id="rel-next"),
        pytest.param('<a href="/s?q=x&amp;p=3">Weiter</a>', "s?q=x&p=2", "s?q=x&p=3", id="word"),
        pytest.param('<a href="/s?page=5">下一页</a>', "s?page=4", "s?page=5", id="chinese-word"),
        pytest.param(
            '<a href="/s?q=x&amp;page=1">1</a><a href="/s?q=x&amp;page=2">2</a>', "s?q=x", "s?q=x&page=2",
            id="page-numbers",
        ),
        pytest.param("", "s?q=x", None, id="none"),
    ],
)
def test_next_page_by_rel_next_by_word_and_by_page_parameter(links: str, url: str, next_url: str | None):
    shop = "https://shop.example/"
    listing = extract_listing(page("".join(card(n) for n in range(1, 4)), links), shop + url)
    assert listing.next_page_url == (None if next_url is None else shop + next_url)


def test_explicit_selectors():
    html = page("".join(card(n, f"EUR {n},50") for n in range(1, 4)), '<a class="nxt" href="/s?o=2">→</a>')
    sel = ListingSelectors(card="div.card", link="h3 a", title="h3", price=".price", next_page="a.nxt")
    result = extract_listing(html, "https://shop.example/s", sel)
    assert [i.title for i in result.items] == [f"Lamp model {n} with shade" for n in range(1, 4)]
    assert result.items[1].price == Decimal("2.50") and result.items[1].currency == "EUR"
    assert result.next_page_url == "https://shop.example/s?o=2"


def test_item_key_drops_tracking_and_unwraps_redirects():
    assert item_key("https://www.shop.example/Lamp-Red/dp/B08WJG41B4/ref=sr_1_1?qid=1&sr=8-1") == (
        "shop.example/Lamp-Red/dp/B08WJG41B4"
    )
    assert (
        item_key("https://shop.example/listing/98873266/clip?ref=sc_1#x")
        == "shop.example/listing/98873266/clip"
    )
    assert item_key("https://shop.example/product?id=7&utm_source=x") == "shop.example/product?id=7"
    wrapped = "https://shop.example/gp/slredirect/x.html?ie=UTF8&url=%2FLamp%2Fdp%2FB0001%2Fref%3Dsr_1"
    assert unwrap_redirect(wrapped).startswith("https://shop.example/Lamp/dp/B0001")
    assert (
        item_key("https://ads.example/x/c/TOKEN/https://www.shop.example/dp/B0001") == "shop.example/dp/B0001"
    )


def test_gbk_bytes_decode_by_meta_charset():
    html = page("".join(card(n, f"￥{n}9.00") for n in range(1, 4))).replace("<body>", "<body>")
    html = html.replace("<html lang='en-US'>", "<html lang='zh-CN'><head><meta charset='gbk'></head>")
    html = html.replace("Lamp model", "台灯")
    items = extract_listing(html.encode("gbk"), "https://shop.example/s").items
    assert items[0].title.startswith("台灯") and items[0].currency == "CNY"


def test_merge_pages_renumbers_and_drops_repeats():
    one = extract_listing(page("".join(card(n) for n in range(1, 4))), "https://shop.example/s")
    two = extract_listing(page("".join(card(n) for n in range(3, 6))), "https://shop.example/s?page=2")
    merged = merge_listing_pages([one, two])
    assert [i.position for i in merged] == [1, 2, 3, 4, 5]
    assert [i.key.rsplit("/", 1)[-1] for i in merged] == [f"{n}-lamp" for n in range(1, 6)]


def test_cli_files_and_batch(tmp_path):
    f = tmp_path / "a.html"
    f.write_text(page("".join(card(n, "$1,299.00") for n in range(1, 4))), encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(main, ["extract", "listing", "--url", "https://shop.example/s", str(f)])
    assert out.exit_code == 0, out.output
    record = json.loads(out.output.splitlines()[0])
    assert record["file"] == str(f)
    assert record["items"][0] == {
        "position": 1,
        "url": "https://shop.example/p/1-lamp?sid=abc1",
        "title": "Lamp model 1 with shade",
        "price": "1299.00",
    }
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"file": "a.html", "url": "https://other.example/s"}) + "\n")
    out = runner.invoke(main, ["extract", "listing", "--batch", str(manifest)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["items"][2]["url"] == "https://other.example/p/3-lamp?sid=abc3"


def test_cli_reports_missing_file_and_fails(tmp_path):
    out = CliRunner().invoke(
        main, ["extract", "listing", "--url", "https://x.example/", str(tmp_path / "no.html")]
    )
    assert out.exit_code == 1
    assert json.loads(out.output)["error"] == "file not found"
