"""What a valid watchlist watches, as `rivalwatch check` prints it. Pure: a `Watchlist` in, tables out.

Every kind of watch has its table (products, listings, sites, pages, keyword groups with the watches
each one makes: keywords x engines x locales x devices), then one line each for the competitors,
channels, rules and the weekly report's schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.config.durations import format_duration
from monitor.config.watch_fields import WatchFields
from monitor.kinds import KINDS
from monitor.kinds.base import WatchSpec
from monitor.kinds.keyword.config import KeywordGroup
from monitor.kinds.listing.config import ListingWatch
from monitor.kinds.page.config import PageWatch
from monitor.kinds.product.config import ProductWatch
from monitor.kinds.site.config import SiteWatch
from monitor.watchlist.schema import Watchlist


@dataclass(frozen=True)
class SummaryTable:
    kind: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]


def schedule_of(spec: WatchSpec) -> str:
    if spec.cron:
        return f"cron {spec.cron}"
    return f"every {format_duration(spec.interval_s)}" if spec.interval_s else "-"


def _or_dash(values: object) -> str:
    if isinstance(values, (list, tuple, dict)):
        return ", ".join(str(v) for v in values) or "-"
    return "-" if values in (None, "") else str(values)


def _product(w: ProductWatch) -> tuple[str, ...]:
    return (w.render, _or_dash(list(w.selectors)), _or_dash(w.our_price))


def _listing(w: ListingWatch) -> tuple[str, ...]:
    cards = w.selectors.card if w.selectors else "automatic"
    return (w.render, f"{w.max_pages} ({w.pagination})", cards)


def _site(w: SiteWatch) -> tuple[str, ...]:
    return (w.render, f"{w.max_pages} pages, depth {w.max_depth}", "yes" if w.use_sitemap else "no")


def _page(w: PageWatch) -> tuple[str, ...]:
    keep = " ".join(f"{k}: {v}" for k, v in (("css", w.css), ("xpath", w.xpath), ("regex", w.regex)) if v)
    return (w.render, keep or "whole page", _or_dash(w.trigger))


# Per kind: its own columns after (competitor, url, schedule), and how an entry fills them.
_COLUMNS = {
    "product": (("render", "selectors", "our price"), _product),
    "listing": (("render", "pages per check", "cards"), _listing),
    "site": (("render", "limits", "sitemap"), _site),
    "page": (("render", "keeps", "triggers"), _page),
}


def group_watches(group: KeywordGroup) -> int:
    """The watches a keyword group makes: one per keyword x engine x locale x device."""
    return len(group.keywords) * len(group.engines) * len(group.locales) * len(group.devices)


def _url_table(watchlist: Watchlist, kind: str) -> SummaryTable:
    columns, row = _COLUMNS[kind]
    entries = [e for e in watchlist.section(kind) if isinstance(e, WatchFields)]
    specs = watchlist.watch_specs(kind)
    rows = [
        (spec.competitor or "-", entry.label or entry.url, schedule_of(spec), *row(entry))  # type: ignore[arg-type]
        for entry, spec in zip(entries, specs, strict=True)
    ]
    return SummaryTable(kind, f"{len(rows)} {kind} watches", ("competitor", "watch", "schedule", *columns), rows)


def _keyword_table(watchlist: Watchlist) -> SummaryTable:
    specs = watchlist.watch_specs("keyword")
    rows = []
    for group in watchlist.keywords:
        first = next(s for s in specs if s.options.get("group") == group.name)
        tracks = [*group.domains, *group.competitors]
        rows.append(
            (
                group.name,
                str(len(group.keywords)),
                ", ".join(group.engines),
                ", ".join(locale.label for locale in group.locales),
                ", ".join(group.devices),
                str(group_watches(group)),
                schedule_of(first),
                ", ".join(tracks),
            )
        )
    columns = ("group", "keywords", "engines", "locales", "devices", "watches", "schedule", "tracks")
    return SummaryTable("keyword", f"{len(specs)} keyword watches in {len(rows)} group{'s' if len(rows) != 1 else ''}", columns, rows)


def summary_tables(watchlist: Watchlist) -> list[SummaryTable]:
    """One table per kind of watch the watchlist has (products always, as the first thing users write)."""
    tables = [_keyword_table(watchlist) if kind == "keyword" else _url_table(watchlist, kind) for kind in KINDS]
    return [t for t in tables if t.rows or t.kind == "product"]


def watch_counts(watchlist: Watchlist) -> dict[str, int]:
    """Watches per kind, as synced into the store."""
    return {kind: len(watchlist.watch_specs(kind)) for kind in KINDS}


def report_line(watchlist: Watchlist) -> str:
    report = watchlist.report
    if not report.enabled:
        return "report: off"
    zone = report.timezone or watchlist.settings.timezone
    to = ", ".join(report.channels) or "no channel (files only)"
    return (
        f"report: every {report.day} {report.time:%H:%M} {zone}, {report.locale}, "
        f"{', '.join(report.formats)} in {report.out_dir}, to {to}"
    )


def summary_lines(watchlist: Watchlist) -> list[str]:
    """Competitors, channels, rules and the report, one line each."""
    rules = [f"{r.name} ({r.when} -> {', '.join([*r.channels, *r.channel_tags]) or 'all channels'})" for r in watchlist.rules]
    return [
        f"competitors: {', '.join(c.name for c in watchlist.competitors) or '-'}",
        f"channels: {', '.join(f'{c.name} ({c.mode}, {c.locale})' for c in watchlist.channels) or '-'}",
        f"rules: {', '.join(rules) or '-'}",
        report_line(watchlist),
    ]
