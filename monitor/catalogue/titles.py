"""Product titles as matching compares them: normalised words, model codes, variant words. Pure.

Two shops name one product differently ("Kestrel K12 Pro Wireless Headphones", "Kestrel Wireless
Headphones K12 Pro – Black", "Kestrel K12 Pro 无线耳机"), but what tells two products apart survives:
the brand, the model code ("K12", "WH-1000XM4", "PRW-3100YB"), the variant word ("Pro", "Lite") and
capacities ("256GB", "55 inch"). A code is compared without its separators, so "WH-1000XM4",
"WH 1000XM4" and "wh1000xm4" are one code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

# Words that name one product line's variants: a title with one of these is another product than
# the same title without it ("K12" vs "K12 Pro"), in every language shops write them.
VARIANT_WORDS = frozenset(
    "pro max plus mini lite ultra air se xl xxl xs slim neo prime note fold flip edge go lte 5g 4g".split()
)
# Words that make a page sell something for the product rather than the product ("Case for K12").
ACCESSORY_WORDS = frozenset(
    """case cover sleeve pouch strap band charger cable adapter protector replacement spare compatible
    refill cartridge mount holder stand skin film hulle tasche ladekabel schutzfolie coque etui housse
    chargeur funda cargador 保护壳 保护套 充电器 数据线 贴膜 表带""".split()
)
# Units whose numbers tell capacities apart: "128GB" is never the "256GB" model.
UNITS = (
    "tb gb mb mah wh w kw v mm cm m l ml g kg oz lb in inch hz khz mhz ghz mp k p x pcs pieces pack"
).split()
_UNIT_RE = re.compile(r"^(\d+(?:[.,]\d+)?)(" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")$")
_CODE_CHARS = re.compile(r"[-./_+]")
_WORDS = re.compile(r"[^\W_]+(?:[-./+][^\W_]+)*", re.UNICODE)
_CJK_CHARS = r"\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_CJK = re.compile(rf"[{_CJK_CHARS}]")
_SCRIPT_CHANGE = re.compile(rf"(?<=[{_CJK_CHARS}])(?=[^\s{_CJK_CHARS}])|(?<=[^\s{_CJK_CHARS}])(?=[{_CJK_CHARS}])")
# Letter sizes, and a range of them a row or page says it comes in ("du S au XXL", "S-XXL", "XS to XL"):
# the sizes one product is sold in, not a variant of it ("XL" alone still is one).
_SIZES = "xxs|xs|s|m|l|xl|xxl|xxxl|[2-5]xl"
_SIZE_RANGE = re.compile(rf"\b(?:{_SIZES})\s*(?:[-–/]|\s(?:au|à|a|al|to|bis|tot|do)\s)\s*(?:{_SIZES})\b")
_FILLER = frozenset("the a an and with for of by de la le les der die das und mit für von et avec pour".split())


# Where a title's name ends and its qualifiers begin: "Faux Fur Throw, Platinum", "Hook - black",
# "Whiskyglas (2-tlg)". A comma between digits is a decimal one ("5,4"), a hyphen inside a word joins it.
_QUALIFIER = re.compile(r"\s[-/]\s|[–—|·(\[]|,(?!\d)")
_OTHER_ALPHABET = re.compile(r"[\u0370-\u03ff\u0400-\u052f\u0590-\u05ff\u0600-\u06ff\u0e00-\u0e7f]+")


def fold(text: str) -> str:
    """Lower case, compatibility forms folded, accents off, trademark signs gone; Greek, Cyrillic,
    Hebrew, Arabic and Thai words transliterated (anyascii), so "Набор стаканов" and a shop's
    "nabor stakanov" compare as the same words. CJK stays as it is: its words are compared apart."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _OTHER_ALPHABET.sub(lambda m: anyascii(m.group(0)).lower(), text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.replace("™", " ").replace("®", " ").replace("&", " and ")


# A template's unfilled placeholder where a page meant to print the brand ("$metabrand",
# "{{ product.brand }}", "%BRAND%"): no brand at all, rather than one that disagrees with ours.
_PLACEHOLDER = re.compile(r"\s*(?:\$\{?\w+\}?|\{\{.*\}\}|%\w+%|\[\[.*\]\])\s*")


# What shops write in a brand field for a product without one ("Brand: Unbranded", eBay's "Does not
# apply", Amazon's "Generic"): no brand, rather than one that disagrees with ours.
_NO_BRAND = frozenset(
    "unbranded generic nobrand noname doesnotapply notapplicable na none other sinmarca sansmarque ohnemarke senzamarca".split()
)


@lru_cache(maxsize=16384)  # matching asks for a page's brand once per candidate product
def brand_key(brand: str | None) -> str | None:
    """A brand as compared: letters and digits only ("De'Longhi" = "DeLonghi", "CARAN D'ACHE")."""
    if not brand or _PLACEHOLDER.fullmatch(brand):
        return None
    key = re.sub(r"[^\w]", "", fold(brand)).replace("_", "")
    return key if key and key not in _NO_BRAND else None


def code_key(value: str | None) -> str | None:
    """An identifier (MPN, SKU) as compared: letters and digits, upper case; None when too weak to
    identify anything (shorter than 4, or without a digit)."""
    if not value:
        return None
    key = re.sub(r"[^0-9A-Za-z]", "", fold(value)).upper()
    return key if len(key) >= 4 and any(c.isdigit() for c in key) else None


@dataclass(frozen=True)
class Title:
    """A title as matching sees it."""

    text: str  # normalised words, space-separated (rapidfuzz compares these)
    words: tuple[str, ...]
    codes: frozenset[str]  # model codes without separators: "k12", "wh1000xm4"
    joined: frozenset[str]  # every word and every two adjacent words joined: "wh"+"1000xm4"
    variants: frozenset[str]
    measures: frozenset[tuple[str, str]]  # (unit, number): ("gb", "256")
    all_words: tuple[str, ...] = ()  # every word, fillers too (to find a brand's words in a row)
    accessories: frozenset[str] = frozenset()
    scripts: frozenset[str] = frozenset()  # "cjk" when the title has Chinese, Japanese or Korean words
    latin: str = ""  # the normalised words outside those scripts
    head: tuple[str, ...] = ()  # the words before the first qualifier (colour, size, category)
    numbers: frozenset[str] = frozenset()  # numbers of one or two digits standing alone: "Mannequin 2", "(1)"
    tokens: tuple[str, ...] = ()  # the words as written, separators kept: "5.4", "prw-3100yb-1er"

    def has_code(self, code: str) -> bool:
        return code in self.joined or code in self.codes


# A token made of numbers each with at most a short unit ("2560x1440", "1310/1550nm", "30mW30KM",
# "4mx5m", "1080p", "144hz"): sizes and ratings many products share, not a model's code.
_MEASURE_LIKE = re.compile(r"(?:\d+(?:[.,]\d+)?[^\W\d_]{0,3}[-./+x]?)+")


def _is_code(word: str) -> bool:
    bare = _CODE_CHARS.sub("", word)
    has_digit = any(c.isdigit() for c in bare)
    has_alpha = any(c.isalpha() for c in bare)
    return has_digit and (has_alpha or len(bare) >= 3) and not _CJK.search(bare)


def _measure(word: str) -> tuple[str, str] | None:
    match = _UNIT_RE.match(word.replace(",", "."))
    if not match:
        return None
    number = match.group(1).rstrip("0").rstrip(".") if "." in match.group(1) else match.group(1)
    return (match.group(2).replace("inch", "in").replace("pieces", "pcs"), number)


def parse_title(text: str | None, extra_codes: tuple[str | None, ...] = ()) -> Title:
    """A title's words, codes, variant words and measures; `extra_codes` (a page's SKU and MPN)
    count as codes the title shows."""
    # CJK is written without spaces, so a model code runs into the words after it ("M128fw黑白激光"):
    # a change of script ends a word.
    folded = _SCRIPT_CHANGE.sub(" ", fold(text or ""))
    raw = _WORDS.findall(folded)
    # "4x42" and "60 x 30 cm" keep their numbers apart; "pro-max" is two words.
    words: list[str] = []
    codes: set[str] = set()
    measures: set[tuple[str, str]] = set()
    for token in raw:
        if _is_code(token) and (token.isdigit() or not _MEASURE_LIKE.fullmatch(token)):
            codes.add(_CODE_CHARS.sub("", token))
        parts = [p for p in _CODE_CHARS.split(token) if p]
        words.extend(parts)
    for i, word in enumerate(words):
        m = _measure(word) or (
            _measure(word + words[i + 1]) if i + 1 < len(words) and words[i + 1] in UNITS else None
        )
        if m:
            measures.add(m)
    shown: set[str] = set()
    for code in extra_codes:
        if code:
            bare = _CODE_CHARS.sub("", fold(code)).replace(" ", "")
            if _is_code(bare):
                codes.add(bare)
                # "VEI22G013-K11" shows "vei22g013" and "k11" as much as the whole code
                shown |= {p for p in re.split(r"[-./_+\s]+", fold(code)) if p}
    joined = set(words) | shown | {a + b for a, b in zip(words, words[1:], strict=False)}
    joined |= {a + b + c for a, b, c in zip(words, words[1:], words[2:], strict=False)}
    kept = [w for w in words if w not in _FILLER]
    unranged = _WORDS.findall(_SIZE_RANGE.sub(" ", folded))
    variants = frozenset(w for t in unranged for w in _CODE_CHARS.split(t) if w in VARIANT_WORDS)
    head = _QUALIFIER.split(folded, maxsplit=1)[0]
    head_words = tuple(w for t in _WORDS.findall(head) for w in _CODE_CHARS.split(t) if w and w not in _FILLER)
    return Title(
        " ".join(kept),
        tuple(kept),
        frozenset(codes),
        frozenset(joined),
        variants,
        frozenset(measures),
        tuple(words),
        frozenset(w for w in words if w in ACCESSORY_WORDS),
        frozenset({"cjk"} if any(_CJK.search(w) for w in kept) else set()),
        " ".join(w for w in kept if not _CJK.search(w)),
        head_words,
        frozenset(t for t in raw if t.isdigit() and len(t) <= 2),
        tuple(raw),
    )


def brand_in_title(brand: str | None, title: Title) -> bool:
    """Does the title name this brand: its words in a row, or joined ("De'Longhi" = "DeLonghi")?"""
    key = brand_key(brand)
    if not key:
        return False
    if key in title.joined:
        return True
    words = tuple(w for w in parse_title(brand).all_words)
    n = len(words)
    return n > 0 and any(title.all_words[i : i + n] == words for i in range(len(title.all_words) - n + 1))


def numbers_conflict(ours: Title, theirs: Title) -> bool:
    """A number standing alone in our title (a sequel, a volume, an issue, a set: "Mannequin 2",
    "(1)", "30号", "Set 2") that the page does not write anywhere: another product of that name.
    A page's title adds numbers that describe rather than name ("mit 2 Heizstufen"), except one it
    writes inside our name, between two words ours writes side by side ("Mannequin 2 Movie Poster"
    against our "Mannequin Movie Poster"): that is the sequel's name, not a description."""
    if any(n not in theirs.all_words for n in ours.numbers):
        return True
    words = theirs.all_words
    inserted = {
        (words[i - 1], words[i + 1]) for i in range(1, len(words) - 1) if words[i] in theirs.numbers and words[i] not in ours.all_words
    }  # fmt: skip
    return bool(inserted & set(zip(ours.all_words, ours.all_words[1:], strict=False)))


def _numbered_after(sequence: tuple[str, ...]) -> dict[str, set[str]]:
    """word -> the words with a digit that follow it ("future" -> {"5.4"}, "puzzle" -> {"4x42"})."""
    out: dict[str, set[str]] = {}
    for word, after in zip(sequence, sequence[1:], strict=False):
        if any(c.isdigit() for c in after) and not any(c.isdigit() for c in word):
            out.setdefault(word, set()).add(after)
    return out


def another_number_in_place(ours: Title, theirs: Title) -> str | None:
    """A number or size of ours the page does not write, where the page writes another after the
    same word ("Future 5.5" against "Future 5.4", "Puzzle 4x43" against "Puzzle 4x42", "PRW 3101YB"
    against "PRW-3100YB"): another model or size of one line, even where the token is no model code.
    Compared as written ("5.4") and word by word ("prw", "3100yb"); the page's number must be one our
    title writes nowhere ("Smartphone S11" is ours reordered). Returns the page's number, or None."""
    written = set(theirs.tokens) | set(theirs.all_words) | theirs.joined
    # a number our title writes elsewhere is ours reordered, not another
    ours_written = set(ours.tokens) | set(ours.all_words) | ours.joined
    for sequence, page_sequence in ((ours.tokens, theirs.tokens), (ours.all_words, theirs.all_words)):
        page_after = _numbered_after(page_sequence)
        for word, numbers in _numbered_after(sequence).items():
            others = page_after.get(word, set()) - ours_written
            if others and any(n not in written for n in numbers):
                return min(others)
    return None


def measures_conflict(a: Title, b: Title) -> bool:
    """Both name a measure in the same unit and no number of it agrees (128GB vs 256GB)."""
    for unit in {u for u, _ in a.measures} & {u for u, _ in b.measures}:
        if not {n for u, n in a.measures if u == unit} & {n for u, n in b.measures if u == unit}:
            return True
    return False
