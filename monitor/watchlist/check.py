"""What no single entry can know: checks across the watchlist's sections and entries. Pure.

Each model checks its own fields (a selector compiles, a time zone exists, a cron expression fires);
what needs the whole watchlist is here, in one place:

- names and URLs given twice (competitors, channels, rules, keyword groups; one watch per URL),
  a domain claimed by two competitors;
- every reference, with the closest right name when one is near: a watch's `competitor`, a keyword
  group's `competitors` (configured, with domains, or a domain) and `weights`, a rule's `when`,
  `kinds`, `watch_kinds`, `channels`, `channel_tags`, `competitors` and `tags`, a channel's
  `competitors`, the report's `channels` and `competitors`.

`check_watchlist(watchlist, declared)` returns `Issue`s whose paths (`rules[3].channels[0]`) the
loader maps to YAML lines; it runs after parsing, so `check`, `run` and `serve` reject the same files.
When some entries did not parse, the loader checks what did and passes the names the broken
entries declare (`declared_in(raw)`), so a rule naming a broken channel is not reported twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.config.alerting import AlertRule
from monitor.config.suggest import did_you_mean
from monitor.config.watch_fields import WatchFields
from monitor.kinds import CHANGE_KINDS, KINDS, RULE_KINDS
from monitor.watchlist.schema import Watchlist

KeyPath = tuple[str | int, ...]

RULE_WHEN: frozenset[str] = frozenset(RULE_KINDS) | {"any", "anomaly"}
SECTIONS: tuple[str, ...] = tuple(kind.section for kind in KINDS.values())


@dataclass(frozen=True)
class Issue:
    """A problem at a path of the watchlist; `first` is the entry it repeats (shown with its line)."""

    path: KeyPath
    message: str
    first: KeyPath | None = None


@dataclass(frozen=True)
class Declared:
    """The names a watchlist's entries declare, which references are checked against."""

    competitors: frozenset[str] = frozenset()
    hosts: frozenset[str] = frozenset()  # competitors the store names after a watch's host
    channels: frozenset[str] = frozenset()
    channel_tags: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()  # of watches, keyword groups and competitors

    def __or__(self, other: Declared) -> Declared:
        return Declared(
            self.competitors | other.competitors,
            self.hosts | other.hosts,
            self.channels | other.channels,
            self.channel_tags | other.channel_tags,
            self.tags | other.tags,
        )

    @property
    def any_competitor(self) -> frozenset[str]:
        """Names a change's competitor can have: configured ones and hosts of the others' watches."""
        return self.competitors | self.hosts


def declared_by(watchlist: Watchlist) -> Declared:
    watches = [w for section in SECTIONS for w in getattr(watchlist, section)]
    own = {c.name for c in watchlist.competitors}
    return Declared(
        competitors=frozenset(own),
        hosts=frozenset(
            name for w in watches if isinstance(w, WatchFields) and (name := watchlist.competitor_for(w)) not in own
        ),
        channels=frozenset(c.name for c in watchlist.channels),
        channel_tags=frozenset(t for c in watchlist.channels for t in c.tags),
        tags=frozenset(t for entry in [*watches, *watchlist.competitors] for t in entry.tags),
    )


def _raw_entries(data: Mapping[str, object], section: str) -> list[Mapping[str, object]]:
    entries = data.get(section)
    return [e for e in entries if isinstance(e, Mapping)] if isinstance(entries, list) else []


def _strings(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def declared_in(data: Mapping[str, object]) -> Declared:
    """The names written in the raw YAML, whether or not their entries parsed."""
    watches = [e for section in SECTIONS for e in _raw_entries(data, section)]
    competitors = _raw_entries(data, "competitors")
    channels = _raw_entries(data, "channels")
    return Declared(
        competitors=frozenset(n for c in competitors for n in _strings(c.get("name"))),
        hosts=frozenset(
            (urlsplit(url).hostname or "").lower() for w in watches for url in _strings(w.get("url"))
        ),
        channels=frozenset(n for c in channels for n in _strings(c.get("name"))),
        channel_tags=frozenset(t for c in channels for t in _strings(c.get("tags"))),
        tags=frozenset(t for e in [*watches, *competitors] for t in _strings(e.get("tags"))),
    )


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    return f"unknown {what} {name!r}{did_you_mean(name, known)}"


def _twice(section: str | KeyPath, entries: Sequence[object], field: str, what: str) -> Iterator[Issue]:
    """An issue for every entry whose `field` repeats an earlier entry's."""
    first: dict[str, int] = {}
    at: KeyPath = (section,) if isinstance(section, str) else section
    for i, entry in enumerate(entries):
        value = getattr(entry, field)
        if value in first:
            yield Issue((*at, i, field), f"{what} given twice: {value}", (*at, first[value], field))
        else:
            first[value] = i


def _duplicates(wl: Watchlist, names: Declared) -> Iterator[Issue]:
    yield from _twice("competitors", wl.competitors, "name", "competitor name")
    yield from _twice("channels", wl.channels, "name", "channel name")
    yield from _twice("rules", wl.rules, "name", "rule name")
    yield from _twice("keywords", wl.keywords, "name", "keyword group name")
    for kind in KINDS.values():
        entries = [w for w in getattr(wl, kind.section) if isinstance(w, WatchFields)]
        for issue in _twice(kind.section, entries, "url", f"{kind.name} URL"):
            # "watched twice" is what users search the README and the log for.
            yield Issue(issue.path, issue.message.replace("given twice", "watched twice"), issue.first)
    owner: dict[str, KeyPath] = {}
    for i, competitor in enumerate(wl.competitors):
        for j, domain in enumerate(competitor.domains):
            path: KeyPath = ("competitors", i, "domains", j)
            if domain in owner and owner[domain][1] != i:
                claimed = wl.competitors[int(owner[domain][1])].name
                yield Issue(path, f"domain {domain} already belongs to competitor {claimed!r}", owner[domain])
            owner.setdefault(domain, path)


def _watches(wl: Watchlist, names: Declared) -> Iterator[Issue]:
    for section in SECTIONS:
        for i, watch in enumerate(getattr(wl, section)):
            competitor = getattr(watch, "competitor", None)
            if isinstance(watch, WatchFields) and competitor is not None and competitor not in names.competitors:
                yield Issue((section, i, "competitor"), _unknown("competitor", competitor, names.competitors))


def _keyword_groups(wl: Watchlist, names: Declared) -> Iterator[Issue]:
    configured = {c.name: c for c in wl.competitors}
    for i, group in enumerate(wl.keywords):
        for j, ref in enumerate(group.competitors):
            path: KeyPath = ("keywords", i, "competitors", j)
            if ref in configured:
                if not configured[ref].domains:
                    yield Issue(path, f"competitor {ref!r} has no domains configured, so it has no rank to track")
            elif ref not in names.competitors and "." not in ref and ":" not in ref:
                yield Issue(
                    path,
                    f"{ref!r} is neither a configured competitor nor a domain"
                    f"{did_you_mean(ref, names.competitors)}",
                )
        for keyword in group.weights:
            if keyword not in group.keywords:
                yield Issue(
                    ("keywords", i, "weights", keyword),
                    f"{keyword!r} is not one of the group's keywords{did_you_mean(keyword, group.keywords)}",
                )


def _rule_kinds(i: int, when: str, kinds: Sequence[str]) -> Iterator[Issue]:
    matched = RULE_KINDS.get(when)
    for j, kind in enumerate(kinds):
        if kind not in CHANGE_KINDS:
            yield Issue(("rules", i, "kinds", j), _unknown("change kind", kind, CHANGE_KINDS))
        elif matched is not None and kind not in matched:
            yield Issue(
                ("rules", i, "kinds", j),
                f"when: {when} never matches {kind} (it matches {', '.join(sorted(matched))}; "
                "use when: any to pick change kinds freely)",
            )


def _rule_watch_kinds(i: int, when: str, watch_kinds: Sequence[str]) -> Iterator[Issue]:
    matched = RULE_KINDS.get(when)
    if matched is None or not watch_kinds:
        return
    reported = {CHANGE_KINDS[k].watch_kind for k in matched}
    if not reported & set(watch_kinds):
        yield Issue(
            ("rules", i, "watch_kinds"),
            f"when: {when} matches changes of {', '.join(sorted(reported))} watches only, never "
            f"{', '.join(watch_kinds)}",
        )


def _rules(wl: Watchlist, names: Declared) -> Iterator[Issue]:
    for i, rule in enumerate(wl.rules):
        if rule.when not in RULE_WHEN:
            yield Issue(("rules", i, "when"), _unknown("when", rule.when, RULE_WHEN))
        yield from _rule_kinds(i, rule.when, rule.kinds)
        yield from _rule_watch_kinds(i, rule.when, rule.watch_kinds)
        yield from _rule_routes(i, rule, names)


def _rule_routes(i: int, rule: AlertRule, names: Declared) -> Iterator[Issue]:
    """The channels a rule names, and the competitors and tags it filters on: each must exist."""
    for j, channel in enumerate(rule.channels):
        if channel not in names.channels:
            yield Issue(("rules", i, "channels", j), _unknown("channel", channel, names.channels))
    for j, tag in enumerate(rule.channel_tags):
        if tag not in names.channel_tags:
            message = f"no channel has the tag {tag!r}{did_you_mean(tag, names.channel_tags)}"
            yield Issue(("rules", i, "channel_tags", j), message)
    for j, competitor in enumerate(rule.competitors):
        if competitor not in names.any_competitor:
            message = _unknown("competitor", competitor, names.any_competitor)
            yield Issue(("rules", i, "competitors", j), message)
    for j, tag in enumerate(rule.tags):
        if tag not in names.tags:
            message = f"no watch or competitor has the tag {tag!r}{did_you_mean(tag, names.tags)}"
            yield Issue(("rules", i, "tags", j), message)


def _channels_and_report(wl: Watchlist, names: Declared) -> Iterator[Issue]:
    for i, channel in enumerate(wl.channels):
        for j, competitor in enumerate(channel.competitors):
            if competitor not in names.any_competitor:
                message = _unknown("competitor", competitor, names.any_competitor)
                yield Issue(("channels", i, "competitors", j), message)
    for j, channel_name in enumerate(wl.report.channels):
        if channel_name not in names.channels:
            yield Issue(("report", "channels", j), _unknown("channel", channel_name, names.channels))
    for j, competitor in enumerate(wl.report.competitors):
        if competitor not in names.any_competitor:
            message = _unknown("competitor", competitor, names.any_competitor)
            yield Issue(("report", "competitors", j), message)


def _catalogue(wl: Watchlist, names: Declared) -> Iterator[Issue]:
    """Our products: SKUs and import names once each; a product's `watches` are product watches."""
    if wl.catalogue is None:
        return
    yield from _twice(("catalogue", "products"), wl.catalogue.products, "sku", "SKU")
    yield from _twice(("catalogue", "imports"), wl.catalogue.imports, "name", "import name")
    urls = [w.url for w in wl.products]
    claimed: dict[str, KeyPath] = {}
    for i, product in enumerate(wl.catalogue.products):
        for j, url in enumerate(product.watches):
            path: KeyPath = ("catalogue", "products", i, "watches", j)
            if url not in urls:
                yield Issue(path, f"not a product watch: {url}{did_you_mean(url, urls)}")
            elif url in claimed:
                yield Issue(path, f"watch already matched to another product: {url}", claimed[url])
            claimed.setdefault(url, path)


CHECKS: tuple[Callable[[Watchlist, Declared], Iterator[Issue]], ...] = (
    _duplicates,
    _watches,
    _keyword_groups,
    _rules,
    _channels_and_report,
    _catalogue,
)


def check_watchlist(watchlist: Watchlist, declared: Declared | None = None) -> list[Issue]:
    """Every cross-entry problem of a parsed watchlist; `declared` adds names of unparsed entries."""
    names = declared_by(watchlist) | (declared or Declared())
    return [issue for check in CHECKS for issue in check(watchlist, names)]
