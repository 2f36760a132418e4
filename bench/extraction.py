"""Product extraction benchmark on the Zyte product-extraction pages (72 real pages, human truth).

Usage, from the repo root:  .venv/bin/python bench/extraction.py [--show-errors] [--per-source]

Prints precision / recall / F1 of rivalwatch's extractor for price, availability and sku (and name
when the truth has names) with the benchmark's matching rules, the same figures for an extruct +
price-parser baseline measured in the same run, and the median / p95 milliseconds per page.
Then the F1 with the pages' structured data removed (the visible-page heuristics alone). Then
leave-one-source-out figures (`--no-loso` skips them): each shop scored with the few numeric
weights of the extractor (`spiders/extract/product_tuning.py`) refit by grid search on the other
shops, and with the stock phrases that decided only its own pages switched off (such a page
then counts as having no availability: conservative). Then the demo market's product pages (small pages in its four markup styles: JSON-LD, microdata,
plain HTML, OpenGraph), which the crawler extracts by the thousand: milliseconds per page and
price accuracy against the market's truth. Exits 0 with a note when the corpus is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.lib.loso import group, refit_per_source, shop_of, single_source_entries  # noqa: E402
from spiders.extract.product import extract_product  # noqa: E402
from spiders.extract.product_tuning import DEFAULT_TUNING, ProductTuning  # noqa: E402

SHARED = Path(os.environ.get("RIVALWATCH_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpora" / "products" / "zyte_benchmark"
ATTRIBUTES = ("price", "availability", "sku", "name")


def load_pages(corpus: Path = CORPUS) -> list[tuple[str, bytes, dict[str, Any]]]:
    """(key, html bytes, truth) for every page of the benchmark."""
    truth = json.loads((corpus / "ground-truth.json").read_text())
    pages = []
    for key in sorted(truth):
        body = gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes())
        pages.append((key, body, truth[key]))
    return pages


def truth_values(truth: dict[str, Any], attribute: str) -> list[str]:
    value = truth.get(attribute)
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def matches(attribute: str, predicted: str, expected: list[str]) -> bool:
    """The benchmark's equality: prices as Decimal, the rest exactly."""
    if attribute == "price":
        try:
            got = Decimal(predicted.strip())
            return any(got == Decimal(e.strip()) for e in expected)
        except InvalidOperation:
            return False
    return predicted in expected


def score(predictions: dict[str, dict[str, str | None]], truths: dict[str, dict[str, Any]], attribute: str):
    """(tp, fp, fn) summed over pages with the benchmark's rules."""
    tp = fp = fn = 0
    for key, truth in truths.items():
        expected = truth_values(truth, attribute)
        predicted = predictions[key].get(attribute)
        if predicted is None:
            fn += bool(expected)
        elif expected and matches(attribute, predicted, expected):
            tp += 1
        else:
            fp += 1
            fn += bool(expected)
    return tp, fp, fn


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return precision, recall, f1


def ours(body: bytes, url: str) -> dict[str, str | None]:
    return extract_product(body, url).to_json()


def baseline(body: bytes, url: str) -> dict[str, str | None]:
    """extruct + price-parser as the benchmark's open-source baseline does: first product, its offer."""
    import extruct
    from price_parser import Price
    from w3lib.encoding import html_to_unicode

    _, text = html_to_unicode(None, body)
    try:
        data = extruct.extract(
            text, base_url=url, syntaxes=["json-ld", "microdata", "opengraph"], uniform=True, errors="ignore"
        )
    except Exception:  # the baseline is allowed to fail on a page; it then predicts nothing
        return {}
    out: dict[str, str | None] = {"price": None, "availability": None, "sku": None, "name": None}

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        types = node.get("@type")
        types = types if isinstance(types, list) else [types]
        if "Product" in types:
            out["name"] = out["name"] or (node.get("name") if isinstance(node.get("name"), str) else None)
            out["sku"] = out["sku"] or (str(node["sku"]) if node.get("sku") else None)
            offers = node.get("offers")
            offer = offers[0] if isinstance(offers, list) and offers else offers
            if isinstance(offer, dict):
                if out["price"] is None and offer.get("price") is not None:
                    amount = Price.fromstring(str(offer.get("price"))).amount
                    out["price"] = None if amount is None else str(amount)
                avail = str(offer.get("availability") or "")
                for term in ("InStock", "OutOfStock"):
                    if avail.endswith(term) and out["availability"] is None:
                        out["availability"] = term
        for value in node.values():
            if isinstance(value, dict | list):
                visit(value)

    visit(data.get("json-ld", []))
    visit(data.get("microdata", []))
    if out["price"] is None:
        for og in data.get("opengraph", []):
            raw = og.get("og:price:amount") or og.get("product:price:amount")
            if raw:
                amount = Price.fromstring(str(raw)).amount
                out["price"] = None if amount is None else str(amount)
    return out


def run(pages, extractor) -> tuple[dict[str, dict[str, str | None]], list[float]]:
    predictions: dict[str, dict[str, str | None]] = {}
    times: list[float] = []
    for key, body, truth in pages:
        start = time.perf_counter()
        predictions[key] = extractor(body, truth.get("url", ""))
        times.append((time.perf_counter() - start) * 1000)
    return predictions, times


def demo_pages(per_shop: int = 40) -> list[tuple[str, str, bytes, Decimal]]:
    """(shop markup, url, html, true price) of the demo market's product pages, rendered in-process."""
    from monitor.demo import DemoMarket
    from monitor.demo import pages as demo_pages_module

    market = DemoMarket(n_products=max(per_shop, 10))
    truth = market.truth(0)
    out = []
    for name, site in market.sites.items():
        site.base = "http://127.0.0.1:8000"
        offers = market.catalogue.shop_day(name, 0).offers
        for pid, offer in list(offers.items())[:per_shop]:
            if not offer.exists or pid not in truth[name]:
                continue
            product = market.catalogue.by_id[pid]
            sku = market.catalogue.sku(name, product)
            html = demo_pages_module.product_page(
                site.spec, site.base, product, offer, sku, site.related(0, product)
            ).encode()
            url = site.base + site.spec.path_for(product.num, product.slug)
            out.append((site.spec.markup, url, html, truth[name][pid].price))
    return out


def bench_demo() -> None:
    """Milliseconds per demo product page, per markup style, and price accuracy."""
    pages = demo_pages()
    for _, url, html, _ in pages[:8]:
        extract_product(html, url)  # warm
    by_markup: dict[str, list[float]] = {}
    right = 0
    for markup, url, html, price in pages:
        start = time.perf_counter()
        record = extract_product(html, url)
        by_markup.setdefault(markup, []).append((time.perf_counter() - start) * 1000)
        right += record.price == price
    all_times = [t for times in by_markup.values() for t in times]
    sizes = statistics.median(len(html) for _, _, html, _ in pages) / 1000
    print(
        f"demo market   {len(pages)} product pages (median {sizes:.1f} KB): median "
        f"{statistics.median(all_times):.2f} ms/page, p95 {statistics.quantiles(all_times, n=20)[-1]:.2f}, "
        f"price right {right}/{len(pages)}"
    )
    print(
        "              "
        + "  ".join(f"{m} {statistics.median(t):.2f} ms" for m, t in sorted(by_markup.items()))
    )


LOSO_ATTRIBUTES = ("price", "availability", "sku")
# Ties are broken towards this: the two cross-check rules off, the weights at their middle values.
NEUTRAL = ProductTuning(unshown_structured_penalty=0.0, unshown_sku_penalty=0.0)


def _changed(point: ProductTuning) -> int:
    """How many weights of a grid point differ from NEUTRAL's."""
    return sum(getattr(point, f) != getattr(NEUTRAL, f) for f in ProductTuning.__dataclass_fields__)


_JSON_LD = re.compile(rb"<script[^>]*ld\+json[^>]*>.*?</script>", re.S | re.I)
_MARKUP_ATTR = re.compile(rb"\s(?:itemprop|itemscope|itemtype|property|typeof|vocab)(?:=\"[^\"]*\")?", re.I)


def bench_unstructured(pages) -> None:
    """The same pages with JSON-LD, microdata, RDFa and meta properties removed: what the visible-page
    heuristics read on their own, as on the many shops that publish no structured data. The
    structured readers are exact on the pages that have it, so this is where unseen shops differ."""
    truths = {key: truth for key, _, truth in pages}
    bare = [(key, _MARKUP_ATTR.sub(b" ", _JSON_LD.sub(b"", body)), truth) for key, body, truth in pages]
    predictions, _ = run(bare, ours)
    cells = "  ".join(f"{a} {prf(*score(predictions, truths, a))[2]:.3f}" for a in LOSO_ATTRIBUTES)
    print(f"without structured data (JSON-LD, microdata, meta properties removed): F1 {cells}")


# The refit grid: each weight at its default and one step either side (penalties on or off).
# Ordered by how many weights differ from NEUTRAL: among points the other shops cannot tell apart,
# `refit_per_source` takes the earliest, so a weight moves off its neutral value only when some
# other shop is scored better for it (not because its lower step happens to be listed first).
GRID = sorted(
    (
        ProductTuning(min_price_score=m, title_near_bonus=t, unshown_structured_penalty=u, unshown_sku_penalty=k)
        for m in (-1.0, 0.0, 1.0)
        for t in (0.5, 1.0, 1.5)
        for u in (0.0, 3.0)
        for k in (0.0, 6.0)
    ),
    key=_changed,
)
_PHRASE = re.compile(r"\(phrase '([^']*)'\)")


def _run_tuned(pages, tuning: ProductTuning) -> tuple[dict[str, dict[str, str | None]], dict[str, set[str]]]:
    """Predictions under one tuning, and the stock phrase that decided each page's availability."""
    predictions: dict[str, dict[str, str | None]] = {}
    phrases: dict[str, set[str]] = {}
    for key, body, truth in pages:
        record = extract_product(body, truth.get("url", ""), explain=True, tuning=tuning)
        predictions[key] = record.to_json()
        winner = (record.explanation or {}).get("availability", {}).get("winner") or {}
        found = _PHRASE.search(winner.get("detail", "")) if winner.get("source") == "heuristic" else None
        phrases[key] = {found.group(1)} if found else set()
    return predictions, phrases


def _mean_f1(predictions, truths, keys) -> float:
    sub = {k: truths[k] for k in keys}
    return sum(prf(*score(predictions, sub, a))[2] for a in LOSO_ATTRIBUTES) / len(LOSO_ATTRIBUTES)


def bench_loso(pages) -> tuple[dict[str, dict[str, str | None]], dict[str, dict[str, str | None]]]:
    """Leave-one-shop-out figures beside the full ones (see the module docstring)."""
    truths = {key: truth for key, _, truth in pages}
    runs = {tuning: _run_tuned(pages, tuning) for tuning in GRID}
    by_shop = group(truths, lambda k: shop_of(truths[k].get("url", "")))
    chosen = refit_per_source(by_shop, GRID, lambda keys, g: _mean_f1(runs[g][0], truths, keys), NEUTRAL)
    full_fit = refit_per_source({"": [], "all": list(truths)}, GRID, lambda keys, g: _mean_f1(runs[g][0], truths, keys), NEUTRAL)[""]
    loso: dict[str, dict[str, str | None]] = {}
    strict: dict[str, dict[str, str | None]] = {}
    single: dict[str, set[str]] = {}
    for shop, keys in by_shop.items():
        predictions, phrases = runs[chosen[shop]]
        own = single_source_entries(phrases, lambda k: shop_of(truths[k].get("url", ""))).get(shop, set())
        for key in keys:
            loso[key] = predictions[key]
            strict[key] = dict(predictions[key])
            if phrases[key] & own:
                strict[key]["availability"] = None  # the phrase would not be in a table written without this shop
                single.setdefault(shop, set()).update(phrases[key] & own)
    default = runs[DEFAULT_TUNING][0]
    print(
        f"leave-one-source-out: {len(by_shop)} shops; LOSO = each shop scored with the weights refit on the "
        f"other shops ({len(GRID)} grid points); strict = also with the stock phrases that decided only its own "
        "pages switched off (such a page then has no availability)"
    )
    print(f"{'attribute':<13}{'full F1':>9}{'LOSO F1':>9}{'diff':>8}{'strict F1':>11}{'diff':>8}")
    for attribute in LOSO_ATTRIBUTES:
        full = prf(*score(default, truths, attribute))[2]
        held = prf(*score(loso, truths, attribute))[2]
        hard = prf(*score(strict, truths, attribute))[2]
        print(f"{attribute:<13}{full:>9.3f}{held:>9.3f}{held - full:>+8.3f}{hard:>11.3f}{hard - full:>+8.3f}")
    kept = sum(1 for g in chosen.values() if g == DEFAULT_TUNING)
    print(
        f"weights: the defaults chosen for {kept} of {len(by_shop)} held-out shops; fit on all shops: "
        f"{'the defaults' if full_fit == DEFAULT_TUNING else full_fit}"
    )
    listed = "; ".join(f"{shop}: {', '.join(sorted(p))}" for shop, p in sorted(single.items()))
    print(f"stock phrases that decided one shop's pages only (strict switches them off): {listed}")
    return default, loso


def print_per_source(pages, full: dict[str, dict[str, str | None]], loso: dict[str, dict[str, str | None]]) -> None:
    """F1 per shop, full and leave-one-source-out, for the shops with a miss in either."""
    truths = {key: truth for key, _, truth in pages}
    by_shop = group(truths, lambda k: shop_of(truths[k].get("url", "")))
    header = "".join(f"{a[:5] + ' full':>12}{'LOSO':>6}" for a in LOSO_ATTRIBUTES)
    print(f"per source (shops with a miss; the other shops score 1.000 or have no truth):\n{'shop':<18}{'pages':>5}{header}")
    for shop, keys in sorted(by_shop.items()):
        sub = {k: truths[k] for k in keys}
        cells, missed = [], False
        for attribute in LOSO_ATTRIBUTES:
            counts = [score(predictions, sub, attribute) for predictions in (full, loso)]
            if not any(tp + fp + fn for tp, fp, fn in counts):
                cells.append(f"{'-':>12}{'-':>6}")
                continue
            missed |= any(fp or fn for _, fp, fn in counts)
            f_full, f_loso = (prf(*c)[2] for c in counts)
            cells.append(f"{f_full:>12.3f}{f_loso:>6.3f}")
        if missed:
            print(f"{shop:<18}{len(keys):>5}{''.join(cells)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or " ").splitlines()[0])
    parser.add_argument("--show-errors", action="store_true", help="list the pages each attribute gets wrong")
    parser.add_argument("--no-loso", action="store_true", help="skip the leave-one-source-out figures")
    parser.add_argument("--per-source", action="store_true", help="F1 per shop, full and leave-one-source-out")
    args = parser.parse_args()
    if not (CORPUS / "ground-truth.json").is_file():
        print(f"zyte_benchmark corpus not found at {CORPUS} (set RIVALWATCH_SHARED); only the demo measured")
        bench_demo()
        return 0
    pages = load_pages()
    truths = {key: truth for key, _, truth in pages}
    run(pages[:3], ours)  # warm imports and caches before timing
    mine, my_times = run(pages, ours)
    base, base_times = run(pages, baseline)
    attributes = [a for a in ATTRIBUTES if any(truth_values(t, a) for t in truths.values())]
    print(f"product extraction on {len(pages)} pages of {CORPUS}")
    print(f"{'attribute':<13}{'P':>7}{'R':>7}{'F1':>7}   {'baseline P':>10}{'R':>7}{'F1':>7}   ratio F1")
    for attribute in attributes:
        p, r, f = prf(*score(mine, truths, attribute))
        bp, br, bf = prf(*score(base, truths, attribute))
        ratio = f"{f / bf:.2f}" if bf else "n/a"
        print(f"{attribute:<13}{p:>7.3f}{r:>7.3f}{f:>7.3f}   {bp:>10.3f}{br:>7.3f}{bf:>7.3f}   {ratio}")
    p95 = statistics.quantiles(my_times, n=20)[-1]
    bp95 = statistics.quantiles(base_times, n=20)[-1]
    print(
        f"ms/page       median {statistics.median(my_times):.1f}  p95 {p95:.1f}   "
        f"baseline median {statistics.median(base_times):.1f}  p95 {bp95:.1f}"
    )
    bench_unstructured(pages)
    if not args.no_loso:
        full, loso = bench_loso(pages)
        if args.per_source:
            print_per_source(pages, full, loso)
    bench_demo()
    if args.show_errors:
        for attribute in attributes:
            for key, truth in truths.items():
                expected = truth_values(truth, attribute)
                got = mine[key].get(attribute)
                if (got is None and expected) or (
                    got is not None and not (expected and matches(attribute, got, expected))
                ):
                    print(
                        f"  {attribute:<12} {key[:8]} got {got!r:<24} want {expected}  {truth.get('url', '')[:60]}"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
