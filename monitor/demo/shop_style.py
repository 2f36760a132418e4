"""How each demo shop names a product and states its shipping: the differences matching must see through.

Real shops name one product in their own words: the brand first or the category first, a colour
added, the category in the shop's language ("Kestrel K12 Pro Wireless Headphones", "Kestrel K12 Pro
Kabellose Kopfhörer (Schwarz)", "Kestrel Wireless Headphones K12 Pro – Black", "Kestrel K12 Pro
无线耳机"). Pages, listings and the market's truth all take the name from here, so they agree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from monitor.demo.categories import CATEGORIES
from monitor.demo.shops import ShopSpec

if TYPE_CHECKING:  # the catalogue names its products through this module
    from monitor.demo.catalogue import Product

CATEGORY_DE = {
    "headphones": "Kabellose Kopfhörer",
    "laptops": "Notebook",
    "phones": "Smartphone",
    "cameras": "Systemkamera",
    "monitors": "Monitor",
    "keyboards": "Mechanische Tastatur",
    "speakers": "Bluetooth-Lautsprecher",
    "watches": "Smartwatch",
    "tablets": "Tablet",
    "routers": "WLAN-Router",
}
COLOURS = ("Black", "Silver", "Midnight Blue", "White", "Graphite")
COLOURS_DE = ("Schwarz", "Silber", "Mitternachtsblau", "Weiß", "Graphit")
# alpha states its shipping in its structured data: free above this, else a flat rate.
ALPHA_FREE_SHIPPING_FROM = Decimal("49")
ALPHA_SHIPPING = Decimal("4.99")


def model_of(p: Product) -> str:
    """The model part of the catalogue name: "K12 Pro" of "Kestrel K12 Pro Wireless Headphones"."""
    en = CATEGORIES[p.category][0]
    return p.name[len(p.brand) + 1 : len(p.name) - len(en) - 1]


def shop_title(spec: ShopSpec, p: Product) -> str:
    """The product's name on this shop's pages and listings."""
    en = CATEGORIES[p.category][0]
    colour = p.num % len(COLOURS)
    if spec.locale == "zh-CN":
        return p.name_zh
    if spec.name == "beta":
        return f"{p.brand} {model_of(p)} {CATEGORY_DE[p.category]} ({COLOURS_DE[colour]})"
    if spec.name == "gamma":
        return f"{p.brand} {en} {model_of(p)} – {COLOURS[colour]}"
    return p.name


def shipping_of(spec: ShopSpec, price: Decimal) -> Decimal | None:
    """What shipping costs as the shop's page states it (None: the page does not say)."""
    if spec.name != "alpha":
        return None
    return Decimal("0") if price >= ALPHA_FREE_SHIPPING_FROM else ALPHA_SHIPPING
