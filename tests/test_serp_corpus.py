"""The SERP parsers against the shared corpus of real saved result pages: the issue's bars."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from spiders.extract.serp import ENGINES, PAGE_KINDS, parse_serp

REPO = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_serp", REPO / "bench" / "serp.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report(corpora: Path):
    bench = _bench()
    return bench, bench.evaluate(corpora / "serp")


def test_precision_and_recall_bars_per_engine(report) -> None:
    bench, rep = report
    barred = {n: s for n, s in rep.engines.items() if s.result_pages >= bench.BARS["min_result_pages"]}
    assert barred, "no engine has enough result pages to be measured"
    for name, score in barred.items():
        assert score.precision >= bench.BARS["precision"], (name, score.precision, score.failures)
        assert score.recall >= bench.BARS["recall"], (name, score.recall, score.failures)


def test_page_kind_accuracy_bar(report) -> None:
    bench, rep = report
    assert rep.overall.kind_accuracy >= bench.BARS["kind_accuracy"]


def test_every_page_parses_under_every_engine_without_raising(corpora: Path) -> None:
    # Parsing a page with the wrong engine must still answer, not crash.
    pages = sorted((corpora / "serp").glob("*/*.html"))[::7]
    for path in pages:
        body = path.read_bytes()
        for engine in ENGINES:
            page = parse_serp(body, engine)
            assert page.kind in PAGE_KINDS


def test_gbk_page_decodes_to_chinese(corpora: Path) -> None:
    gbk = [
        p
        for p in (corpora / "serp" / "sogou").glob("*.html")
        if b"charset=gb" in p.read_bytes()[:4096].lower()
    ]
    if not gbk:
        pytest.skip("no GBK-declared Sogou page in the corpus")
    page = parse_serp(gbk[0].read_bytes(), "sogou")
    assert page.kind == "results"
    assert any("\u4e00" <= ch <= "\u9fff" for r in page.organic for ch in r.title)
