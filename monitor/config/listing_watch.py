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

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from monitor.config.durations import Duration
from monitor.config.page_actions import PageAction, check_browser_only


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListingSelectorsConfig(_Strict):
    """CSS selectors: `card` picks each product card; the others are relative to a card."""

    card: str = Field(min_length=1)
    link: str | None = None
    title: str | None = None
    price: str | None = None
    next_page: str | None = Field(default=None, description="the pagination link, on the page")


class ListingWatch(_Strict):
    url: str
    competitor: str | None = None
    label: str | None = None
    selectors: ListingSelectorsConfig | None = None
    max_pages: int = Field(default=5, ge=1, le=100)
    pagination: Literal["next_link", "page_param", "none"] = "next_link"
    page_param: str = Field(default="page", min_length=1, description="with pagination: page_param")
    render: Literal["http", "browser"] = "http"
    scroll: int = Field(default=0, ge=0, le=200, description="infinite scroll: scroll to the bottom N times")
    load_more: str | None = Field(default=None, description='CSS selector of a "load more" button to click')
    wait_for: str | None = None
    actions: list[PageAction] = Field(default_factory=list)
    screenshot: bool = False
    include_sponsored: bool = Field(default=False, description="count sponsored cards in changes")
    min_move: int = Field(default=3, ge=1, description="positions an item must move to be reported")
    interval: Duration | None = None
    cron: str | None = None
    tags: list[str] = Field(default_factory=list)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        from monitor.config.schema import check_http_url  # schema imports this module

        return check_http_url(url)

    @model_validator(mode="after")
    def _consistent(self) -> ListingWatch:
        if self.interval is not None and self.cron is not None:
            raise ValueError("give either interval or cron, not both")
        check_browser_only(
            self.render,
            self.actions,
            scroll=self.scroll,
            load_more=self.load_more,
            screenshot=self.screenshot,
        )
        return self

    def options(self) -> dict:
        """What the crawler and the change detector need, as stored in `watches.options` (JSON)."""
        return {
            "selectors": self.selectors.model_dump(exclude_none=True) if self.selectors else None,
            "max_pages": self.max_pages,
            "pagination": self.pagination,
            "page_param": self.page_param,
            "render": self.render,
            "scroll": self.scroll,
            "load_more": self.load_more,
            "wait_for": self.wait_for,
            "actions": [a.as_option() for a in self.actions],
            "screenshot": self.screenshot,
            "include_sponsored": self.include_sponsored,
            "min_move": self.min_move,
        }
