"""Product watches as users write them (`products:`), and the typed options each one stores.

    products:
      - url: https://alpha-shop.example.com/p/12345
        our_price: 89.00            # the "undercut" rule compares with it
        map_price: 79.00            # minimum advertised price: the "below_map" rule
        selectors: {price: ".price-now"}   # only for pages without structured data
        render: browser             # the page needs JavaScript
        wait_for: ".price"
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from monitor.config.our_product import OurProduct
from monitor.config.selectors import check_css_or_xpath
from monitor.config.watch_fields import BrowserOptions, WatchFields

SelectorField = Literal["name", "price", "availability", "sku", "currency", "brand"]


class ProductOptions(BrowserOptions, OurProduct):
    """What a product watch stores in `watches.options`, and reads back through this model."""

    selectors: dict[SelectorField, str] = Field(
        default_factory=dict, description="CSS, or XPath starting with /, per field"
    )
    our_price: Decimal | None = Field(default=None, ge=0, description="our own price for this product")
    map_price: Decimal | None = Field(default=None, ge=0, description="minimum advertised price")

    @field_validator("selectors")
    @classmethod
    def _selectors_compile(cls, selectors: dict[str, str]) -> dict[str, str]:
        # A typo in a selector is a configuration error now, not a "no price found" at 3 a.m.
        for name, selector in selectors.items():
            try:
                check_css_or_xpath(selector)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        return selectors


class ProductWatch(WatchFields, ProductOptions):
    """One product page of a competitor."""

    def options(self) -> ProductOptions:
        return ProductOptions.model_validate(self.model_dump(include=set(ProductOptions.model_fields)))


# One watch per URL (the URL is its identity): checked with the whole watchlist (monitor.watchlist.check).
ProductWatches = list[ProductWatch]
