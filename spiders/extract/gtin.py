"""GTINs (EAN, UPC, ISBN-13): the GS1 check digit and one normal form, 14 digits.

Pure and small on purpose: the watchlist's catalogue validates the GTINs a user writes with it, and
checking a watchlist (every command does) must not load the page readers.
"""

from __future__ import annotations

import re

__all__ = ["PREFIXED", "gtin_check_ok", "normalise_gtin"]

# A value that names its scheme first: "gtin13: 4006381333931", "EAN=...", "ISBN: 080442957X".
PREFIXED = re.compile(r"^\s*(?:gtin\d*|ean\d*|upc|isbn\d*)\s*[:=]\s*(.+)$", re.IGNORECASE)


def gtin_check_ok(digits: str) -> bool:
    """The GS1 check digit (the last digit) of an 8, 12, 13 or 14 digit GTIN."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _isbn10_as_gtin(text: str) -> str | None:
    """An ISBN-10 ("0-306-40615-2", check character X allowed) as its ISBN-13 (978 + 9 digits)."""
    if not re.fullmatch(r"\d{9}[\dXx]", text):
        return None
    total = sum((10 - i) * int(d) for i, d in enumerate(text[:9])) + (10 if text[9] in "Xx" else int(text[9]))
    if total % 11:
        return None
    body = "978" + text[:9]
    check = (10 - sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body))) % 10) % 10
    return body + str(check)


def normalise_gtin(value: object, isbn: bool = False) -> str | None:
    """A GTIN-8/12/13/14 (EAN, UPC, ISBN-13) as 14 digits, or None when it is not a valid one.
    Also read: an 11-digit UPC-A or EAN-13 whose leading zeros a spreadsheet dropped
    ("36000291452", or "4006381333931.0" from a float): the check digit, which leading zeros do not
    change, still decides; and, where the value is said to be an ISBN (`isbn`, or an "ISBN:"
    prefix), an ISBN-10 as its ISBN-13 (ten digits are not otherwise taken for a barcode)."""
    if value is None:
        return None
    text = re.sub(r"\.0+$", "", str(value).strip())
    prefixed = PREFIXED.match(text)
    if prefixed:
        text = prefixed.group(1)
        isbn = isbn or prefixed.group(0).lstrip().lower().startswith("isbn")
    digits = re.sub(r"[\s\-.]", "", text)
    if isbn:
        digits = _isbn10_as_gtin(digits) or digits
    if not digits.isdigit() or len(digits) not in (8, 11, 12, 13, 14):
        return None
    if set(digits) == {"0"} or not gtin_check_ok(digits):
        return None
    return digits.zfill(14)
