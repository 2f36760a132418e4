"""The report's price charts as data: each competitor's price index against ours by day, and per top
mover the price line of every competitor selling that product (watches sharing an `our_sku`), with
the days it was out of stock marked. Pure: `ReportData` in, `Series` out.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from monitor.kinds.product.changes import stock_state
from monitor.report.keywords import local_days
from monitor.report.model import PriceMove, ProductChart, Series
from monitor.report.prices import Timeline
from monitor.report.queries import CompetitorRow, DayState, ReportData, WatchRow

OUR_LINE = "ours"  # the label key of our own price line (renderers translate it)


def _median_index(ratios: list[float]) -> float | None:
    return 100 * statistics.median(ratios) if ratios else None


def index_history(data: ReportData, chosen: Sequence[CompetitorRow], lines: Mapping[int, Timeline]) -> list[Series]:
    """Per competitor, 100 x median(price / our price): at each week's end over the history, then at
    the end of each day of the period and the one before it; and our line at 100."""
    tz = ZoneInfo(data.period.timezone)
    by_comp: dict[int, list[WatchRow]] = defaultdict(list)
    for w in data.watches.values():
        if w.kind == "product" and w.competitor_id is not None and w.our_price and w.our_price > 0:
            by_comp[w.competitor_id].append(w)
    # (local day, the moment it ends, each watch's price then)
    moments: list[tuple[date, datetime, Callable[[WatchRow], Decimal | None]]] = []
    for moment, states in sorted(data.weekly.items()):
        moments.append(((moment - timedelta(microseconds=1)).astimezone(tz).date(), moment,
                        lambda w, st=states: st[w.id].price if w.id in st else None))  # fmt: skip
    for day, moment in local_days(data.period.prev_start, data.period.end, tz):
        moments.append((day, moment, lambda w, m=moment: lines[w.id].price_before(m) if w.id in lines else None))
    out, days = [], set()
    for comp in chosen:
        points = []
        for day, _moment, price_of in moments:
            ratios = [float(price / w.our_price) for w in by_comp.get(comp.id, [])
                      if w.our_price and (price := price_of(w)) is not None]  # fmt: skip
            value = _median_index(ratios)
            if value is not None:
                points.append((day, value))
        if points:
            out.append(Series(comp.name, "index", points))
            days |= {d for d, _ in points}
    if out:
        out.append(Series(OUR_LINE, "index", [(d, 100.0) for d in sorted(days)], reference=True))
    return out


def chart_watches(data: ReportData, movers: Sequence[PriceMove]) -> set[int]:
    """The product watches the charts of these movers draw: each mover and its siblings."""
    out: set[int] = set()
    for move in movers:
        watch = data.watches.get(move.watch_id)
        if watch is not None:
            out |= {w.id for w in _siblings(data, watch)}
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
