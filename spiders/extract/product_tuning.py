"""The product extractor's free numeric parameters, in one place, each with the reason for its value.

Everything else the extractor decides by rules and tables of shop language. These few numbers
weigh one signal against another; `bench/extraction.py` refits them leaving each shop out in
turn (its leave-one-source-out figures) to show the defaults are not fitted to any one shop.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductTuning:
    # A visible price element is proposed when its evidence (currency shown, price vocabulary,
    # place after the title, minus struck, "was", carousel...) sums to at least this. 0: an
    # element with no evidence either way is not a price.
    min_price_score: float = 0.0
    # A price element just after the product title (within 80 elements) gains this: the price a
    # buyer sees sits next to the title. One vocabulary word weighs the same.
    title_near_bonus: float = 1.0
    # A structured price the page does not show, when another structured price is shown, loses
    # this: 3 puts it below any shown structured price (scores 7.5 to 10 apart by 2.5 at most).
    unshown_structured_penalty: float = 3.0
    # A structured sku that the page never shows, when a labelled code is shown, loses this:
    # 6 puts it (at most 10) below a shown labelled code (5).
    unshown_sku_penalty: float = 6.0


DEFAULT_TUNING = ProductTuning()
