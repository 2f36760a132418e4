"""What ties a competitor's product page to one of our own products: `our_sku`.

    products:
      - url: https://alpha.example/p/12345
        our_sku: RS-X-42        # our code for this product: every watch with it is the same product
        our_price: 89.00

Watches that share an `our_sku` are one product sold by several competitors: the weekly report draws
their price lines on one chart, next to ours.
"""

from __future__ import annotations

from pydantic import Field

from monitor.config.settings import Strict


class OurProduct(Strict):
    our_sku: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="our own code for this product; watches sharing it are one product across competitors",
    )
