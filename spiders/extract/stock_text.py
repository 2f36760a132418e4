"""What a short visible text says about stock: a schema.org term, how strongly, and the words.

    >>> read_stock_text("Only 3 left in stock").term
    'InStock'
    >>> read_stock_text("Dieser Artikel ist leider nicht mehr auf Lager").term
    'OutOfStock'

Order of evidence within one text: an explicit count ("0 in stock", "only 3 left", "Stock: 0")
first, because a number is the least ambiguous thing a shop says; then phrases of the states
that are not "in stock" (pre-order, back-order, discontinued, out of stock), and in-stock
phrases denied by a negation ("not in stock", "nicht auf Lager") or put in the future ("notify
me when in stock", "sobald verfügbar"); then in-stock statements; then buy-button labels; then
a bare "available" that is the whole text; then delivery times. The phrase tables are in
`stock_phrases`; nothing here knows any one shop.

Matching is by words: a phrase is looked up from its first word, so a text costs a few
dictionary lookups per word, not one regular expression per phrase (a page has thousands of
short texts). Scripts written without spaces (Chinese, Japanese, Korean) are matched as
substrings instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from spiders.extract import stock_phrases as P

MAX_TEXT = 200  # longer texts are descriptions, not stock statements

# Kinds of evidence, strongest first.
COUNT, STATE, STATEMENT, BUTTON, WEAK, DELIVERY = "count", "state", "statement", "button", "weak", "delivery"

_TABLES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (P.PREORDER, "PreOrder", STATE),
    (P.BACKORDER, "BackOrder", STATE),
    (P.DISCONTINUED, "Discontinued", STATE),
    (P.OUT, "OutOfStock", STATE),
    (P.IN, "InStock", STATEMENT),
    (P.BUY, "InStock", BUTTON),
    (P.IN_WEAK, "InStock", WEAK),
    (P.DELIVERY, "InStock", DELIVERY),
)
_RANK = {STATE: 0, STATEMENT: 1, BUTTON: 2, WEAK: 3, DELIVERY: 4}
_IN_KINDS = (STATEMENT, WEAK)
_PUNCT = re.compile(r"[\-‐‑‒–—_/|•·:;,.!?()\[\]{}*\"“”«»]+")
_SPACE = re.compile(r"\s+")
_CJK_CHAR = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True)
class StockReading:
    """A stock state read from text: the term, the kind of evidence, and the words that said it."""

    term: str
    kind: str
    phrase: str

    @property
    def strong(self) -> bool:
        """Counts, states, denied and plain statements; not buttons, a bare "available" or delivery."""
        return self.kind in (COUNT, STATE, STATEMENT)


def normalise(text: str) -> str:
    """Lower case, hyphens and punctuation as spaces, one space between words."""
    low = text.lower().replace("’", "'").replace("\u00a0", " ")
    return _SPACE.sub(" ", _PUNCT.sub(" ", low)).strip()


class _WordTable:
    """Phrases of space-separated words, looked up by their first word, longest first."""

    def __init__(self, entries: list[tuple[str, str, str]]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str, str, str]]] = defaultdict(list)
        for phrase, term, kind in entries:
            words = tuple(phrase.split())
            self.by_first[words[0]].append((words, phrase, term, kind))
        for options in self.by_first.values():
            options.sort(key=lambda o: -len(o[0]))

    def at(self, words: list[str], i: int) -> tuple[int, str, str, str] | None:
        """(length in words, phrase, term, kind) of the longest phrase starting at word i."""
        for option, phrase, term, kind in self.by_first.get(words[i], ()):
            if tuple(words[i : i + len(option)]) == option:
                return len(option), phrase, term, kind
        return None

    def ends(self, words: list[str]) -> int:
        """Length in words of a phrase of the table the words end with (0: none)."""
        for size in (3, 2, 1):
            if len(words) >= size:
                found = self.at(words[-size:], 0)
                if found is not None and found[0] == size:
                    return size
        return 0

    def starts(self, words: list[str]) -> int:
        """Length in words of a phrase of the table the words start with (0: none)."""
        found = self.at(words, 0) if words else None
        return found[0] if found else 0


def _split_tables() -> tuple[_WordTable, list[tuple[str, str, str]]]:
    spaced: list[tuple[str, str, str]] = []
    joined: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for phrases, term, kind in _TABLES:
        for phrase in phrases:
            if phrase in seen:
                continue  # the first table naming a phrase owns it
            seen.add(phrase)
            (joined if _CJK_CHAR.search(phrase) else spaced).append((phrase, term, kind))
    joined.sort(key=lambda e: -len(e[0]))
    return _WordTable(spaced), joined


def _table(phrases: tuple[str, ...]) -> _WordTable:
    return _WordTable([(p, "", "") for p in phrases if not _CJK_CHAR.search(p)])


_WORDS, _JOINED = _split_tables()


def _key_words() -> frozenset[str]:
    """The longest word of every spaced phrase: a text none of whose words is one cannot match
    any phrase, which lets most texts of a page be passed over after a split."""
    keys: set[str] = set()
    for options in _WORDS.by_first.values():
        for words, *_ in options:
            keys.add(max(words, key=len))
    for phrase in P.COUNT_WORDS + P.COUNT_LABELS + P.REMAINING_LABELS:
        if not _CJK_CHAR.search(phrase):
            keys.add(max(phrase.split(), key=len))
    return frozenset(keys)


_KEYS = _key_words()
_STORE = re.compile(
    r"(?<![\w])(?:" + "|".join(re.escape(p) for p in P.STORE if not _CJK_CHAR.search(p)) + r")(?![\w])"
)
_STORE_CJK = tuple(p for p in P.STORE if _CJK_CHAR.search(p))


def _about_a_store(low: str) -> bool:
    """Whether a normalised text speaks of a physical store or of collecting there (`P.STORE`)."""
    return _STORE.search(low) is not None or any(p in low for p in _STORE_CJK)


def about_a_store(text: str) -> bool:
    """Whether a visible text speaks of a physical store or of collecting there ("Retiro en tienda")."""
    return _about_a_store(normalise(text))
_STRIP = "\"'“”«»()[]{}.,:;!?*-–—/|•·"
_NEGATORS = _table(P.NEGATORS)
_CONDITIONALS = _table(P.CONDITIONALS)
_FILLERS = _table(P.FILLERS)
_POST_NEGATORS = frozenset(P.POST_NEGATORS)
_POST_CONDITIONALS = frozenset(P.POST_CONDITIONALS)
_COUNT_WORDS = _table(P.COUNT_WORDS)
_COUNT_LABELS = _table(P.COUNT_LABELS + P.REMAINING_LABELS)
_UNITS = _table(P.COUNT_UNITS)
_NUMBER = re.compile(r"^(\d{1,6})\+?$")
_CJK_LABELS = "|".join(re.escape(p) for p in P.COUNT_LABELS + P.REMAINING_LABELS if _CJK_CHAR.search(p))
_CJK_UNITS = "|".join(re.escape(p) for p in P.COUNT_UNITS if _CJK_CHAR.search(p))
_CJK_COUNT = re.compile(rf"(?:{_CJK_LABELS})\s*(\d{{1,6}})\s*(?:{_CJK_UNITS})?")


def _drop_fillers(words: list[str]) -> list[str]:
    """The words before a phrase with fillers at their end dropped ("not currently" -> ["not"])."""
    words = list(words)
    size = _FILLERS.ends(words)
    while size:
        del words[-size:]
        size = _FILLERS.ends(words)
    return words


def _turned(before: list[str], after: list[str], raw_before: str = "") -> str | None:
    """'negated' or 'conditional' when the words around an in-stock phrase deny it, else None."""
    if raw_before.endswith(P.NEGATOR_PREFIXES):
        return "negated"
    # With fillers dropped ("not currently in stock") and as written ("will be in stock": "be"
    # is a filler elsewhere).
    for words in (_drop_fillers(before), before):
        if _NEGATORS.ends(words):
            return "negated"
        if _CONDITIONALS.ends(words):
            return "conditional"
    if len(after) == 1 and after[0] in _POST_NEGATORS:
        return "negated"  # "In stock: no"
    if after and after[0] in _POST_CONDITIONALS:
        return "conditional"  # "In stock soon"
    return None


def _count(words: list[str], low: str) -> StockReading | None:
    """A stock count: "3 left", "0 in stock" (number, unit, count word), or "Stock: 0", "Nur noch
    2 Stück" (label, number, then a unit or the end: "Only 9.99 €" is a price, not a count)."""
    for i, word in enumerate(words):
        number = _NUMBER.match(word)
        if number is None:
            continue
        after = words[i + 1 :]
        unit = _UNITS.starts(after)
        rest = after[unit:]
        counted = _COUNT_WORDS.starts(rest) > 0
        if not counted and (unit or not rest) and _COUNT_LABELS.ends(words[:i]):
            counted = True
        if counted:
            amount = int(number.group(1))
            return StockReading("InStock" if amount else "OutOfStock", COUNT, " ".join(words[max(0, i - 2) : i + 3]))
    if _CJK_CHAR.search(low):
        match = _CJK_COUNT.search(low)
        if match:
            return StockReading("InStock" if int(match.group(1)) else "OutOfStock", COUNT, match.group(0))
    return None


def _is_whole(before: list[str], after: list[str]) -> bool:
    """Whether a phrase is the whole text but for fillers ("Currently available", "Item: available")."""
    rest = _drop_fillers(before) + after
    return all(w in ("availability", "status", "stock") or _FILLERS.starts([w]) for w in rest)


def _judge(term: str, kind: str, phrase: str, before: list[str], after: list[str], raw: str) -> StockReading | None:
    if kind in _IN_KINDS:
        turned = _turned(before, after, raw)
        if turned:
            return StockReading("OutOfStock", STATE, f"{turned}: {' '.join([*before[-3:], phrase])}")
        if kind == WEAK and not _is_whole(before, after):
            return None
    if kind == DELIVERY and not any(ch.isdigit() for ch in " ".join(after)):
        return None  # "Delivery time" with no time is a heading
    return StockReading(term, kind, phrase)


def _readings(low: str, words: list[str]):
    i = 0
    while i < len(words):
        found = _WORDS.at(words, i)
        if found is None:
            i += 1
            continue
        size, phrase, term, kind = found
        reading = _judge(term, kind, phrase, words[:i], words[i + size :], "")
        if reading is not None:
            yield reading
        i += size
    if _CJK_CHAR.search(low):
        for phrase, term, kind in _JOINED:
            at = low.find(phrase)
            if at < 0:
                continue
            before, after = low[:at], low[at + len(phrase) :]
            reading = _judge(term, kind, phrase, before.split(), after.split(), before.rstrip())
            if reading is not None:
                yield reading


@lru_cache(maxsize=1 << 15)
def read_stock_text(text: str | None) -> StockReading | None:
    """The stock state a short visible text states, or None (see the module docstring for the order).

    Memoised: shops repeat the same labels on every page and across pages.
    """
    if not text or len(text) > 2 * MAX_TEXT:
        return None
    if not any(w.strip(_STRIP) in _KEYS for w in text.lower().split()) and not _CJK_CHAR.search(text):
        if "-" not in text and "_" not in text:  # "sold-out", "out_of_stock" split only once normalised
            return None
    low = normalise(text)
    if not low or len(low) > MAX_TEXT:
        return None
    best = _read(low)
    if best is not None and best.kind != BUTTON and _about_a_store(low):
        return None  # "Retiro en tienda: No disponible" is about one way to get it, not its stock
    return best


def _read(low: str) -> StockReading | None:
    words = low.split()
    if any(ch.isdigit() for ch in low):
        counted = _count(words, low)
        if counted is not None:
            return counted
    best: StockReading | None = None
    for reading in _readings(low, words):
        if reading.kind == STATE:
            return reading
        if best is None or _RANK[reading.kind] < _RANK[best.kind]:
            best = reading
    return best


def stock_term(text: str | None) -> str | None:
    """Just the schema.org term of `read_stock_text`, or None."""
    reading = read_stock_text(text)
    return reading.term if reading else None
