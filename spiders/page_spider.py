"""The page-content spider: fetches each due page watch's URL (HTTP or Chromium), nothing more.

A page watch is one page, fetched like a product page (conditional requests, browser rendering,
screenshots); only what happens to the result differs, so this spider is the product spider under
its own name, and the page kind filters, renders and compares the text.
"""

from __future__ import annotations

from spiders.product_spider import ProductSpider


class PageSpider(ProductSpider):
    name = "pages"
