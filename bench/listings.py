"""Benchmark: automatic listing extraction against real shop search pages.

    python bench/listings.py [--verbose] [--no-loso]
    python bench/listings.py --show-prices   # truth and extracted card prices, for checking by eye

Also prints how the card-price reader does on the price_strings corpus (strings with a sign).

Reads `<repo>/../shared/corpora/listings/<shop>/<name>.html` with `<name>.truth.json` (env
RIVALWATCH_SHARED overrides the shared dir), runs `extract_listing` with no selectors on each page
(URL = the truth file's `original_url`), and prints item-URL precision and recall per shop and
overall, plus timing.

Comparison rule (the same for truth and prediction, written here independently of the extractor):
a URL is compared by host (lower case, without `www.` and default ports) and path, after unwrapping
a click-tracking redirect (a query parameter `url`/`u`/... whose value is a URL or a site path) and
dropping the fragment, the query string, `name=value` path segments (position trackers such as
`/ref=sr_1_3`) and a trailing slash. Shops add search ids, positions and timestamps to result links,
so the raw strings differ between any two visits of the same item. Per page both sides are sets of
such keys; counts are summed over pages (micro average). Pages whose truth is empty add their
predictions to the false positives, so extra items shown on no-result pages cost precision.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import lxml.etree  # noqa: E402
import lxml.html  # noqa: E402
from lxml.cssselect import CSSSelector  # noqa: E402
from price_parser import Price  # noqa: E402
from w3lib.encoding import html_to_unicode  # noqa: E402

from bench.lib.loso import group, refit_per_source  # noqa: E402
from spiders.extract.listing import extract_listing  # noqa: E402
from spiders.extract.listing_price import MONEY_SIGN, money_in  # noqa: E402
from spiders.extract.listing_tuning import DEFAULT_LISTING_TUNING, ListingTuning  # noqa: E402
from spiders.extract.xpath import elements, texts  # noqa: E402

SHARED = Path(os.environ.get("RIVALWATCH_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpora" / "listings"
_WRAPPER_PARAMS = {"url", "u", "q", "dest", "destination", "target", "to", "redirect", "ru"}


def compare_key(url: str, base: str) -> str:
    """The comparison key described in the module docstring."""
    url = urljoin(base, url.strip())
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query):
        if name.lower() in _WRAPPER_PARAMS and (
            value.startswith(("http://", "https://")) or value.startswith("/")
        ):
            parts = urlsplit(urljoin(url, value))
            break
    host = parts.netloc.lower()
    host = host.removeprefix("www.")
    for port in (":80", ":443"):
        host = host.removesuffix(port)
    segments = [s for s in unquote(parts.path).split("/") if s and "=" not in s]
    return host + "/" + "/".join(segments)


# Card-price truth, kept here only and never seen by the extractor: per shop, which ancestor of
# a result's link is its card, and the element that shows the card's price. The amount is read
# from that element's text with price-parser alone. Written by reading each shop's markup; a
# sample is printed with --show-prices for checking by eye. A card whose price element is
# missing or shows no amount ("免费", prices loaded by script) has no truth price and is left out
# of the accuracy (predicting a price there is counted apart, as "price on a card without one").
TRUTH_CARDS: dict[str, tuple[str, str]] = {
    # shop: (XPath test of a card element, CSS selector of its price element)
    "aliexpress": ("self::li[contains(@class, 'list-item')]", "span.price"),
    "amazon": (
        "self::*[@data-asin and string-length(@data-asin) > 0]",
        "span.a-price:not(.a-text-price) span.a-offscreen",
    ),
    "etsy": ("self::li", ".n-listing-card__price, .listing-price"),
    "jd": ("self::li", "div.p-price"),
}


def truth_prices(root: lxml.html.HtmlElement, shop: str, base: str) -> dict[str, Decimal | None]:
    """Comparison key -> the card's shown price (None: the card shows none), by TRUTH_CARDS."""
    if shop not in TRUTH_CARDS:
        return {}
    card_test, price_css = TRUTH_CARDS[shop]
    is_card = lxml.etree.XPath(f"boolean({card_test})")
    price_of = CSSSelector(price_css)
    out: dict[str, Decimal | None] = {}
    for a in root.iter("a"):
        href = a.get("href")
        if not href:
            continue
        key = compare_key(href, base)
        if key in out:
            continue
        card = next((n for n in a.iterancestors() if is_card(n)), None)
        if card is None:
            continue
        shown = [el for el in elements(price_of(card)) if not any(x.tag in ("del", "s", "strike") for x in el.iterancestors())]
        text = " ".join("".join(texts(shown[0])).split()) if shown else ""
        out[key] = Price.fromstring(text).amount if text else None
    return out


def load_pages() -> list[tuple[str, Path, dict]]:
    pages = []
    for truth_path in sorted(CORPUS.glob("*/*.truth.json")):
        html = truth_path.with_name(truth_path.name.replace(".truth.json", ".html"))
        if html.exists():
            pages.append((truth_path.parent.name, html, json.loads(truth_path.read_text())))
    return pages


def evaluate(verbose: bool = False) -> dict[str, dict[str, float]]:
    """Run the benchmark; returns per-shop and overall figures (also used by the corpus test)."""
    # tp, pred, truth, empty_ok, empty, priced cards, price right, price on a card without one
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * 8)
    seconds = parse_seconds = 0.0
    n_bytes = 0
    for shop, html, truth in load_pages():
        url = truth.get("original_url") or truth.get("wayback_url") or "http://unknown/"
        body = html.read_bytes()
        n_bytes += len(body)
        t0 = time.perf_counter()
        page = extract_listing(body, url)
        seconds += time.perf_counter() - t0
        # Baseline in the same run: decoding and parsing the page alone (lxml), no extraction.
        t0 = time.perf_counter()
        lxml.html.document_fromstring(html_to_unicode(None, body)[1])
        parse_seconds += time.perf_counter() - t0
        want = {compare_key(r["url"], url) for r in truth.get("results", [])}
        got = {compare_key(item.url, url) for item in page.items}
        tp = len(want & got)
        price_counts = _score_prices(page, shop, body, url, want, verbose and html.name)
        for bucket in (shop, "overall"):
            c = counts[bucket]
            c[0] += tp
            c[1] += len(got)
            c[2] += len(want)
            if not want:
                c[4] += 1
                c[3] += int(not got)
            for i, n in enumerate(price_counts):
                c[5 + i] += n
        if verbose and (tp < len(want) or tp < len(got)):
            print(f"  {shop}/{html.name[:60]}: truth {len(want)} got {len(got)} tp {tp} reason={page.reason}")
            for k in sorted(got - want)[:5]:
                print("     extra  ", k[:120])
            for k in sorted(want - got)[:5]:
                print("     missing", k[:120])
    results = {}
    for bucket, (tp, pred, true, empty_ok, empty, priced, price_ok, spurious) in counts.items():
        results[bucket] = {
            "priced_cards": priced,
            "price_right": price_ok,
            "price_accuracy": price_ok / priced if priced else 1.0,
            "price_on_unpriced_card": spurious,
            "precision": tp / pred if pred else (1.0 if not true else 0.0),
            "recall": tp / true if true else 1.0,
            "tp": tp,
            "predicted": pred,
            "truth": true,
            "empty_pages_ok": empty_ok,
            "empty_pages": empty,
        }
    results["overall"]["seconds"] = seconds
    results["overall"]["parse_seconds"] = parse_seconds
    results["overall"]["bytes"] = n_bytes
    return results


def _score_prices(page, shop: str, body: bytes, url: str, want: set[str], show: str | bool) -> tuple[int, int, int]:
    """(cards with a truth price, those whose extracted price is that amount, cards without a
    truth price given one) for the truth's result cards of one page; a card that was not
    extracted at all counts as a wrong price."""
    if not want or shop not in TRUTH_CARDS:
        return 0, 0, 0
    prices = truth_prices(lxml.html.document_fromstring(html_to_unicode(None, body)[1]), shop, url)
    extracted: dict[str, Decimal | None] = {}
    for item in page.items:
        extracted.setdefault(compare_key(item.url, url), item.price)
    priced = right = spurious = 0
    for key in sorted(want):
        expected = prices.get(key)
        got = extracted.get(key)
        if expected is None:
            spurious += got is not None and key in extracted
            continue
        priced += 1
        right += got is not None and got == expected
        if show and got != expected:
            print(f"     price  {key[:70]:<70} truth {expected} got {got}")
    return priced, right, spurious


# The refit grid: each parameter at its default and a step either side (grid slots off too).
GRID = [
    ListingTuning(grid_share=g, price_context=c, join_max=j)
    for g in (0.6, 0.8, 1.01)
    for c in (8, 14, 24)
    for j in (32, 48)
]


# Ties are broken towards this: the grid-slot rule off, sizes at their middle values.
NEUTRAL = ListingTuning(grid_share=1.01)


def _page_counts(page, shop: str, url: str, truth: dict, prices: dict[str, Decimal | None]) -> tuple[int, ...]:
    """(tp, predicted, truth, priced cards, price right) of one extracted page."""
    want = {compare_key(r["url"], url) for r in truth.get("results", [])}
    got = {compare_key(item.url, url) for item in page.items}
    extracted: dict[str, Decimal | None] = {}
    for item in page.items:
        extracted.setdefault(compare_key(item.url, url), item.price)
    priced = [k for k in want if prices.get(k) is not None]
    right = sum(1 for k in priced if extracted.get(k) == prices[k])
    return len(want & got), len(got), len(want), len(priced), right


def _objective(counts: list[tuple[int, ...]]) -> float:
    """Mean of URL F1 and card-price accuracy over some pages' summed counts."""
    tp, pred, true, priced, right = (sum(c[i] for c in counts) for i in range(5))
    f1 = 2 * tp / (pred + true) if pred + true else 1.0
    return (f1 + (right / priced if priced else 1.0)) / 2


def loso() -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Per shop and overall: URL precision, recall and card-price accuracy with the parameters
    refit on the other shops (leave-one-source-out), beside the full figures."""
    pages = []
    for shop, html, truth in load_pages():
        url = truth.get("original_url") or truth.get("wayback_url") or "http://unknown/"
        body = html.read_bytes()
        root = lxml.html.document_fromstring(html_to_unicode(None, body)[1])
        pages.append((shop, body, url, truth, truth_prices(root, shop, url)))
    counts = {
        g: [_page_counts(extract_listing(body, url, tuning=g), shop, url, truth, prices) for shop, body, url, truth, prices in pages]
        for g in GRID
    }
    by_shop = group(range(len(pages)), lambda i: pages[i][0])
    chosen = refit_per_source(by_shop, GRID, lambda idx, g: _objective([counts[g][i] for i in idx]), NEUTRAL)
    out: dict[str, dict[str, float]] = {}
    for bucket, idx in [*sorted(by_shop.items()), ("overall", list(range(len(pages))))]:
        full = [counts[DEFAULT_LISTING_TUNING][i] for i in idx]
        held = [counts[chosen[pages[i][0]]][i] for i in idx]
        out[bucket] = {f"{name}_{kind}": value for kind, c in (("full", full), ("loso", held)) for name, value in _figures(c).items()}
    return out, {shop: _changed(g) for shop, g in chosen.items()}


def _changed(tuning: ListingTuning) -> str:
    """The parameters of a refit that differ from the shipped defaults ("defaults" when none)."""
    diff = [f"{k}={v}" for k, v in vars(tuning).items() if v != getattr(DEFAULT_LISTING_TUNING, k)]
    return ", ".join(diff) or "defaults"


def _figures(counts: list[tuple[int, ...]]) -> dict[str, float]:
    tp, pred, true, priced, right = (sum(c[i] for c in counts) for i in range(5))
    return {
        "precision": tp / pred if pred else 1.0,
        "recall": tp / true if true else 1.0,
        "price": right / priced if priced else 1.0,
    }


def show_prices(per_page: int = 3) -> None:
    """For checking the card-price truth by eye: per page, the first cards' truth price beside the
    text of the element it was read from and the extracted price."""
    for shop, html, truth in load_pages():
        if shop not in TRUTH_CARDS or not truth.get("results"):
            continue
        url = truth.get("original_url") or truth.get("wayback_url") or "http://unknown/"
        body = html.read_bytes()
        root = lxml.html.document_fromstring(html_to_unicode(None, body)[1])
        prices = truth_prices(root, shop, url)
        extracted = {compare_key(item.url, url): item.price for item in extract_listing(body, url).items}
        print(f"{shop}/{html.name[:60]}")
        for r in truth["results"][:per_page]:
            key = compare_key(r["url"], url)
            print(f"   truth {str(prices.get(key)):>10}  got {str(extracted.get(key)):>10}  {key[:70]}")


def price_strings() -> tuple[int, int] | None:
    """(strings, right) for the real price strings of the price_strings corpus that carry a
    currency sign, read by the card-price reader (`money_in`): a check of its amount rules on
    text written by other shops than the listing corpus'. None when the corpus is absent."""
    path = SHARED / "corpora" / "price_strings" / "price_strings.json"
    if not path.exists():
        return None
    n = right = 0
    for rows in json.loads(path.read_text())["lists"].values():
        for row in rows:
            raw, expected = row.get("price_raw") or "", row.get("expected_amount")
            if expected is None or not MONEY_SIGN.search(raw):
                continue
            n += 1
            found = money_in(raw)
            right += found is not None and found[0] == Decimal(str(expected))
    return n, right


def main() -> int:
    if not CORPUS.is_dir():
        print(f"listings corpus not found at {CORPUS} (set RIVALWATCH_SHARED)")
        return 2
    verbose = "--verbose" in sys.argv or "-v" in sys.argv
    if "--show-prices" in sys.argv:
        show_prices()
        return 0
    results = evaluate(verbose)
    print("Listing extraction, automatic card detection (no per-shop rules)")
    print("Comparison: host+path after unwrapping redirect wrappers; query, fragment, name=value path")
    print("segments and trailing slash dropped; per-page URL sets, counts summed over pages.")
    print(
        f"{'shop':<12}{'precision':>10}{'recall':>8}{'tp':>6}{'pred':>6}{'truth':>7}{'empty pages ok':>16}"
        f"{'card price':>12}{'priced':>8}{'extra':>7}"
    )
    for bucket in sorted(results, key=lambda b: (b == "overall", b)):
        r = results[bucket]
        print(
            f"{bucket:<12}{r['precision']:>10.3f}{r['recall']:>8.3f}{r['tp']:>6}{r['predicted']:>6}"
            f"{r['truth']:>7}{r['empty_pages_ok']:>10}/{r['empty_pages']}"
            f"{r['price_accuracy']:>12.3f}{r['priced_cards']:>8}{r['price_on_unpriced_card']:>7}"
        )
    o = results["overall"]
    print(
        f"time: {o['seconds']:.2f} s for {o['bytes'] / 1e6:.1f} MB ({o['bytes'] / 1e6 / o['seconds']:.1f} MB/s); "
        f"baseline decode+parse only {o['parse_seconds']:.2f} s; ratio extract/parse "
        f"{o['seconds'] / o['parse_seconds']:.1f}x"
    )
    ok = o["precision"] >= 0.95 and o["recall"] >= 0.95 and o["price_accuracy"] >= 0.95
    print("bar (>= 0.95 URL precision and recall, >= 0.95 card-price accuracy overall):", "met" if ok else "NOT met")
    strings = price_strings()
    if strings:
        print(f"card-price reader on the price_strings corpus (strings with a currency sign): {strings[1]}/{strings[0]} = {strings[1] / strings[0]:.3f}")
    if "--no-loso" in sys.argv:
        return 0
    print()
    print(
        f"leave-one-source-out: each shop scored with the {len(GRID)}-point grid of listing parameters "
        "(spiders/extract/listing_tuning.py) refit on the other shops; ties go to the grid-slot rule off"
    )
    print(f"{'shop':<12}{'P full':>8}{'P loso':>8}{'R full':>8}{'R loso':>8}{'price full':>12}{'price loso':>12}  refit")
    figures, refits = loso()
    for bucket, r in figures.items():
        refit = refits.get(bucket, "")
        print(
            f"{bucket:<12}{r['precision_full']:>8.3f}{r['precision_loso']:>8.3f}{r['recall_full']:>8.3f}"
            f"{r['recall_loso']:>8.3f}{r['price_full']:>12.3f}{r['price_loso']:>12.3f}  {refit}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
