"""The report as one tidy CSV: one row per number (section, competitor, subject, metric, this week,
last week), so a spreadsheet can pivot it; the same numbers as the HTML, Markdown and JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from monitor.report.model import Compare, Report, section_metrics

COLUMNS = ("section", "competitor", "subject", "metric", "this_week", "last_week")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    # Text from competitors' pages must not become a spreadsheet formula (CSV injection).
    if isinstance(value, str) and value.startswith(_FORMULA) and not _is_number(value):
        return "'" + value
    return "" if value is None else value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _num(value: object) -> object:
    return round(value, 6) if isinstance(value, float) else value


def _figures(name: str, section: object) -> list[tuple[str, object]]:
    return [(f"{name}.{m.field}", value) for m, value in section_metrics(name, section)]


def rows(report: Report) -> Iterator[tuple]:
    for i, line in enumerate(report.summary, 1):
        yield ("summary", line.competitor, line.text, f"{i}:{line.kind}", line.count, None)
    if report.price_position:
        yield from _position_rows(report)
    for c in report.competitors:
        compare_fields: list[tuple[str, object]] = []
        if c.baseline:
            yield ("baseline", c.name, "", "products_first_checked", c.first_checked, None)
        if c.prices:
            p = c.prices
            yield ("prices", c.name, "", "products_priced", p.products, None)
            compare_fields += _figures("prices", p)
            for m in p.moves:  # this_week: the price after the move; last_week: before it
                yield (
                    "price_moves",
                    c.name,
                    m.label,
                    f"price ({m.currency or ''})",
                    str(m.after),
                    str(m.before),
                )
        if c.stock:
            compare_fields += _figures("stock", c.stock)
        if c.assortment:
            compare_fields += _figures("assortment", c.assortment)
        if c.keywords:
            k = c.keywords
            compare_fields += [
                ("keywords.visibility", k.visibility),
                ("keywords.share_of_voice", k.share_of_voice),
            ]
            for pos in k.positions:  # positions in places (#1 best), never percentages
                yield ("keyword_positions", c.name, f"{pos.keyword} ({pos.engine}) {pos.domain}", "position",
                       pos.current, pos.previous)  # fmt: skip
            for label in k.gained_top10:
                yield ("keywords", c.name, label, "gained_top10", 1, None)
            for label in k.lost_top10:
                yield ("keywords", c.name, label, "lost_top10", 1, None)
        if c.site:
            compare_fields += _figures("site", c.site)
        for name, value in compare_fields:
            assert isinstance(value, Compare)
            section, metric = name.split(".", 1)
            yield (section, c.name, "", metric, _num(value.this_week), _num(value.last_week))
        for a in c.anomalies:
            yield ("anomalies", c.name, a.subject, a.kind, round(a.score, 4), None)
    for v in report.share_of_voice:
        yield (
            "share_of_voice",
            v.competitor,
            v.domain,
            "share",
            _num(v.share.this_week),
            _num(v.share.last_week),
        )
        yield ("share_of_voice", v.competitor, v.domain, "visibility", _num(v.visibility.this_week),
               _num(v.visibility.last_week))  # fmt: skip


def _position_rows(report: Report) -> Iterator[tuple]:
    """The price position: one row per figure; a product's line is several rows (one per number),
    its competitor the cheapest one; MAP offers carry their competitor."""
    pp = report.price_position
    assert pp is not None
    section = "price_position"
    cur = pp.currency
    for metric in ("products", "offers", "compared", "cheapest", "dearest"):
        yield (section, None, "", metric, getattr(pp, metric), None)
    for table, lines in (("most_expensive", pp.most_expensive), ("least_expensive", pp.least_expensive)):
        for line in lines:
            subject = f"{line.sku} {line.product}"
            yield (table, line.cheapest, subject, f"our_price ({cur})", str(line.our_price), None)
            yield (table, line.cheapest, subject, f"cheapest_price ({cur})", str(line.cheapest_price), None)
            yield (table, line.cheapest, subject, f"gap ({cur})", str(line.gap), None)
            yield (table, line.cheapest, subject, "gap_share", _num(line.gap_share), None)
            yield (table, line.cheapest, subject, "our_rank", line.rank, None)
            yield (table, line.cheapest, subject, "ranked", line.of, None)
    for v in pp.map_violations:
        yield ("map_violations", v.competitor, "", "below_map_now", len(v.offers), None)
        yield ("map_violations", v.competitor, "", "reported", v.reported, None)
        for o in v.offers:  # this_week: their price; last_week: our MAP
            yield ("map_violations", v.competitor, f"{o.sku} {o.product}", f"price_vs_map ({cur})", str(o.price),
                   str(o.map_price))  # fmt: skip
    for kind, c in pp.changes.items():
        yield ("matrix_changes", None, "", kind, c.this_week, c.last_week)


def render_csv(report: Report, locale: str = "en") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows(report):
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()
