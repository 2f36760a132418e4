"""The listing extractor's free numeric parameters, in one place, each with the reason for its value.

`bench/listings.py` refits them leaving each shop out in turn (its leave-one-source-out figures).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListingTuning:
    # The results grid is the deepest element holding this share of the chosen cards: most of
    # them, so that one row of a grid of rows is not taken for the grid. Above 1: no grid slots.
    grid_share: float = 0.8
    # Characters either side of an amount in which "shipping", "save", "was", "/count"... make it
    # something other than the card's price: about two short words.
    price_context: int = 14
    # A small element up to this many characters is also read as a whole, for prices split across
    # spans ("$" "19" "99"); a longer one is a block of several things.
    join_max: int = 48


DEFAULT_LISTING_TUNING = ListingTuning()
