"""Prices, stock and assortment of one competitor, this period against the previous one. Pure.

Definitions (the README repeats them):
- *price moves up / down* count the price changes the store recorded in the period (`price_up` /
  `price_down` rows): a sale that starts and ends inside the week is one move down and one up;
- *products priced higher / lower* (net) compare each product's price at the end of the period with
  its price at the start, or with its first price in the period when it was first checked then;
- *biggest moves* are the period's largest recorded price changes, one per product;
- a product's price at a moment is its last known price before that moment (a state without a price,
  as out-of-stock pages often show, keeps the last price);
- price index against ours: 100 x the median of price / our price over the competitor's products that
  have ``our_price`` (in the competitor's currency); below 100 means cheaper than us;
- against the market: the competitor's index divided by the cheapest competitor's index (market min)
  and by the median competitor's index (market median), x 100;
- a figure of the previous period is None ("—") when the competitor was not watched before this
  period; in its first week (its baseline) products first checked are not counted as added.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from monitor.kinds import kinds_counted_as
from monitor.kinds.product.changes import stock_state
from monitor.report.model import AssortmentSection, Compare, EventLine, PriceMove, PriceSection, StockSection
from monitor.report.queries import ChangeRow, ReportData, StateRow, WatchRow

PRICE_CHANGES = kinds_counted_as("price_changes")
PRICE_UP = frozenset({"price_up"}) & PRICE_CHANGES
PRICE_DOWN = PRICE_CHANGES - PRICE_UP
STOCK_OUTS = kinds_counted_as("stock_outs")
RESTOCKS = kinds_counted_as("restocks")
LISTING_ADDED = kinds_counted_as("listing_added")
LISTING_REMOVED = kinds_counted_as("listing_removed")
PRODUCTS_REMOVED = kinds_counted_as("products_removed")
PRODUCTS_RETURNED = kinds_counted_as("products_returned")

TOP_MOVES = 10
MAX_EVENTS = 25


@dataclass(frozen=True)
class Window:
    """What one competitor's figures may say: its period, and which figures are measurable."""

    prev_start: datetime
    start: datetime
    end: datetime
    previous: bool  # watched before `start`: last period's figures exist
    added: tuple[bool, bool]  # (this period, last period): "added" counts mean something (not a baseline)


def window_of(data: ReportData, competitor_id: int) -> Window:
    p = data.period
    first = data.competitor_first_check(competitor_id)
    return Window(
        p.prev_start,
        p.start,
        p.end,
        previous=first is not None and first < p.start,
        added=(first is not None and first < p.start, first is not None and first < p.prev_start),
    )


@dataclass
class Timeline:
    """One product's states in time order, able to answer "what was true just before t"."""

    times: list[datetime]
    prices: list[Decimal | None]  # last known price up to each state
    availability: list[str | None]
    currency: str | None
    first_seen: datetime | None

    def _index(self, moment: datetime) -> int:
        return bisect.bisect_left(self.times, moment) - 1

    def price_before(self, moment: datetime) -> Decimal | None:
        i = self._index(moment)
        return self.prices[i] if i >= 0 else None

    def opening_price(self, start: datetime, end: datetime) -> Decimal | None:
        """The price a period opened with: the last before it, else the first one seen in it."""
        price = self.price_before(start)
        i = bisect.bisect_left(self.times, start)
        while price is None and i < len(self.times) and self.times[i] < end:
            price = self.prices[i]
            i += 1
        return price

    def availability_before(self, moment: datetime) -> str | None:
        i = self._index(moment)
        return self.availability[i] if i >= 0 else None


def timelines(data: ReportData) -> dict[int, Timeline]:
    """Every product watch's timeline, from its baseline state and the period's states."""
    by_watch: dict[int, list[StateRow]] = defaultdict(list)
    for w, state in data.baseline.items():
        by_watch[w].append(state)
    for state in data.states:
        by_watch[state.watch_id].append(state)
    out = {}
    for w, states in by_watch.items():
        priced = data.baseline_priced.get(w)
        last_price = priced.price if priced else None
        currency = priced.currency if priced else None
        times, prices, avail = [], [], []
        for s in states:
            if s.price is not None:
                last_price, currency = s.price, s.currency or currency
            times.append(s.at)
            prices.append(last_price)
            avail.append(s.availability)
        first = states[0].at if w not in data.baseline else None
        out[w] = Timeline(times, prices, avail, currency, first)
    return out


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def price_ratios(watches: Iterable[WatchRow], lines: dict[int, Timeline], moment: datetime) -> list[float]:
    ratios = []
    for w in watches:
        line = lines.get(w.id)
        price = line.price_before(moment) if line else None
        if price is not None and w.our_price and w.our_price > 0:
            ratios.append(float(price / w.our_price))
    return ratios


def competitor_indexes(
    products_by_competitor: dict[int, list[WatchRow]], lines: dict[int, Timeline], moment: datetime
) -> dict[int, float]:
    """100 x median(price / our price) per competitor that has comparable products at `moment`."""
    out = {}
    for cid, products in products_by_competitor.items():
        m = _median(price_ratios(products, lines, moment))
        if m is not None:
            out[cid] = 100 * m
    return out


def _relative(index: float | None, reference: float | None) -> float | None:
    return None if index is None or not reference else 100 * index / reference


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def biggest_moves(
    changes: Iterable[ChangeRow], watches: dict[int, WatchRow], lines: dict[int, Timeline], w: Window
) -> list[PriceMove]:
    """The period's largest recorded price changes, the largest of each product, biggest first."""
    best: dict[int, PriceMove] = {}
    for c in changes:
        if c.kind not in PRICE_CHANGES or not w.start <= c.at < w.end:
            continue
        before, after = _decimal(c.old), _decimal(c.new)
        if before is None or after is None or before <= 0:
            continue
        rel = c.magnitude if c.magnitude is not None else float((after - before) / before)
        watch = watches.get(c.watch_id)
        line = lines.get(c.watch_id)
        currency = c.details.get("currency") or (line.currency if line else None)
        move = PriceMove(
            c.watch_id, watch.label if watch else "", watch.url if watch else "", currency, before, after,
            rel, watch.our_price if watch else None, c.at,
        )  # fmt: skip
        if c.watch_id not in best or abs(rel) > abs(best[c.watch_id].change):
            best[c.watch_id] = move
    return sorted(best.values(), key=lambda m: (-abs(m.change), m.label))[:TOP_MOVES]


def _events_between(changes: Iterable[ChangeRow], kinds: Set[str], start: datetime, end: datetime) -> int:
    return sum(1 for c in changes if c.kind in kinds and start <= c.at < end)


def _count(changes: Sequence[ChangeRow], kinds: Set[str], w: Window) -> Compare:
    """Changes of these kinds this period, and last period when it was watched then."""
    this = _events_between(changes, kinds, w.start, w.end)
    last = _events_between(changes, kinds, w.prev_start, w.start) if w.previous else None
    return Compare(this, last)


def _net(products: list[WatchRow], lines: dict[int, Timeline], t0: datetime, t1: datetime) -> tuple[int, int]:
    up = down = 0
    for wr in products:
        line = lines.get(wr.id)
        if line is None:
            continue
        a, b = line.opening_price(t0, t1), line.price_before(t1)
        if a is not None and b is not None and a != b:
            up += b > a
            down += b < a
    return up, down


def price_section(
    data: ReportData,
    products: list[WatchRow],
    lines: dict[int, Timeline],
    changes: list[ChangeRow],
    indexes: tuple[dict[int, float], dict[int, float]],  # (at the end of last period, at the end)
    competitor_id: int,
) -> PriceSection | None:
    if not any(lines.get(wr.id) for wr in products):
        return None
    w = window_of(data, competitor_id)
    net_now = _net(products, lines, w.start, w.end)
    net_before = _net(products, lines, w.prev_start, w.start) if w.previous else (None, None)
    below: list[int | None] = [0, 0 if w.previous else None]
    known = 0
    for wr in products:
        line = lines.get(wr.id)
        if line is None:
            continue
        p1, p2 = line.price_before(w.start), line.price_before(w.end)
        known += p2 is not None
        for slot, price in enumerate((p2, p1)):
            if below[slot] is not None and price is not None and wr.our_price and price < wr.our_price:
                below[slot] = (below[slot] or 0) + 1
    last_idx, idx = indexes[0].get(competitor_id), indexes[1].get(competitor_id)

    def market(at: dict[int, float], fn) -> float | None:  # noqa: ANN001
        return fn(list(at.values())) if at else None

    up, down = _count(changes, PRICE_UP, w), _count(changes, PRICE_DOWN, w)
    total = _count(changes, PRICE_CHANGES, w)
    return PriceSection(
        products=known,
        moves_up=up,
        moves_down=down,
        changes=total,
        net_up=Compare(net_now[0], net_before[0]),
        net_down=Compare(net_now[1], net_before[1]),
        moves=biggest_moves(changes, data.watches, lines, w),
        index_vs_ours=Compare(idx, last_idx),
        index_vs_market_min=Compare(
            _relative(idx, market(indexes[1], min)), _relative(last_idx, market(indexes[0], min))
        ),
        index_vs_market_median=Compare(
            _relative(idx, market(indexes[1], statistics.median)),
            _relative(last_idx, market(indexes[0], statistics.median)),
        ),
        below_our_price=Compare(*below),
        compared=len(price_ratios(products, lines, w.end)),
    )


def _events(changes: Iterable[ChangeRow], kinds: Set[str], data: ReportData) -> list[EventLine]:
    out = []
    for c in changes:
        if c.kind in kinds and c.at >= data.period.start:
            w = data.watches.get(c.watch_id)
            details = c.details or {}
            subject = details.get("title") or (w.label if w else None) or details.get("url") or ""
            url = details.get("url") or (w.url if w else None)
            out.append(EventLine(c.kind, str(subject), url, c.at, c.summary, c.old, c.new))
    return out[:MAX_EVENTS]


def _any(*figures: Compare) -> bool:
    return any(c.this_week or c.last_week for c in figures)


def stock_section(
    data: ReportData, products: list[WatchRow], lines: dict[int, Timeline], changes: list[ChangeRow],
    competitor_id: int,
) -> StockSection | None:  # fmt: skip
    w = window_of(data, competitor_id)
    out_now: list[int | None] = [0, 0 if w.previous else None]
    for wr in products:
        line = lines.get(wr.id)
        if line is None:
            continue
        for slot, t in enumerate((w.end, w.start)):
            if out_now[slot] is not None:
                out_now[slot] = (out_now[slot] or 0) + (stock_state(line.availability_before(t)) == "out")
    outs, ins = _count(changes, STOCK_OUTS, w), _count(changes, RESTOCKS, w)
    out_figure = Compare(*out_now)
    if not _any(outs, ins, out_figure):
        return None
    return StockSection(
        stock_outs=outs,
        restocks=ins,
        out_of_stock_now=out_figure,
        events=_events(changes, STOCK_OUTS | RESTOCKS, data),
    )


def first_checked(data: ReportData, products: list[WatchRow], start: datetime, end: datetime) -> int:
    """Product watches whose first good check fell in [start, end)."""
    return sum(1 for wr in products if (t := data.first_checks.get(wr.id)) is not None and start <= t < end)


def assortment_section(
    data: ReportData, products: list[WatchRow], lines: dict[int, Timeline], changes: list[ChangeRow],
    competitor_id: int,
) -> AssortmentSection | None:  # fmt: skip
    w = window_of(data, competitor_id)
    added = Compare(
        first_checked(data, products, w.start, w.end) if w.added[0] else None,
        first_checked(data, products, w.prev_start, w.start) if w.added[1] else None,
    )
    new_events = []
    if w.added[0]:
        for wr in products:
            t = data.first_checks.get(wr.id)
            if t is not None and w.start <= t < w.end:
                new_events.append(EventLine("product_added", wr.label, wr.url, t, f"{wr.label}: first seen"))
    section = AssortmentSection(
        products_added=added,
        products_removed=_count(changes, PRODUCTS_REMOVED, w),
        products_returned=_count(changes, PRODUCTS_RETURNED, w),
        listing_added=_count(changes, LISTING_ADDED, w),
        listing_removed=_count(changes, LISTING_REMOVED, w),
        events=(
            new_events
            + _events(changes, PRODUCTS_REMOVED | PRODUCTS_RETURNED | LISTING_ADDED | LISTING_REMOVED, data)
        )[:MAX_EVENTS],
    )
    figures = (section.products_added, section.products_removed, section.products_returned,
               section.listing_added, section.listing_removed)  # fmt: skip
    return section if _any(*figures) else None
