"""Did-you-mean: the allowed word closest to a misspelt key, value or name (difflib, case-blind)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6  # difflib's own default: "selecters" -> "selectors", "Alpah" -> "Alpha", not "x" -> "y"


def closest(word: object, candidates: Iterable[str]) -> str | None:
    """The candidate `word` most likely meant, or None when none is close."""
    if not isinstance(word, str):
        return None
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    if word.lower() in by_lower:
        return by_lower[word.lower()]  # only the case differs: names are case-sensitive
    match = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=CUTOFF)
    return by_lower[match[0]] if match else None


def did_you_mean(word: object, candidates: Iterable[str]) -> str:
    """`'; did you mean "X"?'` to append to a message, or "" when nothing is close."""
    best = closest(word, candidates)
    return f'; did you mean "{best}"?' if best is not None and best != word else ""
