"""Card prices on search-page layouts written the way large shops write them (an auction site's
result list, a marketplace grid with ratings and review counts, a craft shop's wrapped cards),
with their class names and with every class name taken away: the price must come from the
element that shows money, never glued to a bid, watcher or review count beside it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from spiders.extract.listing import extract_listing
from spiders.extract.listing_tuning import ListingTuning


def _auction_card(i: int, price: str, bids: str) -> str:
    url = f"https://auction.example/itm/Vintage-Watch-{i}/12345{i}?hash=item{i}"
    return (
        f"<li class='s-item'><div class='s-item__wrapper'><div class='s-item__image'><a href='{url}'>"
        f"<div class='s-item__image-wrapper'><img alt='Vintage Watch {i}' src='/i/{i}.jpg'></div></a></div>"
        f"<div class='s-item__info'><a href='{url}' class='s-item__link'><h3 class='s-item__title'>Vintage Watch {i}"
        " 1970s 17 Jewels</h3></a><div class='s-item__reviews'><span class='clipped'>4.5 out of 5 stars.</span>"
        f"<span class='s-item__reviews-count'><span>1{i}4</span></span></div><div class='s-item__details'>"
        f"<div class='s-item__detail'><span class='s-item__price'>{price}</span></div>"
        f"<div class='s-item__detail'><span class='s-item__bids'>{bids}</span></div>"
        "<div class='s-item__detail'><span class='s-item__shipping'>+£3.50 postage</span></div>"
        f"<div class='s-item__detail'><span class='s-item__hotness'><span>3{i}+ Watching</span></span></div>"
        "</div></div></div></li>"
    )


def _marketplace_card(i: int, price: str, reviews: str) -> str:
    url = f"/Lampe-{i}/dp/B08X{i:06d}/ref=sr_1_{i}?keywords=lampe"
    whole, frac = price.split(",")
    return (
        f"<div data-asin='B08X{i:06d}' class='s-result-item'><div class='s-card'><a class='s-no-outline' href='{url}'>"
        f"<img class='s-image' src='/i/{i}.jpg' alt='Lampe {i}'></a><h2><a class='a-link-normal' href='{url}'>"
        f"<span>LED Lampe {i}, 3 Stufen, 10W, 2er Set</span></a></h2><div class='a-row'>"
        "<span aria-label='4,3 von 5 Sternen'><span class='a-icon-alt'>4,3 von 5 Sternen</span></span>"
        f"<a href='{url}#customerReviews'><span class='a-size-base'>{reviews}</span></a></div>"
        f"<div class='a-row'><a href='{url}'><span class='a-price'><span aria-hidden='true'>"
        f"<span class='a-price-whole'>{whole}<span class='a-price-decimal'>,</span></span>"
        f"<span class='a-price-fraction'>{frac}</span><span class='a-price-symbol'>€</span></span></span></a>"
        "</div></div></div>"
    )


_AUCTION = [("£2.20", "3 bids"), ("£12.00", ""), ("£1,299.00", "0 bids"), ("£0.99", "1 bid"), ("£3.20", "12 bids")]
_MARKET = [("11,99", "144"), ("9,99", "2.292"), ("1.299,00", "12"), ("4,50", "1.024"), ("19,00", "7")]


@pytest.mark.parametrize("classes", [True, False], ids=["with classes", "without classes"])
@pytest.mark.parametrize(
    ("card", "rows", "url", "want"),
    [
        (_auction_card, _AUCTION, "https://auction.example/sch/i.html?_nkw=watch", ["2.20", "12.00", "1299.00", "0.99", "3.20"]),
        (_marketplace_card, _MARKET, "https://market.example/s?k=lampe", ["11.99", "9.99", "1299.00", "4.50", "19.00"]),
    ],
    ids=["auction list", "marketplace grid"],
)
def test_card_prices_on_shop_layouts(card, rows: list[tuple[str, str]], url: str, want: list[str], classes: bool) -> None:
    html = (
        "<html><body><div id='nav'><a href='/'>Home</a><a href='/help'>Help</a></div><ul>"
        + "".join(card(i + 1, price, count) for i, (price, count) in enumerate(rows))
        + "</ul></body></html>"
    )
    if not classes:
        html = re.sub(r" class='[^']*'", "", html)
    items = extract_listing(html.encode(), url).items
    assert [item.price for item in items] == [Decimal(w) for w in want]


@pytest.mark.parametrize(
    ("link", "title"),
    [
        pytest.param(
            "<a href='/l/1' title='Silver ring'><div><img src='/1.jpg'></div><h3>Silver ring, 925 sterling</h3>"
            "<p>SilverStudio</p><span>5 out of 5 stars</span></a>",
            "Silver ring, 925 sterling",
            id="a link wrapping the card is titled by its heading",
        ),
        pytest.param(
            "<a href='/l/1'><div>Silver ring</div><div>SilverStudio</div></a>",
            "Silver ring SilverStudio",
            id="blocks inside a link are never glued into one word",
        ),
        pytest.param(
            "<a href='/l/1' title='Click this link to access Vintage Watch'>Vintage Watch</a>",
            "Vintage Watch",
            id="a tooltip around the text is not the title",
        ),
        pytest.param(
            "<a href='/l/1' title='Desk lamp with a linen shade'>Desk lamp with…</a>",
            "Desk lamp with a linen shade",
            id="the title attribute completes a cut-short text",
        ),
        pytest.param("<a href='/l/1'>Red <b>lamp</b>s</a>", "Red lamps", id="inline markup is not a word break"),
    ],
)
def test_card_title(link: str, title: str) -> None:
    cards = "".join(
        f"<li>{link.replace('/l/1', f'/l/{i}')}<span class='price'>${i}.00</span></li>" for i in range(1, 5)
    )
    items = extract_listing(f"<html><body><ul>{cards}</ul></body></html>".encode(), "https://shop.example/s?q=x").items
    assert [item.title for item in items] == [title] * 4


_NAV = "<div id='nav'><a href='/'>Home</a><a href='/help'>Help</a><a href='/cart'>Cart</a></div>"


def _one_result(item: str) -> bytes:
    return f"<html><body>{_NAV}<div class='filters'><a href='/search?q=lamp&brand=a'>Brand A</a></div>{item}</body></html>".encode()


def test_a_search_with_one_result_gives_its_card() -> None:
    item = (
        "<ul><li><div class='wrap'><div><a href='/item/10168833.html'><img src='/i.jpg'></a></div>"
        "<div class='p-price'><em>￥</em><i>39.00</i></div><div><a href='/item/10168833.html'>Video editing course</a>"
        "</div><div><a href='/search?q=lamp&author=x'>Some Author</a></div></div></li></ul>"
    )
    page = extract_listing(_one_result(item), "https://shop.example/search?q=lamp")
    assert [(i.key.rsplit("/", 1)[-1], i.price, i.title) for i in page.items] == [
        ("10168833.html", Decimal("39.00"), "Video editing course")
    ]


def test_two_lone_item_links_without_a_grid_give_no_card() -> None:
    items = (
        "<div class='promo'><a href='/item/100123.html'><img src='/1.jpg'>Offer one</a><b>$1.00</b></div>"
        "<p><span><a href='/item/200123.html'><img src='/2.jpg'>Offer two</a></span><b>$2.00</b></p>"
    )
    page = extract_listing(_one_result(items), "https://shop.example/search?q=x")
    assert page.items == [] and page.reason == "no_cards"


def test_sibling_sponsored_card_linked_through_a_redirect_is_kept_without_grid_slots() -> None:
    def card(i: int, href: str) -> str:
        return (
            f"<div class='s-result-item'><a href='{href}'><img src='/{i}.jpg'></a>"
            f"<h2><a href='{href}'>Item number {i} with a long enough title</a></h2><span class='price'>${i}.99</span></div>"
        )

    cards = [card(i, f"/-/en/Item-{i}/dp/ITEM{i}/ref=sr_1_{i}") for i in range(1, 6)]
    cards.insert(1, card(9, "/-/en/gp/slredirect/picassoRedirect.html?url=%2FItem-9%2Fdp%2FAD9%2Fref%3Dsp"))
    html = f"<html><body><div class='s-main-slot'>{''.join(cards)}</div></body></html>"
    page = extract_listing(html.encode(), "https://shop.example/-/en/s?k=item", tuning=ListingTuning(grid_share=1.01))
    assert [item.key.rsplit("/", 1)[-1] for item in page.items] == ["ITEM1", "AD9", "ITEM2", "ITEM3", "ITEM4", "ITEM5"]


def test_a_shop_tile_among_the_cards_is_not_an_item() -> None:
    cards = [
        f"<li><a href='/listing/{i}00{i}/ring-{i}'><img src='/{i}.jpg'>Silver ring number {i}</a><b>${i}.50</b></li>"
        for i in range(1, 6)
    ]
    cards.insert(2, "<li><a href='/shop/SilverStudio99'><img src='/s.jpg'>Visit SilverStudio99 shop</a></li>")
    html = f"<html><body><ul>{''.join(cards)}</ul></body></html>"
    page = extract_listing(html.encode(), "https://shop.example/search?q=ring", tuning=ListingTuning(grid_share=1.01))
    assert len(page.items) == 5 and all("/listing/" in item.url for item in page.items)
