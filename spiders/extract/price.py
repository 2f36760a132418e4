"""Price strings to Decimal amounts: price-parser plus the cases it gets wrong on real shop text.

price-parser handles the thousands/decimal separator puzzle well; what it lacks is the shop
vocabulary around a price: "Was $120 Now $60" (the current price is the one after "now"),
shipping thresholds ("free shipping on orders $49+") and date-like fragments ("25-09") that are
no price at all. Those are handled here before the string is handed to price-parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from price_parser import Price

# A structured-data amount: "249", "19.5", "1149.00" (schema.org says '.' is the decimal mark).
_PLAIN_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
# "Was $120.00 Now $60.00", "statt 20 € jetzt 15 €": the price after the last "now" word wins.
_NOW_WORDS = re.compile(r"\b(?:now|jetzt|nur|only|ahora|maintenant|ora|nu|teraz)\b[\s:]*", re.IGNORECASE)
# Text that states a condition, not a price.
_NOT_A_PRICE = re.compile(
    r"(?:free\s+(?:shipping|delivery)|shipping\s+on\s+orders|orders?\s+(?:over|above|of)\b|"
    r"versandkostenfrei\s+ab|livraison\s+gratuite\s+d[eè]s|env[ií]o\s+gratis\s+(?:a\s+partir|desde))",
    re.IGNORECASE,
)
# "25-09" or "12/03/2021": dates and ranges of small integers without any currency or decimal part.
_DATE_LIKE = re.compile(r"^\s*\d{1,4}\s*[-/]\s*\d{1,2}(?:\s*[-/]\s*\d{2,4})?\s*$")


_EXTRA_CURRENCY = re.compile(
    r"(?<![^\W\d_])(kn|kr\.?|kč|ft|lei|лв\.?|din\.?|дин\.?|тг|km|ден|ман|сом|rsd|hrk|bam)(?![^\W\d_])",
    re.IGNORECASE,
)


_NUMBER_GROUP = re.compile(r"\d+(?:(?:[.,]\s?|['\u00a0\u202f ])\d+)*")
_RANGE_WORD = re.compile(r"(?:^|\s)(?:to|bis|à|a|al|hasta|до|tot|do)(?:\s|$)|[-–—~]", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedPrice:
    """An amount and the currency text seen with it (symbol or code as written)."""

    amount: Decimal | None
    currency: str | None


def parse_price(
    text: str | None, currency_hint: str | None = None, decimal_separator: str | None = None
) -> ParsedPrice:
    """Parse a visible price string ("1.299,00 €", "Was $12 Now $9") into amount and currency text."""
    if not text or not text.strip():
        price = Price.fromstring(None, currency_hint=currency_hint)
        return ParsedPrice(None, price.currency)
    text = text.strip()
    if len(text) > 400:
        text = text[:400]
    if _NOT_A_PRICE.search(text) or _DATE_LIKE.match(text):
        price = Price.fromstring(text, currency_hint=currency_hint)
        return ParsedPrice(None, price.currency)
    parts: list[str] = _NOW_WORDS.split(text)  # no capturing groups: every part is a str
    if len(parts) > 1 and re.search(r"\d", parts[-1]):
        text = parts[-1]
    price = Price.fromstring(text, currency_hint=currency_hint, decimal_separator=decimal_separator)
    if price.currency and decimal_separator is None:
        text = _number_by_currency(text, price.currency) or text
        price = Price.fromstring(text, currency_hint=currency_hint)
    currency = price.currency
    if currency is None:
        # Currencies price-parser does not know ("270,00 Kn", "199 Kč" in some spellings).
        match = _EXTRA_CURRENCY.search(text) or (
            _EXTRA_CURRENCY.search(currency_hint) if currency_hint else None
        )
        currency = match.group(1) if match else None
    return ParsedPrice(_clean(price.amount), currency)


def _number_by_currency(text: str, currency: str) -> str | None:
    """With several numbers ("8 options from 98,65 €"), the one written against the currency sign."""
    groups = list(_NUMBER_GROUP.finditer(text))
    if len(groups) < 2:
        return None
    where = text.find(currency)
    if where < 0:
        return None
    end = where + len(currency)
    best = min(groups, key=lambda g: min(abs(g.start() - end), abs(where - g.end())))
    if min(abs(best.start() - end), abs(where - best.end())) > 2 or best is groups[0]:
        return None
    if _RANGE_WORD.search(text[groups[0].end() : best.start()]):
        return None  # "from 26 to 50 €": a range, whose first number is the price
    return text[min(best.start(), where) : max(best.end(), end)]


def parse_amount(value: object) -> Decimal | None:
    """Amount of a structured-data price: a number, a plain "19.90" string, or shop text ("56,00 €")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return _clean(Decimal(str(value)))
        except InvalidOperation:
            return None
    if isinstance(value, dict):
        for key in ("value", "amount", "price", "decimalPrice", "raw"):
            if key in value:
                return parse_amount(value[key])
        return None
    if not isinstance(value, str):
        return None
    if _PLAIN_NUMBER.match(value):
        return _clean(Decimal(value.strip()))
    return parse_price(value).amount


def _clean(amount: Decimal | None) -> Decimal | None:
    """Reject amounts that cannot be prices (negative, NaN, absurdly large)."""
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        return None
    return amount
