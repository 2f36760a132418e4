"""Cheap word-overlap similarity, to tell the page's own product title from other products' names."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")


def similarity(a: str | None, b: str | None) -> float:
    """Dice overlap of the two texts' word sets (0..1)."""
    if not a or not b:
        return 0.0
    wa = set(_WORD.findall(a.lower()))
    wb = set(_WORD.findall(b.lower()))
    if not wa or not wb:
        return 0.0
    return 2 * len(wa & wb) / (len(wa) + len(wb))
