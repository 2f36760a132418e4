"""The report's price charts as data: each competitor's price index against ours by day, and per top
mover the price line of every competitor selling that product (watches sharing an `our_sku`), with
the days it was out of stock marked. Pure: `ReportData` in, `Series` out.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from monitor.kinds.product.changes import stock_state
from monitor.report.model import PriceMove, ProductChart, Series
from monitor.report.queries import CompetitorRow, DayState, ReportData, WatchRow

OUR_LINE = "ours"  # the label key of our own price line (renderers translate it)


def index_history(data: ReportData, chosen: Sequence[CompetitorRow]) -> list[Series]:
    """Per competitor, 100 x median(price / our price) at the end of each day; and our line at 100."""
    by_comp: dict[int, list[WatchRow]] = defaultdict(list)
    for w in data.watches.values():
        if w.kind == "product" and w.competitor_id is not None and w.our_price and w.our_price > 0:
            by_comp[w.competitor_id].append(w)
    out = []
    days: set[date] = set()
    for comp in chosen:
        per_day: dict[date, list[float]] = defaultdict(list)
        for w in by_comp.get(comp.id, []):
            for s in data.lines.get(w.id, []):
                if s.price is not None and w.our_price:
                    per_day[s.day].append(float(s.price / w.our_price))
        points = [(d, 100 * statistics.median(v)) for d, v in sorted(per_day.items())]
        if points:
            out.append(Series(comp.name, "index", points))
            days |= set(per_day)
    if out:
        out.append(Series(OUR_LINE, "index", [(d, 100.0) for d in sorted(days)], reference=True))
    return out


def _line(label: str, states: list[DayState], scale: float | None) -> Series:
    """A watch's days as points (divided by `scale` x 1/100 when given); out-of-stock days as marks."""
    points, marks = [], []
    for s in states:
        if s.price is None:
            continue
        value = float(s.price) if scale is None else 100 * float(s.price) / scale
        points.append((s.day, value))
        if stock_state(s.availability) == "out":
            marks.append((s.day, value))
    return Series(label, None, points, marks)


def _siblings(data: ReportData, watch: WatchRow) -> list[WatchRow]:
    """The watch and every other product watch of the same product (same `our_sku`), by competitor."""
    if not watch.our_sku:
        return [watch]
    same = [w for w in data.watches.values() if w.kind == "product" and w.our_sku == watch.our_sku]
    names = {c.id: c.name for c in data.competitors}
    return sorted(same, key=lambda w: (w.id != watch.id, names.get(w.competitor_id or -1, ""), w.id))


def product_chart(data: ReportData, move: PriceMove) -> ProductChart | None:
    watch = data.watches.get(move.watch_id)
    if watch is None:
        return None
    names = {c.id: c.name for c in data.competitors}
    group = [w for w in _siblings(data, watch) if data.lines.get(w.id)]
    currencies = {s.currency for w in group for s in data.lines[w.id] if s.currency}
    if len(currencies) > 1:  # prices in several currencies compare only through our price in each
        group = [w for w in group if w.our_price and w.our_price > 0]
    if not group:
        return None
    indexed = len(currencies) > 1
    series = []
    for w in group:
        scale = float(w.our_price) if indexed and w.our_price else None
        line = _line(names.get(w.competitor_id or -1, w.label), data.lines[w.id], scale)
        if line.points:
            series.append(line)
    days = sorted({d for s in series for d, _ in s.points})
    if indexed:
        series.append(Series(OUR_LINE, "index", [(d, 100.0) for d in days], reference=True))
    elif watch.our_price and days:
        series.append(Series(OUR_LINE, move.currency, [(d, float(watch.our_price)) for d in days], reference=True))
    unit = "index" if indexed else (move.currency or next(iter(currencies), "") or "")
    return ProductChart(product_name(move.label, names.get(watch.competitor_id or -1)), unit, series) if series else None


def product_name(label: str, competitor: str | None) -> str:
    """A watch's label without its competitor's name in front ("Alpha · Widget" -> "Widget"): the
    chart is about the product at every shop."""
    if competitor:
        for sep in (" · ", ": ", " - ", " "):
            if label.startswith(competitor + sep):
                return label[len(competitor) + len(sep) :]
    return label
