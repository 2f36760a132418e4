"""The leave-one-source-out helpers the extractor benchmarks share (bench/lib/loso.py)."""

from __future__ import annotations

from bench.lib.loso import refit_per_source, shop_of, single_source_entries


def test_shop_of_groups_country_sites_of_one_shop() -> None:
    assert shop_of("https://www.amazon.co.uk/dp/1") == shop_of("https://www.amazon.de/dp/2") == "amazon"
    assert shop_of("https://birmingham.craigslist.org/x") == "craigslist"
    assert shop_of("https://www.olx.com.pk/item/1") == "olx"


def test_refit_leaves_the_scored_source_out() -> None:
    # Source "a" alone prefers 2; the others prefer 1: "a" must be scored with 1.
    values = {("a", 1): 0.0, ("a", 2): 1.0, ("b", 1): 1.0, ("b", 2): 0.0, ("c", 1): 1.0, ("c", 2): 0.5}

    def objective(keys: list[str], point: int) -> float:
        return sum(values[(k, point)] for k in keys)

    chosen = refit_per_source({"a": ["a"], "b": ["b"], "c": ["c"]}, [1, 2], objective, default=2)
    assert chosen["a"] == 1  # b and c: 2.0 with 1, 0.5 with 2
    assert chosen["b"] == 2  # a and c: 1.0 with 1, 1.5 with 2


def test_ties_go_to_the_neutral_point() -> None:
    chosen = refit_per_source({"a": ["a"], "b": ["b"]}, [1, 2], lambda keys, point: 0.0, default=2)
    assert chosen == {"a": 2, "b": 2}


def test_single_source_entries() -> None:
    uses = {"p1": {"x", "y"}, "p2": {"x"}, "p3": {"z"}}
    source = {"p1": "a", "p2": "b", "p3": "a"}.__getitem__
    assert single_source_entries(uses, source) == {"a": {"y", "z"}}
