"""Matching benchmark: which product of ours does a competitor page sell? Precision first.

Usage, from the repo root:  .venv/bin/python bench/matching.py [--show-errors]

The competitor side is always what rivalwatch itself reads from a page (the product extractor, then
the identifiers reader: name, brand, SKU, GTIN, MPN), as a crawl stores it. The pairs:

1. Real pages: the 72 pages of the Zyte product-extraction benchmark (Amazon, Walmart-era shops,
   IKEA, Zalando, Argos and ~100 smaller shops). No two of them sell the same product, so "our"
   catalogue entry for a page is written from what a retailer selling it would know, none of it
   read by rivalwatch's extractor: the brand, GTIN and MPN of the benchmark's human ground truth,
   and as our title the words of the page's URL slug (the shop's own words for the product, which
   differ from its page title; the product's segment, not a category folder; ids in the slug
   dropped, the shop's SKU among them). These are not two shops' pages of one product: the
   corpora hold none (no GTIN or MPN is in two truth files; no two shops' search pages share a
   query), so the other shop is stood for by what a retailer's catalogue row would hold. It is
   a harsh stand-in: a row whose truth has no brand has none (Tchibo's, Zara's own pages), a
   slug may name a city or a size range the title does not. A page with neither slug words nor a GTIN
   or MPN gets no entry and is only a negative. Each page is matched against the whole catalogue
   (its own entry the one right answer, the other 71 wrong: same-shop pages are the hard ones),
   and again against the catalogue without its own entry, where any match is wrong.
2. The demo market: four shops selling the same 50 products, each naming them its own way (JSON-LD
   with GTINs, German titles with microdata GTINs, plain HTML with reordered titles and colours,
   Chinese titles), rendered pages extracted as the crawl does (with the watchlist's selectors for
   the shops without structured data). Our catalogue: the 50 products plus 30 near twins only we
   sell (same model in another variant, the next model number, the same model under another
   brand). The shops' 25 new arrivals are not ours: pages that must match nothing. Each page is
   matched with and without its own product in the catalogue, as above.

3. Twins of the real pages' rows (precision only): for each row of ours, the rows a catalogue
   selling its product would also hold: another model (each digit-bearing code of its MPN and title
   with its last digit moved on, "K12" -> "K13"; no GTIN) and another variant (its title with
   "Pro" or "Mini" added, no identifier). Each real page is matched against the catalogue without
   its own row but with the twins: any match is wrong (same brand, the same words, another model).

4. Listing neighbours (precision only): the ~740 result titles of the real shop search pages in
   ../shared/corpora/listings (Amazon, eBay, Etsy, AliExpress, JD). The results of one search are
   different listings, many of them near twins ("Mannequin 2 Movie Poster Fridge Magnet", two
   Sound Blaster cards of one line, monitors sharing "2560x1440"), so each result is matched, as
   a page with only a title, against a catalogue of the other results of its page: a match to
   another title is wrong. A match to an identical title is counted apart (the same product
   listed twice, or listings no title can tell apart).

A match counts when it is applied (confidence >= auto_accept); proposals are counted apart (a
person decides those). Precision = right applied / all applied; recall = right applied / pages
whose product is in the catalogue. The baseline, measured in the same run, is a plain title
matcher: rapidfuzz token-set similarity >= 0.9 between titles, with no brand, code or GTIN logic.

Leave-one-source-out (bench/lib/loso.py), printed beside the full figures: a source is a shop (its
country sites one shop: the corpus's Amazon pages are one source) or a demo shop. When a source is
scored, the labels a model number or a brand is read under (`MPN_LABELS`, `BRAND_LABELS`) that gave
MPNs or brands on that source's pages only are switched off; the source is scored at the shipped auto-accept (0.9, a setting of
the watchlist, not fitted here). Beside it, the threshold a refit on the other sources would choose
for each source (grid 0.80..0.98; objective: right applied - 50 x wrong applied, i.e. precision >=
0.98 first; ties go to the strictest point): how much margin the shipped one keeps.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rapidfuzz import fuzz  # noqa: E402

from bench.lib.loso import group, refit_per_source, shop_of, single_source_entries  # noqa: E402
from monitor.catalogue.config import OurProductEntry  # noqa: E402
from monitor.catalogue.matching import TIE_MARGIN, CatalogueIndex, OurItem, PageItem  # noqa: E402
from monitor.catalogue.titles import fold  # noqa: E402
from monitor.demo.catalogue import Catalogue  # noqa: E402
from monitor.demo.pages import product_page  # noqa: E402
from monitor.demo.session_prices import _decoys, our_sku  # noqa: E402
from monitor.demo.shops import HTTP_SHOPS, SHOPS  # noqa: E402
from spiders.extract.gtin import normalise_gtin  # noqa: E402
from spiders.extract.product import extract_product  # noqa: E402
from spiders.extract.product_identifiers import BRAND_LABELS, MPN_LABELS, read_identifiers  # noqa: E402

SHARED = Path(os.environ.get("RIVALWATCH_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpora" / "products" / "zyte_benchmark"
LISTINGS = SHARED / "corpora" / "listings"
AUTO, PROPOSE = 0.9, 0.6


@dataclass
class Case:
    source: str  # corpus | demo/<shop>
    page: PageItem
    right: int | None  # our product id, or None when we do not sell it
    shop: str = ""  # the source leave-one-source-out holds out
    body: bytes = b""
    url: str = ""
    selectors: dict[str, str] | None = None
    labels: set[str] = field(default_factory=set)  # the labels the page's MPN and brand were read under


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    proposed_right: int = 0
    proposed_wrong: int = 0
    methods: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)  # positives not applied: the page, our row, what was decided

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def slug_title(url: str, shop_ids: tuple[str, ...] = ()) -> str | None:
    """The words of a URL's slug, without ids; None when too few words. The slug is the product's
    own segment: the last with two lettered words or more (category folders come before it:
    "/hifi-audio-tv-video-foto/tv-projektoren/c72.../fernbedienung-tv.html"), else the wordiest.
    `shop_ids`: the shop's own ids for the product (the truth's SKUs): a slug word holding one
    ("ppd1gaiamg9r" for SKU "pd1gaiamg9r") is the shop's id, which no catalogue of ours would write."""
    segments = [re.sub(r"\.(html?|php|aspx?)$", "", unquote(s), flags=re.I) for s in urlsplit(url).path.split("/") if s]
    if not segments:
        return None
    def lettered(segment: str) -> int:
        return sum(1 for w in re.split(r"[-_+]+", segment) if re.search(r"[^\W\d_]{2}", w))

    worded = [s for s in segments if lettered(s) >= 2]
    best = worded[-1] if worded else max(segments, key=lambda s: len(re.split(r"[-_+]+", s)))
    ids = [i.lower() for i in shop_ids if len(i) >= 5]
    # ids the shop put in its URL ("p3969033", "400105394", "P496380C496379"), and a trailing number
    raw = [w for w in re.split(r"[-_+]+", best) if w]
    shop_id = [bool(re.fullmatch(r"(?:[A-Za-z]{0,2}\d{5,})+", w)) or any(i in w.lower() for i in ids) for w in raw]
    # a single letter beside such an id is the id's prefix written apart ("P-7142014-tertio-...")
    words = [
        w for k, w in enumerate(raw)
        if not shop_id[k] and not (len(w) == 1 and any(shop_id[j] for j in (k - 1, k + 1) if 0 <= j < len(raw)))
    ]  # fmt: skip
    while words and words[-1].isdigit():
        words.pop()
    if sum(1 for w in words if re.search(r"[^\W\d_]", w)) < 2:
        return None
    return " ".join(words)


def read_page(
    case_id: int, body: bytes, url: str, selectors: dict[str, str] | None = None, off: frozenset[str] = frozenset()
) -> tuple[PageItem, set[str]]:
    """The page as a crawl stores it, and the labels its MPN and brand were read under ("mpn:part
    number", "brand:marke"); `off`: labels switched off (leave-one-source-out)."""
    record = extract_product(body, url, selectors=selectors)
    mpn_labels = tuple(lb for lb in MPN_LABELS if f"mpn:{lb}" not in off)
    brand_labels = tuple(lb for lb in BRAND_LABELS if f"brand:{lb}" not in off)
    ids = read_identifiers(body, record.sku, record.name, mpn_labels, record.brand, brand_labels)
    page = PageItem(case_id, record.name, ids.brand, record.sku, ids.gtin, ids.mpn, urlsplit(url).hostname)
    labels = {f"mpn:{ids.mpn_label}"} if ids.mpn_label else set()
    return page, labels | ({f"brand:{ids.brand_label}"} if ids.brand_label else set())


def make_case(source: str, shop: str, n: int, body: bytes, url: str, right: int | None,
              selectors: dict[str, str] | None = None) -> Case:  # fmt: skip
    page, labels = read_page(n, body, url, selectors)
    return Case(source, page, right, shop, body, url, selectors, labels)


def _first(value: object) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return None if value is None else str(value)


def corpus_cases() -> tuple[list[OurItem], list[Case]]:
    ours: list[OurItem] = []
    cases: list[Case] = []
    for n, path in enumerate(sorted((CORPUS / "truth").glob("*.truth.json"))):
        truth = json.loads(path.read_text())
        body = gzip.decompress((CORPUS / truth["html_file"]).read_bytes())
        skus = tuple(str(s) for s in truth.get("sku") or ())
        title, gtin, mpn = slug_title(truth["url"], skus), normalise_gtin(_first(truth.get("gtin"))), _first(truth.get("mpn"))
        right = None
        if title or gtin or mpn:
            right = 10_000 + n
            ours.append(OurItem(right, f"OURS-{n}", title or _first(truth.get("brand")) or "", _first(truth.get("brand")), gtin, mpn))
        cases.append(make_case("corpus", shop_of(truth["url"]), n, body, truth["url"], right))
    return ours, cases


def demo_cases() -> tuple[list[OurItem], list[Case]]:
    market = Catalogue(seed=7, n_products=50)
    ours = [OurItem(p.num, our_sku(p), p.name, p.brand, normalise_gtin(p.gtin)) for p in market.products[:50]]
    for i, d in enumerate(_decoys(market.products[:50], {p.name for p in market.products})):
        entry = OurProductEntry.model_validate(d)
        ours.append(OurItem(50_000 + i, entry.sku, entry.name, entry.brand, entry.gtin, entry.mpn))
    cases = []
    n = 0
    for shop in HTTP_SHOPS:
        spec = SHOPS[shop]
        day = market.shop_day(shop, 30)  # a month in: the shop sells most new arrivals too
        for pid, offer in day.offers.items():
            p = market.by_id[pid]
            url = f"http://{shop}.example{spec.path_for(p.num, p.slug)}"
            body = product_page(spec, f"http://{shop}.example", p, offer, market.sku(shop, p), []).encode()
            n += 1
            right = p.num if p.num < 50 else None
            cases.append(make_case(f"demo/{shop}", f"demo/{shop}", n, body, url, right, spec.selectors or None))
    return ours, cases


def _listing_title(raw: str | None) -> str:
    """A result's title without the engine's highlighting and its second line (a promotion)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", raw or "")).split("\n")[0]
    return " ".join(text.split())


def listing_neighbours(decide=None) -> tuple[int, list[str], int]:  # noqa: ANN001
    """Each search result against the other results of its page: (results, wrong matches, matches
    to an identical title); `decide` as in `score` (None: rivalwatch)."""
    n, wrong, identical = 0, [], 0
    for path in sorted(LISTINGS.glob("*/*.truth.json")):
        truth = json.loads(path.read_text())
        titles = [t for t in (_listing_title(i.get("title")) for i in truth.get("results") or []) if t]
        ours = [OurItem(i, f"L{i}", t) for i, t in enumerate(titles)]
        for i, title in enumerate(titles):
            if len(titles) < 2:
                continue
            n += 1
            others = [o for o in ours if o.id != i]
            page = PageItem(i, title)
            status, chosen, method = _decide(CatalogueIndex(others), page) if decide is None else decide(others, page)
            if status != "accepted" or chosen is None:
                continue
            other = titles[chosen]
            if fold(other) == fold(title):
                identical += 1
            else:
                wrong.append(f"listing {path.parent.name}: {title!r} -> {other!r} ({method})")
    return n, wrong, identical


def _next_model(code: str) -> str:
    """The code with its last digit moved on ("K12" -> "K13", "PTV17-16912" -> "PTV17-16913")."""
    for i in range(len(code) - 1, -1, -1):
        if code[i].isdigit():
            return code[:i] + str((int(code[i]) + 1) % 10) + code[i + 1 :]
    return code + " 2"  # a model name without digits: its second model


def twins(row: OurItem, next_id: int) -> list[OurItem]:
    """Another model and two other variants of our row's product (see the module's doc, 3)."""
    name = " ".join(_next_model(w) if any(c.isdigit() for c in w) else w for w in row.name.split())
    out = []
    if name != row.name or row.mpn:  # a row with neither has no model number to move on
        mpn = _next_model(row.mpn) if row.mpn else None
        out.append(OurItem(next_id, row.sku + "-N", name, row.brand, None, mpn))
    words = set(row.name.lower().split())
    out += [OurItem(next_id + k, f"{row.sku}-{word}", f"{row.name or row.brand or ''} {word}".strip(), row.brand)
            for k, word in ((1, "Pro"), (2, "Mini")) if word.lower() not in words]  # fmt: skip
    return out


def twin_confusions(ours: list[OurItem], cases: list[Case]) -> tuple[int, list[str]]:
    """Each real page against our catalogue without its row, with that row's twins: (decisions, wrong)."""
    wrong = []
    n = 0
    for case in cases:
        row = next((o for o in ours if o.id == case.right), None)
        if row is None:
            continue
        n += 1
        kept = [o for o in ours if o.id != row.id] + twins(row, 90_000 + 10 * row.id)
        status, chosen, method = _decide(CatalogueIndex(kept), case.page)
        if status == "accepted":
            twin = next(o for o in kept if o.id == chosen)
            wrong.append(f"twin {case.shop}: {case.page.name!r} (mpn {case.page.mpn!r}) -> {twin.name!r} "
                         f"(mpn {twin.mpn!r}, {method})")  # fmt: skip
    return n, wrong


def score(ours: list[OurItem], cases: list[Case], decide, label: str) -> dict[str, Score]:  # noqa: ANN001
    """Every case against the whole catalogue, then (cases with an answer) against it without that answer."""
    full = CatalogueIndex(ours) if decide is None else None
    scores: dict[str, Score] = {}
    for case in cases:
        s = scores.setdefault(case.source, Score())
        for absent in ((False, True) if case.right is not None else (False,)):
            kept = [o for o in ours if o.id != case.right] if absent else ours
            if decide is None:
                index = CatalogueIndex(kept) if absent or full is None else full
                status, chosen, method = _decide(index, case.page)
            else:
                status, chosen, method = decide(kept, case.page)
            right = None if absent else case.right
            if status == "accepted":
                if chosen == right:
                    s.tp += 1
                    s.methods[method] += 1
                else:
                    s.fp += 1
                    if right is not None:
                        s.fn += 1
                    s.errors.append(f"{label} {case.source}: {case.page.name!r} -> {chosen} ({method}), right {right}")
            else:
                if right is not None:
                    s.fn += 1
                    if not absent:
                        ours_row = next(o for o in ours if o.id == right)
                        s.misses.append(f"{case.source} {case.shop}: {case.page.name!r} (brand {case.page.brand!r}) vs ours "
                                        f"{ours_row.name!r} (brand {ours_row.brand!r}): {status} {method or ''}")  # fmt: skip
                if status == "proposed":
                    s.proposed_right += chosen == right
                    s.proposed_wrong += chosen != right
    return scores


def _decide(index: CatalogueIndex, page: PageItem) -> tuple[str, int | None, str | None]:
    d = index.decide(page, AUTO, PROPOSE)
    return d.status, d.candidate.our_id if d.candidate else None, d.candidate.method if d.candidate else None


def baseline(ours: list[OurItem], page: PageItem) -> tuple[str, int | None, str | None]:
    """A plain title matcher: the most similar title by rapidfuzz token-set ratio, applied at 0.9."""
    name = (page.name or "").lower()
    if not name:
        return "none", None, None
    best = max(ours, key=lambda o: fuzz.token_set_ratio(o.name.lower(), name), default=None)
    if best is None:
        return "none", None, None
    sim = fuzz.token_set_ratio(best.name.lower(), name) / 100
    return ("accepted" if sim >= 0.9 else "none"), best.id, "title"


@dataclass(frozen=True)
class Verdict:
    """One decision, before a threshold: the best candidate, and whether a runner-up ties it."""

    right: int | None
    chosen: int | None
    confidence: float
    tied: bool
    method: str | None


def verdicts(ours: list[OurItem], cases: list[Case], pages: dict[int, PageItem] | None = None) -> list[Verdict]:
    """Each case against the whole catalogue and, with an answer, against it without that answer."""
    full = CatalogueIndex(ours)
    out = []
    for case in cases:
        page = (pages or {}).get(case.page.watch_id, case.page)
        for absent in ((False, True) if case.right is not None else (False,)):
            index = CatalogueIndex([o for o in ours if o.id != case.right]) if absent else full
            ranked = index.candidates(page)
            top = ranked[0] if ranked else None
            tied = len(ranked) > 1 and top is not None and ranked[1].confidence >= top.confidence - TIE_MARGIN
            out.append(Verdict(None if absent else case.right, top.our_id if top else None,
                               top.confidence if top else 0.0, tied, top.method if top else None))  # fmt: skip
    return out


def tally(items: list[Verdict], auto: float) -> Score:
    s = Score()
    for v in items:
        applied = v.chosen is not None and v.confidence >= max(auto, PROPOSE) and not v.tied
        if applied and v.chosen == v.right:
            s.tp += 1
            s.methods[v.method] += 1
        elif applied:
            s.fp += 1
            s.fn += v.right is not None
        else:
            s.fn += v.right is not None
            if v.chosen is not None and v.confidence >= PROPOSE:
                s.proposed_right += v.chosen == v.right
                s.proposed_wrong += v.chosen != v.right
    return s


GRID = [round(0.80 + 0.01 * i, 2) for i in range(19)]
WRONG_COST = 50  # one wrong match costs fifty right ones: precision >= 0.98 before recall


def leave_one_source_out(ours: list[OurItem], cases: list[Case]) -> tuple[Score, dict[str, float], dict[str, set[str]]]:
    """The part scored source by source, each without what only it taught (see the module's doc)."""
    by_source = group(range(len(cases)), lambda i: cases[i].shop)
    uses = {i: c.labels for i, c in enumerate(cases) if c.labels}
    switched = single_source_entries(uses, lambda i: cases[i].shop)
    per_source: dict[str, list[Verdict]] = {}
    for source, idx in by_source.items():
        off = frozenset(switched.get(source, set()))
        pages = {cases[i].page.watch_id: read_page(cases[i].page.watch_id, cases[i].body, cases[i].url,
                                                   cases[i].selectors, off)[0] for i in idx} if off else None  # fmt: skip
        per_source[source] = verdicts(ours, [cases[i] for i in idx], pages)
    shipped = {source: verdicts(ours, [cases[i] for i in idx]) for source, idx in by_source.items()}

    def objective(sources: list[str], auto: float) -> float:
        s = tally([v for src in sources for v in shipped[src]], auto)
        return s.tp - WRONG_COST * s.fp

    keyed = {source: [source] for source in by_source}
    chosen = refit_per_source(keyed, GRID, objective, default=GRID[-1])
    score = Score()
    for items in per_source.values():
        score = total({"a": score, "b": tally(items, AUTO)})
    return score, chosen, switched


def total(scores: dict[str, Score]) -> Score:
    out = Score()
    for s in scores.values():
        out.tp += s.tp
        out.fp += s.fp
        out.fn += s.fn
        out.proposed_right += s.proposed_right
        out.proposed_wrong += s.proposed_wrong
        out.methods.update(s.methods)
        out.errors += s.errors
        out.misses += s.misses
    return out


def line(name: str, s: Score) -> str:
    methods = ", ".join(f"{m} {n}" for m, n in s.methods.most_common())
    return (
        f"  {name:<14} precision {s.precision:.3f}  recall {s.recall:.3f}  (right {s.tp}, wrong {s.fp}, missed {s.fn}; "
        f"proposals {s.proposed_right} right, {s.proposed_wrong} wrong){'  by ' + methods if methods else ''}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--show-errors", action="store_true", help="every wrong match and every missed one")
    args = parser.parse_args()
    parts = []
    if (CORPUS / "truth").is_dir():
        parts.append(("real pages", *corpus_cases()))
    else:
        print(f"note: the product corpus is not at {CORPUS}; only the demo market is measured")
    parts.append(("demo market", *demo_cases()))
    for label, ours, cases in parts:
        positives = sum(1 for c in cases if c.right is not None)
        print(
            f"{label}: {len(cases)} pages ({positives} of products in our catalogue of {len(ours)}: "
            f"{len(cases) * len(ours):,} page-product pairs; {len(cases) + positives} decisions, "
            "each page with and without its own product)"
        )
        ours_scores = score(ours, cases, None, "rivalwatch")
        for source, s in sorted(ours_scores.items()):
            print(line(source, s))
        print(line("rivalwatch", total(ours_scores)))
        if len(ours_scores) == 1:  # one source of many shops: where the right answers were missed
            by_shop = score(ours, [replace(c, source=c.shop) for c in cases], None, "shop")
            shops = sorted(by_shop.items(), key=lambda kv: (-kv[1].tp - kv[1].fn, kv[0]))
            print("    by shop (right/positives): " + ", ".join(f"{k} {v.tp}/{v.tp + v.fn}" for k, v in shops if v.tp + v.fn))
        print(line("baseline", total(score(ours, cases, baseline, "baseline"))))
        loso, thresholds, switched = leave_one_source_out(ours, cases)
        print(line("leave-one-out", loso))
        spread = Counter(thresholds.values())
        off = sorted(f"{lb} ({src})" for src, labels in switched.items() for lb in labels)
        print(f"    leave-one-source-out: {len(thresholds)} sources; a refit on the other sources would set auto-accept to "
              f"{', '.join(f'{t} x{n}' for t, n in sorted(spread.items()))}; labels switched off "
              f"for their only source: {', '.join(off) or 'none'}")  # fmt: skip
        if args.show_errors:
            for error in total(ours_scores).errors:
                print("    " + error)
            for miss in total(ours_scores).misses:
                print("    missed " + miss)
    if parts and parts[0][0] == "real pages":
        _label, ours, cases = parts[0]
        full = {o.id for o in ours if o.brand and o.name and o.name != o.brand}
        kept = [c for c in cases if c.right is None or c.right in full]
        print(line("  with brand+title", total(score([o for o in ours if o.id in full], kept, None, "full"))) +
              f"  [{len(full)} entries with both a brand and slug words, as a catalogue row has]")  # fmt: skip
        n, wrong = twin_confusions(ours, cases)
        print(f"  real pages against their rows' twins (another model, another variant; their own row absent): "
              f"{n} pages, {len(wrong)} applied (wrong)")  # fmt: skip
        if args.show_errors:
            for error in wrong:
                print("    " + error)
    everything = total({str(i): total(score(o, c, None, "all")) for i, (_, o, c) in enumerate(parts)})
    print(line("all pairs", everything))
    if LISTINGS.is_dir():
        n, wrong, identical = listing_neighbours()
        print(f"listing neighbours: {n} search results, each against the other results of its page: "
              f"{len(wrong)} applied to another title (wrong), {identical} to an identical title")  # fmt: skip
        _n, base_wrong, base_identical = listing_neighbours(baseline)
        print(f"  baseline: {len(base_wrong)} applied to another title (wrong), {base_identical} to an identical title")
        if args.show_errors:
            for error in wrong:
                print("    " + error)
    else:
        print(f"note: the listings corpus is not at {LISTINGS}; listing neighbours not measured")


if __name__ == "__main__":
    main()
