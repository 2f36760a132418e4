"""Which product of ours a competitor's page sells, with how sure we are. Pure.

Evidence, strongest first:
- the page's GTIN (EAN/UPC/ISBN, check digit verified) equals ours: 0.99, unless the brands disagree;
- the page's MPN or SKU equals our MPN or SKU (letters and digits compared, at least 4 with a digit):
  0.96 with the brand confirmed, less without; a title that names another variant or capacity
  takes it down to a proposal (our MPN's code counts alone too: "Ca304103-0000 Montre"). An MPN of
  ours that is a model name without digits ("Z Series DLC", eight letters or more) counts when the
  page's title writes it word for word, or its MPN is that name, and the brand is confirmed
  (without the brand, a phrase any shop may write: a proposal, unless the page's MPN field is that
  name and its title writes its words too: 0.92);
- the title: the brand (the page's, or named in its title), every model code of our title present
  on the page ("K12", "PRW-3100YB"; the page's SKU and MPN count), no other code of the same series
  ("K13"), the same variant words ("Pro", "Lite"), no capacity that contradicts ours ("128GB"), then
  rapidfuzz's token-set similarity of the words. Without any brand evidence a title match is at best
  a proposal.

Brands disagree only when both are known and differ; a page brand that is the shop's own name
(its host's) confirms ours but contradicts none (marketplaces write their own name).

A match is applied at `auto_accept`, proposed from `propose`, and a near tie between two of our
products is never applied: precision first, because a wrong match corrupts every comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from monitor.catalogue.titles import (
    Title,
    another_number_in_place,
    brand_in_title,
    brand_key,
    code_key,
    measures_conflict,
    numbers_conflict,
    parse_title,
)

GTIN_CONFIDENCE = 0.99
CODE_CONFIDENCE = 0.96
CROSS_SCRIPT_CONFIDENCE = 0.93
TIE_MARGIN = 0.04  # two of our products this close: a person decides
LONG_TITLE = 5  # words: a name this long, repeated by the page, is that product's name, brand or not
REPEATED_CONFIDENCE = 0.92  # a long title repeated word for word: applied, but below any code or GTIN


@dataclass(frozen=True)
class OurItem:
    """A product of ours, as matching sees it."""

    id: int
    sku: str
    name: str
    brand: str | None = None
    gtin: str | None = None
    mpn: str | None = None


@dataclass(frozen=True)
class PageItem:
    """A competitor's product page, as matching sees it (its latest good state)."""

    watch_id: int
    name: str | None
    brand: str | None = None
    sku: str | None = None
    gtin: str | None = None
    mpn: str | None = None
    site: str | None = None  # the page's host ("www.alibaba.com"): a brand that is the shop's own name


@dataclass(frozen=True)
class Candidate:
    our_id: int
    method: str  # gtin | mpn | sku | title
    confidence: float
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """What to do with a page: `accepted` or `proposed` with the chosen candidate, or `none`."""

    status: str  # accepted | proposed | none
    candidate: Candidate | None = None
    runner_up: Candidate | None = None


@dataclass(frozen=True)
class _Ours:
    item: OurItem
    title: Title
    brand: str | None
    codes: frozenset[str]  # code keys of our MPN and SKU
    unbranded: Title  # the title without the brand's words

    @property
    def names_product(self) -> bool:
        """Our title says more than the brand: a row named only "Brome" names no variant, series or
        capacity, so no title can disagree with it; its code decides."""
        return bool(set(self.title.words) - _brand_words(self.item.brand or ""))


def _brands_agree(a: str | None, b: str | None) -> bool | None:
    """True/False when both brands are known, None when one is missing."""
    if not a or not b:
        return None
    if a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a)):
        return True  # "johnlewis" in "johnlewisandpartners"; a page's "Brand: Panasonic" line
    return fuzz.ratio(a, b) >= 90


def _names_the_site(brand: str, site: str | None) -> bool:
    """Is the page's brand the shop's own name, a label of its host or the start of one ("Ali" on
    www.alibaba.com, "ZARA" on zara.com)? Three letters or more: shorter keys start too many names."""
    labels = (site or "").lower().split(".")[:-1]  # the top-level domain names no shop
    return len(brand) >= 3 and any(label.startswith(brand) for label in labels if label != "www")


def page_brand_agrees(our_brand: str | None, page: PageItem) -> bool | None:
    """Do our brand and the page's agree (None: one is missing)? A page whose brand is its own
    shop's name confirms that brand of ours, but contradicts no other: marketplaces and shop
    templates write their own name where the maker's is missing ("Ali" on an Alibaba seller's
    YONGLI slicer), and a shop's house brand is ours only when ours says so."""
    theirs = brand_key(page.brand)
    agree = _brands_agree(our_brand, theirs)
    return None if agree is False and theirs and _names_the_site(theirs, page.site) else agree


@lru_cache(maxsize=4096)
def _brand_words(brand: str) -> frozenset[str]:
    return frozenset(parse_title(brand).all_words)


@lru_cache(maxsize=8192)
def _without_brand(title: Title, brand: str | None) -> Title:
    """The title without the brand's words (when it names them), for comparing the product's words."""
    drop = _brand_words(brand) if brand else frozenset()
    if not drop:
        return title
    kept = tuple(w for w in title.words if w not in drop) or title.words
    text = " ".join(kept)
    latin = " ".join(w for w in title.latin.split() if w not in drop) or title.latin
    head = tuple(w for w in title.head if w not in drop)
    return replace(title, text=text, words=kept, latin=latin, head=head)


def repeats(ours: Title, theirs: Title) -> bool:
    """The page writes our title as one phrase (its words in a row, spaces aside: "1970s" = "1970's"),
    with whatever it adds around it ("Entradas ... - Santiago", a shop's prefix): a name of five
    words or more, the length a title must have to be applied without a brand."""
    return len(ours.words) >= LONG_TITLE and "".join(ours.words) in "".join(theirs.words)


def _latin(title: Title, cross: bool) -> str:
    """The words to compare: all of them, or only those outside CJK scripts when the titles differ."""
    return title.latin if cross else title.text


def _alpha_prefix(code: str) -> str:
    prefix = ""
    for c in code:
        if c.isdigit():
            break
        prefix += c
    return prefix


def _other_series_code(ours: Title, theirs: Title) -> str | None:
    """A code on the page of the same series as one of ours but not ours ("k13" against "k12")."""
    for code in theirs.codes - ours.codes:
        if any(code in ours.joined or o.startswith(code) or code.startswith(o) for o in ours.codes):
            continue
        prefix = _alpha_prefix(code)
        if prefix and any(_alpha_prefix(o) == prefix for o in ours.codes):
            return code
    return None


def _mpn_keys(mpn: str | None) -> set[str | None]:
    """Our MPN as compared, and each code it writes apart from words ("Ca304103-0000 Montre": the
    code, then "watch"): a page gives the code alone. A part counts when it has letters and digits
    and six characters or more, as long as the page parts `_code_hits` reads ("HMP 2000" stays whole)."""
    parts = (code_key(p) for p in (mpn or "").split())
    return {code_key(mpn)} | {k for k in parts if k and len(k) >= 6 and not k.isdigit()}


def _model_name(mpn: str | None) -> tuple[str, ...] | None:
    """An MPN that is a model name rather than a code ("Z Series DLC"): its words, when it has two
    or more, no digit, and eight letters or more (shorter names are words shops use for anything)."""
    if not mpn or code_key(mpn) is not None:
        return None
    words = parse_title(mpn).all_words
    return words if len(words) >= 2 and sum(len(w) for w in words) >= 8 else None


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _writes_words(title: Title, name: tuple[str, ...]) -> bool:
    """Does the title write every word of this name, anywhere and in any order, a plural's "s"
    aside ("Fake Blood Scab Scar Wound" writes "Fake Wounds")?"""
    written = {_singular(w) for w in title.all_words}
    return all(_singular(w) in written for w in name)


def identifier_differs(ours: OurItem, page: PageItem) -> str | None:
    """Both state a GTIN, or an MPN, and they differ (an MPN counts as the same when one holds the
    other: "Ca304103-0000" of "Ca304103-0000 Montre", "NC5100EF" of "NC5100EF-US"): which one."""
    if ours.gtin and page.gtin and ours.gtin != page.gtin:
        return "gtin"
    a, b = code_key(ours.mpn), code_key(page.mpn)
    return "mpn" if a and b and a not in b and b not in a else None


@dataclass(frozen=True)
class Conflict:
    """Why two titles cannot be one product; `kind`: code (ours missing), series, variant, measure,
    number, accessory."""

    kind: str
    message: str


def title_conflict(ours: Title, theirs: Title) -> Conflict | None:
    """Why two titles cannot be one product (a model code, variant or capacity differs), or None."""
    missing = sorted(c for c in ours.codes if not theirs.has_code(c))
    if missing:
        return Conflict("code", f"the page does not show our model code {missing[0]}")
    other = _other_series_code(ours, theirs)
    if other:
        return Conflict("series", f"the page shows another model ({other})")
    if ours.variants != theirs.variants:
        return Conflict("variant", f"variant differs ({', '.join(sorted(ours.variants ^ theirs.variants))})")
    if measures_conflict(ours, theirs):
        return Conflict("measure", "capacity or size differs")
    if numbers_conflict(ours, theirs):
        return Conflict("number", "a number of the name differs (a sequel, volume or set)")
    other_number = another_number_in_place(ours, theirs)
    if other_number:
        return Conflict("number", f"the page writes another number in our number's place ({other_number})")
    extra = theirs.accessories - ours.accessories
    if extra:
        return Conflict("accessory", f"the page sells an accessory ({', '.join(sorted(extra))})")
    return None


class CatalogueIndex:
    """Our products, indexed for matching: by GTIN, by code, by brand and by title code."""

    def __init__(self, items: Iterable[OurItem]) -> None:
        self.ours: dict[int, _Ours] = {}
        self.by_gtin: dict[str, list[int]] = {}
        self.by_code: dict[str, list[tuple[int, str, bool]]] = {}  # key -> (our id, method, from our title)
        self.by_word: dict[str, set[int]] = {}
        self.by_model_name: dict[str, list[tuple[tuple[str, ...], int]]] = {}  # first word -> (words, our id)
        self.brands: set[str] = set()
        items = list(items)
        titles = {item.id: parse_title(item.name) for item in items}
        frequency: dict[str, int] = {}
        for title in titles.values():
            for word in set(title.words):
                frequency[word] = frequency.get(word, 0) + 1
        rare_cap = max(10, len(items) // 200)  # a word most products share finds too many to score
        for item in items:
            title = titles[item.id]
            keys = {k for k in (code_key(item.mpn), code_key(item.sku)) if k}
            ours = _Ours(item, title, brand_key(item.brand), frozenset(keys), _without_brand(title, item.brand))
            self.ours[item.id] = ours
            if ours.brand:
                self.brands.add(ours.brand)
            if item.gtin:
                self.by_gtin.setdefault(item.gtin, []).append(item.id)
            # Our MPN, our SKU, and a long code our title names ("Panasonic NN-K35HWMEBG"): a page
            # whose SKU or MPN is one of these names the same product.
            named = {code_key(c) for c in title.codes if len(c) >= 6}
            sources = (("mpn", _mpn_keys(item.mpn), False), ("sku", {code_key(item.sku)}, False), ("mpn", named, True))
            for method, keys, in_title in sources:
                for key in keys - {None}:
                    self.by_code.setdefault(str(key), []).append((item.id, method, in_title))
            named_model = _model_name(item.mpn)
            if named_model:
                self.by_model_name.setdefault(named_model[0], []).append((named_model, item.id))
            # Found by its brand, its codes, and its two rarest words (a product without brand or code).
            rare = sorted(
                (w for w in set(title.words) if len(w) >= 4 and frequency[w] <= rare_cap), key=lambda w: (frequency[w], w)
            )[:2]
            for word in {ours.brand, *title.codes, *rare} - {None}:
                self.by_word.setdefault(str(word), set()).add(item.id)

    def __len__(self) -> int:
        return len(self.ours)

    # ---- evidence ---------------------------------------------------------------------------
    def _by_gtin(self, page: PageItem) -> list[Candidate]:
        out = []
        for our_id in self.by_gtin.get(page.gtin or "", []):
            agree = page_brand_agrees(self.ours[our_id].brand, page)
            conf = GTIN_CONFIDENCE if agree is not False else 0.7
            out.append(Candidate(our_id, "gtin", conf, {"gtin": page.gtin, "brand_agrees": agree}))
        return out

    def _code_hits(self, value: str | None) -> dict[tuple[int, str, bool], str]:
        """(our id, method, from our title) -> the key a page's code matched: the whole code, or a long part of it
        ("MU312M00L" of "MU312M00L-C11")."""
        keys = {code_key(value)} | {code_key(p) for p in re.split(r"[-./_ ]+", value or "") if len(p) >= 6}
        return {hit: str(key) for key in keys - {None} for hit in self.by_code.get(str(key), [])}

    def _by_code(self, page: PageItem, title: Title) -> list[Candidate]:
        out = []
        shown = [("title", c) for c in sorted(title.codes) if len(c) >= 5]  # "HMP2000" in the title
        for field_name, value in (("mpn", page.mpn), ("sku", page.sku), *shown):
            for (our_id, method, in_title), key in self._code_hits(value).items():
                ours = self.ours[our_id]
                agree = page_brand_agrees(ours.brand, page)
                if agree is None and ours.item.brand and brand_in_title(ours.item.brand, title):
                    agree = True
                if in_title and field_name == "title" and agree is not True:
                    # A code both titles write ("Fatal1ty" of two Sound Blaster cards) is a word of
                    # theirs, not an identifier: without the brand, the titles' scoring decides.
                    continue
                # Without a brand to confirm it, a long code (8 characters or more, letters and
                # digits: "NC5100EF") still names one product; a short one is only a proposal.
                specific = len(key) >= 8 and not key.isdigit() and not key.isalpha()
                conf = {True: CODE_CONFIDENCE, None: 0.92 if specific else 0.85, False: 0.5}[agree]
                # The code itself matched, so a title that writes the code otherwise is no conflict;
                # one that names another variant, series or capacity is.
                conflict = title_conflict(ours.title, title) if page.name and ours.names_product else None
                evidence = {"page_" + field_name: value, "our_" + method: key, "brand_agrees": agree}
                if conflict is not None and conflict.kind != "code":
                    conf = min(conf, 0.7)
                    evidence["title_conflict"] = conflict.message
                out.append(Candidate(our_id, method, conf, evidence))
        return out

    def _by_model_name(self, page: PageItem, title: Title) -> list[Candidate]:
        """Our model names the page's title writes word for word, or its MPN is ("Fake Wounds")."""
        out = []
        words = title.all_words
        hits = {
            our_id for i, word in enumerate(words) for name, our_id in self.by_model_name.get(word, [])
            if words[i : i + len(name)] == name
        }  # fmt: skip
        own = _model_name(page.mpn)
        named_by_field = self.by_model_name.get(own[0], []) if own else []
        in_field = {our_id for name, our_id in named_by_field if name == own}
        # The page's MPN field is our model name and its title writes that name's words too: the
        # page names its model in two places, so it is the page's own model name, not a phrase a
        # title happens to contain ("MPN: Fake Wounds", "... Fake Blood Scab Scar Wound ...").
        twice = own is not None and _writes_words(title, own)
        for our_id in sorted(hits | in_field):
            ours = self.ours[our_id]
            agree = page_brand_agrees(ours.brand, page)
            if agree is None and ours.item.brand and brand_in_title(ours.item.brand, title):
                agree = True
            unbranded = REPEATED_CONFIDENCE if twice and our_id in in_field else 0.8
            conf = {True: CODE_CONFIDENCE, None: unbranded, False: 0.5}[agree]
            evidence: dict[str, Any] = {"page_title": page.name, "page_mpn": page.mpn, "our_mpn": ours.item.mpn, "brand_agrees": agree}
            conflict = title_conflict(ours.title, title) if ours.names_product else None
            if conflict is not None and conflict.kind != "code":
                conf = min(conf, 0.7)
                evidence["title_conflict"] = conflict.message
            out.append(Candidate(our_id, "mpn", conf, evidence))
        return out

    def _title_candidates(self, page: PageItem, title: Title) -> set[int]:
        ids: set[int] = set()
        for word in title.joined | title.codes | {brand_key(page.brand) or ""}:
            ids |= self.by_word.get(word, set())
        return ids

    def _by_title(self, page: PageItem, title: Title) -> list[Candidate]:
        out = []
        for our_id in self._title_candidates(page, title):
            ours = self.ours[our_id]
            candidate = self._score_title(ours, title, page)
            if candidate is not None:
                out.append(candidate)
        return out

    def _score_title(self, ours: _Ours, title: Title, page: PageItem) -> Candidate | None:
        agree = page_brand_agrees(ours.brand, page)
        if agree is False:
            return None
        named = ours.item.brand is not None and brand_in_title(ours.item.brand, title)
        if agree or named:
            ours_words, page_words = ours.unbranded, _without_brand(title, ours.item.brand)
        else:
            ours_words, page_words = ours.title, title
        if agree is None and not named and self._names_other_brand(ours, title):
            return None
        if title_conflict(ours.title, title) is not None:
            return None
        cross = ours.title.scripts != title.scripts
        # The brand is settled above: the words compared are the product's own.
        sim = fuzz.token_set_ratio(_latin(ours_words, cross), _latin(page_words, cross)) / 100
        if ours.title.codes and cross:
            # Titles in two scripts ("Kestrel K12 Pro 无线耳机"): their words cannot confirm the
            # product, so the model's own specificity decides: a code of five characters or more
            # (a variant word counts two: "K12 Pro") identifies it; a short code alone ("X19") is
            # only a proposal.
            specific = sum(len(c) for c in ours.title.codes) + 2 * len(ours.title.variants)
            conf = CROSS_SCRIPT_CONFIDENCE if specific >= 5 else 0.85
        elif ours.title.codes:
            conf = 0.7 + 0.26 * sim  # brand and model code agree: the words confirm
        else:
            # No model code: the words are all there is; extra words on the page (a colour, a size)
            # count against it, our words missing from the page more. Qualifiers the page adds
            # after its name ("Faux Fur Throw, Platinum") do not, when every word of ours is in the
            # name: our row need not name the colour; one that names another is compared whole.
            a, b = _latin(ours_words, cross), _latin(page_words, cross)
            if not cross and ours_words.words and set(ours_words.words) <= set(page_words.head):
                b = " ".join(page_words.head)
            words = (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 200
            conf = (0.45 + 0.5 * words) * (0.8 if cross else 1.0)
        if not cross and repeats(ours.title, title):
            conf = max(conf, REPEATED_CONFIDENCE)
        if agree is None:
            conf -= 0.02 if named else 0.0
            if not named:
                conf = min(conf, self._unbranded_cap(ours, title, cross))
        evidence = {"similarity": round(sim, 3), "brand_agrees": agree if agree is not None else named}
        if ours.title.codes:
            evidence["codes"] = sorted(ours.title.codes)
        differs = identifier_differs(ours.item, page)
        if differs:
            # Titles alike, identifiers not: another model or variant sold under the same words
            # ("NC5100EF" against our "NC5101EF"), or one of two GTINs of a product: a person decides.
            conf = min(conf, 0.75)
            evidence["identifier_differs"] = differs
        return Candidate(ours.item.id, "title", round(conf, 4), evidence)

    @staticmethod
    def _unbranded_cap(ours: _Ours, title: Title, cross: bool) -> float:
        """Without any brand evidence, only a long title (five words or more) the page repeats
        almost word for word (95 % alike) or as one phrase may be applied; anything else waits
        for a person. Chinese, Japanese and Korean run their words together, so the length of a
        title in those scripts says nothing of how specific it is: it waits too."""
        if cross or ours.title.scripts or len(ours.title.words) < LONG_TITLE:
            return 0.75
        alike = fuzz.token_sort_ratio(ours.title.text, title.text) / 100
        return REPEATED_CONFIDENCE if alike >= 0.95 or repeats(ours.title, title) else 0.75

    def _names_other_brand(self, ours: _Ours, title: Title) -> bool:
        """The page's title starts with a brand of ours that is not this product's."""
        first = title.all_words[:3]
        keys = {first[0]} if first else set()
        keys |= {a + b for a, b in zip(first, first[1:], strict=False)}
        return any(k != ours.brand and k in self.brands for k in keys)

    # ---- decision ---------------------------------------------------------------------------
    def candidates(self, page: PageItem, rejected: Iterable[int] = ()) -> list[Candidate]:
        """Every product of ours this page may be, best first (one candidate per product)."""
        title = parse_title(page.name, (page.sku, page.mpn))
        best: dict[int, Candidate] = {}
        found = self._by_gtin(page)
        if not any(c.confidence >= GTIN_CONFIDENCE for c in found):  # a GTIN settles it: nothing else can beat it
            found += self._by_code(page, title)
            if page.name:
                found += self._by_title(page, title)
                if self.by_model_name:
                    found += self._by_model_name(page, title)
        skip = set(rejected)
        for cand in found:
            if cand.our_id in skip:
                continue
            if cand.our_id not in best or cand.confidence > best[cand.our_id].confidence:
                best[cand.our_id] = cand
        return sorted(best.values(), key=lambda c: (-c.confidence, c.our_id))

    def decide(
        self, page: PageItem, auto_accept: float = 0.9, propose: float = 0.6, rejected: Iterable[int] = ()
    ) -> Decision:
        ranked = self.candidates(page, rejected)
        if not ranked or ranked[0].confidence < propose:
            return Decision("none")
        top = ranked[0]
        second = ranked[1] if len(ranked) > 1 else None
        tied = second is not None and second.confidence >= top.confidence - TIE_MARGIN
        status = "accepted" if top.confidence >= auto_accept and not tied else "proposed"
        return Decision(status, top, second)
