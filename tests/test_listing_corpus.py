"""The listing bars on real shop search pages: URL precision and recall >= 0.95 overall, and card-price
accuracy >= 0.95 against the benchmark's own per-shop truth selectors."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.corpus
def test_listing_precision_and_recall_bar(corpora, monkeypatch):
    if not (corpora / "listings").is_dir():
        pytest.skip("listings corpus absent")
    monkeypatch.setenv("RIVALWATCH_SHARED", str(corpora.parent))
    spec = importlib.util.spec_from_file_location("bench_listings", REPO / "bench" / "listings.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert os.path.samefile(bench.CORPUS, corpora / "listings")
    results = bench.evaluate()
    overall = results["overall"]
    assert overall["truth"] > 500
    assert overall["precision"] >= 0.95, results
    assert overall["recall"] >= 0.95, results
    assert overall["priced_cards"] > 500
    assert overall["price_accuracy"] >= 0.95, results
    # Pages that show no results must give no items.
    assert overall["empty_pages_ok"] == overall["empty_pages"]
