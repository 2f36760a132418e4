"""Benchmark the SERP parsers on the shared corpus of real saved result pages.

    python bench/serp.py            # per engine: pages, precision, recall, exact, kind accuracy

Prints, per engine and overall: pages, top-10 organic URL precision and recall (micro-averaged
over pages), pages whose top 10 matches the truth exactly and in order, page-kind accuracy,
then the median and p95 parse time per page with the ratio to a bare lxml parse of the same
pages measured in the same run. Exits 0 with a note when the corpus is absent.

How URLs are compared (printed with the figures): the truth's ``organic_urls_top10_resolved``
when present, else ``organic_urls_top10``; both sides then go through the same redirect
unwrapping (`unwrap_redirect`). The corpus resolved some wrappers and not others (e.g. Google
``google.co.uk/url?q=`` links kept wrapped), and a parser should not be scored down for
unwrapping a link the truth left wrapped, nor up for leaving one wrapped. Scheme and host
case are normalised; nothing else is.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import lxml.html  # noqa: E402

from spiders.extract.serp import parse_serp, unwrap_redirect  # noqa: E402

SHARED = Path(os.environ.get("RIVALWATCH_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpora" / "serp"
KIND_OF_TRUTH = {
    "results_page": "results",
    "no_results_page": "no_results",
    "js_shell_no_static_results": "needs_render",
}
TOP = 10
BARS = {"precision": 0.95, "recall": 0.95, "kind_accuracy": 0.98, "median_ms": 30.0, "min_result_pages": 5}


def normalise(url: str) -> str:
    """The form both sides are compared in: unwrapped, scheme and host lower-cased."""
    url = unwrap_redirect(url.strip())
    try:
        p = urlsplit(url)
    except ValueError:
        return url
    return urlunsplit((p.scheme.lower(), p.netloc.lower(), p.path, p.query, p.fragment))


@dataclass
class EngineScore:
    pages: int = 0
    result_pages: int = 0
    tp: int = 0
    predicted: int = 0
    truth: int = 0
    exact: int = 0
    kind_ok: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.truth if self.truth else 1.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_ok / self.pages if self.pages else 1.0


@dataclass
class Report:
    engines: dict[str, EngineScore]
    parse_ms: list[float]
    lxml_ms: list[float]

    @property
    def overall(self) -> EngineScore:
        total = EngineScore()
        for s in self.engines.values():
            for name in ("pages", "result_pages", "tp", "predicted", "truth", "exact", "kind_ok"):
                setattr(total, name, getattr(total, name) + getattr(s, name))
        return total


def evaluate(corpus: Path = CORPUS) -> Report:
    """Parse every page of the corpus and score it against its truth file."""
    engines: dict[str, EngineScore] = {}
    parse_ms: list[float] = []
    lxml_ms: list[float] = []
    for truth_path in sorted(corpus.glob("*/*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        engine = truth_path.parent.name
        body = truth_path.with_name(truth_path.name.replace(".truth.json", ".html")).read_bytes()
        t0 = time.perf_counter()
        page = parse_serp(body, engine, truth.get("original_url"))
        parse_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        lxml.html.document_fromstring(body)
        lxml_ms.append((time.perf_counter() - t0) * 1000)

        score = engines.setdefault(engine, EngineScore())
        score.pages += 1
        want_kind = KIND_OF_TRUTH.get(truth["page_kind"], truth["page_kind"])
        score.kind_ok += page.kind == want_kind
        want = [
            normalise(u) for u in (truth.get("organic_urls_top10_resolved") or truth["organic_urls_top10"])
        ][:TOP]
        got = [normalise(r.url) for r in page.organic][:TOP]
        tp = sum((Counter(want) & Counter(got)).values())
        score.tp += tp
        score.predicted += len(got)
        score.truth += len(want)
        score.result_pages += want_kind == "results"
        score.exact += got == want
        if page.kind != want_kind or tp < max(len(want), len(got)):
            score.failures.append(
                f"{truth_path.name}: kind {page.kind} (truth {want_kind}), {tp} of {len(want)} truth URLs, {len(got)} found"
            )
    return Report(engines, parse_ms, lxml_ms)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main(argv: list[str]) -> int:
    if not CORPUS.is_dir():
        print(f"SERP corpus not found at {CORPUS} (set RIVALWATCH_SHARED); nothing to measure.")
        return 0
    verbose = "-v" in argv
    report = evaluate()
    print(__doc__.split("How URLs are compared")[1].join(("How URLs are compared", "")).strip())
    print()
    header = f"{'engine':<11} {'pages':>5} {'res.pg':>6} {'precision':>9} {'recall':>7} {'exact':>9} {'kind acc':>8}"
    print(header)
    print("-" * len(header))
    rows = [*sorted(report.engines.items()), ("overall", report.overall)]
    for name, s in rows:
        exact = f"{s.exact}/{s.pages}"
        print(
            f"{name:<11} {s.pages:>5} {s.result_pages:>6} {s.precision:>9.3f} {s.recall:>7.3f} {exact:>9} {s.kind_accuracy:>8.3f}"
        )
    med, p95 = statistics.median(report.parse_ms), _pct(report.parse_ms, 0.95)
    base = statistics.median(report.lxml_ms)
    print()
    print(
        f"parse per page: median {med:.1f} ms, p95 {p95:.1f} ms (bar: median <= {BARS['median_ms']:.0f} ms)"
    )
    print(f"baseline, bare lxml parse of the same pages: median {base:.1f} ms; ratio {med / base:.2f}x")
    barred = [(n, s) for n, s in report.engines.items() if s.result_pages >= BARS["min_result_pages"]]
    misses = [
        f"{n}: precision {s.precision:.3f} recall {s.recall:.3f}"
        for n, s in barred
        if s.precision < BARS["precision"] or s.recall < BARS["recall"]
    ]
    if report.overall.kind_accuracy < BARS["kind_accuracy"]:
        misses.append(f"kind accuracy {report.overall.kind_accuracy:.3f}")
    if med > BARS["median_ms"]:
        misses.append(f"median parse {med:.1f} ms")
    print("bars: " + ("all met" if not misses else "MISSED: " + "; ".join(misses)))
    if verbose:
        for name, s in rows[:-1]:
            for line in s.failures:
                print(f"  {name}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
