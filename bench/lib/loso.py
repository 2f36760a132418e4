"""Leave-one-source-out for the extractor benchmarks: rules and parameters chosen without the source
(shop, engine, page family) that is being scored.

Two kinds of choices an extractor makes are checked this way:
- numeric parameters (weights, thresholds): refit by grid search on every other source, then
  the held-out source is scored with the refitted values (`refit_per_source`);
- entries of rule tables (phrases, markers, XPath alternatives): an entry that decided pages of
  one source only would not exist had that source never been seen, so it is switched off when
  that source is scored (`single_source_entries`).
A figure that holds under both is not fitted to the pages at hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar
from urllib.parse import urlsplit

K = TypeVar("K", bound=Hashable)
G = TypeVar("G", bound=Hashable)

# Second-level labels that are part of a public suffix ("amazon.co.uk", "olx.com.pk").
_SUFFIX_LABELS = {"co", "com", "org", "net", "gov", "edu", "ac", "or", "ne", "go"}


def shop_of(url: str) -> str:
    """A shop's name from its URL: the registrable label ("www.amazon.co.uk" -> "amazon",
    "birmingham.craigslist.org" -> "craigslist"), so one shop's country sites are one source."""
    host = (urlsplit(url).hostname or url).lower().removeprefix("www.")
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SUFFIX_LABELS:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else host


def group(keys: Iterable[K], source_of: Callable[[K], str]) -> dict[str, list[K]]:
    out: dict[str, list[K]] = defaultdict(list)
    for key in keys:
        out[source_of(key)].append(key)
    return dict(out)


def refit_per_source(
    by_source: Mapping[str, list[K]], grid: list[G], objective: Callable[[list[K], G], float], default: G
) -> dict[str, G]:
    """For each source, the grid point that maximises `objective` over all other sources' keys;
    ties go to `default`, then to the earlier grid point. Pass as `default` the point where the
    rules under test are switched off, not the shipped values: where the other sources cannot
    tell the options apart, the held-out source must not get a rule only it justified."""
    chosen: dict[str, G] = {}
    for held_out in by_source:
        rest = [k for source, keys in by_source.items() if source != held_out for k in keys]
        best, best_value = default, objective(rest, default)
        for point in grid:
            value = objective(rest, point)
            if value > best_value + 1e-12:
                best, best_value = point, value
        chosen[held_out] = best
    return chosen


def single_source_entries(uses: Mapping[K, set[str]], source_of: Callable[[K], str]) -> dict[str, set[str]]:
    """Per source, the table entries that decided pages of that source and of no other."""
    sources_of_entry: dict[str, set[str]] = defaultdict(set)
    for key, entries in uses.items():
        for entry in entries:
            sources_of_entry[entry].add(source_of(key))
    out: dict[str, set[str]] = defaultdict(set)
    for entry, sources in sources_of_entry.items():
        if len(sources) == 1:
            out[next(iter(sources))].add(entry)
    return dict(out)
