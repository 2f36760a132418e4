"""The demo market's shops: who they are, how they mark up prices, and how their URLs look.

Each shop deliberately exposes its prices in a different way so every extraction path gets
exercised: JSON-LD (alpha), microdata only (beta), plain HTML that needs configured selectors
(gamma), OpenGraph product tags plus Chinese text (huali), and prices that exist only after
JavaScript runs (delta). Everything here is data; rendering lives in `pages.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Selectors a user would put in the watchlist for the shops without structured data.
GAMMA_SELECTORS: dict[str, str] = {
    "name": "h1.product-title",
    "price": ".price-now",
    "availability": ".stock-state",
    "sku": ".sku-code",
}
HUALI_SELECTORS: dict[str, str] = {
    "name": "h1.goods-name",
    "price": ".J-price",
    "availability": ".stock-status",
    "sku": ".goods-sku",
}
# delta renders these only after its inline script ran (browser rendering needed).
DELTA_SELECTORS: dict[str, str] = {
    "name": "#app h1.pdp-name",
    "price": "#app .pdp-price",
    "availability": "#app .pdp-stock",
    "sku": "#app .pdp-sku",
}

# Availability wording shown on the page per locale, keyed by schema.org term.
AVAILABILITY_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "InStock": "In stock",
        "OutOfStock": "Out of stock",
        "PreOrder": "Pre-order",
        "BackOrder": "Available on backorder",
        "Discontinued": "Discontinued",
    },
    "de": {
        "InStock": "Auf Lager",
        "OutOfStock": "Ausverkauft",
        "PreOrder": "Vorbestellbar",
        "BackOrder": "Lieferbar in 2-3 Wochen",
        "Discontinued": "Nicht mehr erhältlich",
    },
    "zh-CN": {
        "InStock": "有货",
        "OutOfStock": "缺货",
        "PreOrder": "预售",
        "BackOrder": "可预订",
        "Discontinued": "已下架",
    },
}

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ShopSpec:
    """One simulated competitor.

    `fx` converts the catalogue's USD base prices into the shop's currency; `markup` is the
    structured-data style of its product pages; `product_path` is a format string taking the
    product's `num` (shop-independent number) and `slug`.
    """

    name: str
    title: str
    markup: str  # "jsonld" | "microdata" | "plain" | "opengraph" | "js"
    currency: str
    fx: Decimal
    locale: str
    product_path: str
    selectors: dict[str, str] = field(default_factory=dict)
    needs_browser: bool = False
    # Share of products hit by a small price move on a given day, and so on: shops differ a bit.
    move_rate: float = 0.04
    stockout_rate: float = 0.03

    def path_for(self, num: int, slug: str) -> str:
        return self.product_path.format(num=num, slug=slug)

    def availability_text(self, term: str) -> str:
        return AVAILABILITY_TEXT[self.locale][term]

    def format_price(self, amount: Decimal) -> str:
        """The price as a shopper sees it, in the shop's local convention."""
        if self.currency == "EUR":
            whole, cents = f"{amount:,.2f}".split(".")
            return f"{whole.replace(',', '.')},{cents} €"
        if self.currency == "CNY":
            return f"¥{amount:.2f}"
        symbol = {"USD": "$", "GBP": "£"}.get(self.currency, self.currency + " ")
        return f"{symbol}{amount:,.2f}"

    def round_price(self, amount: Decimal) -> Decimal:
        """Round a raw amount to a shelf price with the usual psychological endings."""
        if self.currency == "CNY":
            if amount < 100:
                return amount.quantize(Decimal(1), ROUND_HALF_UP) or Decimal(1)
            return (amount / 10).quantize(Decimal(1), ROUND_HALF_UP) * 10 - 1
        if amount < 20:
            halves = (amount * 2).quantize(Decimal(1), ROUND_HALF_UP) / 2
            return max(halves - CENT, Decimal("0.99"))
        if amount < 1000:
            return amount.quantize(Decimal(1), ROUND_HALF_UP) - CENT
        return (amount / 10).quantize(Decimal(1), ROUND_HALF_UP) * 10 - 1


SHOPS: dict[str, ShopSpec] = {
    s.name: s
    for s in (
        ShopSpec(
            "alpha", "Alpha Electronics", "jsonld", "USD", Decimal("1"), "en", "/products/{slug}-{num}.html"
        ),
        ShopSpec(
            "beta",
            "Beta Technikmarkt",
            "microdata",
            "EUR",
            Decimal("0.92"),
            "de",
            "/p/{num}/{slug}",
            move_rate=0.05,
        ),
        ShopSpec(
            "gamma",
            "Gamma Goods",
            "plain",
            "GBP",
            Decimal("0.79"),
            "en",
            "/item?id={num}",
            selectors=GAMMA_SELECTORS,
            stockout_rate=0.04,
        ),
        ShopSpec(
            "huali",
            "华丽数码商城",
            "opengraph",
            "CNY",
            Decimal("7.2"),
            "zh-CN",
            "/goods/{num}.html",
            selectors=HUALI_SELECTORS,
        ),
        ShopSpec(
            "delta",
            "Delta Direct",
            "js",
            "USD",
            Decimal("1"),
            "en",
            "/shop/product/{num}",
            selectors=DELTA_SELECTORS,
            needs_browser=True,
        ),
    )
}
HTTP_SHOPS: tuple[str, ...] = tuple(n for n, s in SHOPS.items() if not s.needs_browser)
OUR_CURRENCY = "USD"
