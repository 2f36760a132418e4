"""Listing watches: a competitor's category, search or "new arrivals" page, followed across its pages.

    listings:
      - url: https://shop.example/category/headphones
        competitor: Example
        max_pages: 5                 # pages (or scroll/click rounds) read per check
      - url: https://spa.example/new
        render: browser              # the cards exist only after JavaScript ran
        scroll: 10                   # infinite scroll: to the bottom up to 10 times
        wait_for: ".product-card"
      - url: https://shop.example/search?q=lamp
        pagination: page_param       # ?page=2, ?page=3 ... instead of following "next" links
        selectors: {card: "li.result", price: ".amount"}

By default the product cards are found automatically (the repeated card pattern); `selectors`
override that for a shop the detection reads wrongly.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from monitor.config.selectors import check_browser_css, check_css
from monitor.config.settings import Strict
from monitor.config.watch_fields import BrowserOptions, WatchFields, browser_only


class ListingSelectorsConfig(Strict):
    """CSS selectors: `card` picks each product card; the others are relative to a card."""

    card: str = Field(min_length=1)
    link: str | None = None
    title: str | None = None
    price: str | None = None
    next_page: str | None = Field(default=None, description="the pagination link, on the page")

    @field_validator("card", "link", "title", "price", "next_page")
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        return check_css(value) if value is not None else None


class ListingOptions(BrowserOptions):
    """What a listing watch stores in `watches.options`, and reads back through this model."""

    selectors: ListingSelectorsConfig | None = None
    max_pages: int = Field(default=5, ge=1, le=100, description="pages (or scroll/click rounds) per check")
    pagination: Literal["next_link", "page_param", "none"] = "next_link"
    page_param: str = Field(default="page", min_length=1, description="with pagination: page_param")
    scroll: int = Field(default=0, ge=0, le=200, description="infinite scroll: scroll to the bottom N times")
    load_more: str | None = Field(default=None, description='CSS selector of a "load more" button to click')
    include_sponsored: bool = Field(default=False, description="count sponsored cards in changes")
    min_move: int = Field(default=3, ge=1, description="positions an item must move to be reported")

    @field_validator("load_more")
    @classmethod
    def _load_more_css(cls, value: str | None) -> str | None:
        # The browser clicks it: Chromium's CSS, not cssselect's.
        return check_browser_css(value) if value is not None else None

    @field_validator("scroll", "load_more")
    @classmethod
    def _browser_only(cls, value: object, info: ValidationInfo) -> object:
        return browser_only(value, info)


class ListingWatch(WatchFields, ListingOptions):
    """One category, search or "new arrivals" page of a competitor, read across its pages."""

    def options(self) -> ListingOptions:
        return ListingOptions.model_validate(self.model_dump(include=set(ListingOptions.model_fields)))


# One watch per URL (the URL is its identity): checked with the whole watchlist (monitor.watchlist.check).
ListingWatches = list[ListingWatch]
