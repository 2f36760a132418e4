"""Prices, stock and assortment of one competitor, this period against the previous one. Pure.

Definitions (the README repeats them):
- a product's price at a moment is its last known price before that moment (a state without a price,
  as out-of-stock pages often show, keeps the last price); a *move* over a period is the price at its
  end against the price at its start; products up/down count products whose price ended higher/lower;
- price index against ours: 100 x the median of price / our price over the competitor's products that
  have ``our_price`` (in the competitor's currency); below 100 means cheaper than us;
- against the market: the competitor's index divided by the cheapest competitor's index (market min)
  and by the median competitor's index (market median), x 100. Ratios to our price are what make
  competitors comparable across currencies and catalogues.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from monitor.kinds import kinds_counted_as
from monitor.kinds.product.changes import stock_state
from monitor.report.model import AssortmentSection, Compare, EventLine, PriceMove, PriceSection, StockSection
from monitor.report.queries import ChangeRow, ReportData, StateRow, WatchRow

PRICE_CHANGES = kinds_counted_as("price_changes")
STOCK_OUTS = kinds_counted_as("stock_outs")
RESTOCKS = kinds_counted_as("restocks")

TOP_MOVES = 10
MAX_EVENTS = 25


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


def price_moves(
    products: Iterable[WatchRow], lines: dict[int, Timeline], start: datetime, end: datetime
) -> list[PriceMove]:
    """Products whose price at `end` differs from their price at `start`, biggest relative move first."""
    moves = []
    for w in products:
        line = lines.get(w.id)
        if line is None:
            continue
        p1, p2 = line.price_before(start), line.price_before(end)
        if p1 is not None and p2 is not None and p1 != p2 and p1 > 0:
            moves.append(
                PriceMove(w.id, w.label, w.url, line.currency, p1, p2, float((p2 - p1) / p1), w.our_price)
            )
    moves.sort(key=lambda m: (-abs(m.change), m.label))
    return moves


def price_section(
    data: ReportData,
    products: list[WatchRow],
    lines: dict[int, Timeline],
    changes: list[ChangeRow],
    indexes: tuple[dict[int, float], dict[int, float]],  # (at the end of last period, at the end)
    competitor_id: int,
) -> PriceSection | None:
    p = data.period
    if not any(lines.get(w.id) for w in products):
        return None
    moves = price_moves(products, lines, p.start, p.end)
    counts = {"up": [0, 0], "down": [0, 0]}
    below = [0, 0]
    known = 0
    for w in products:
        line = lines.get(w.id)
        if line is None:
            continue
        p0, p1, p2 = (line.price_before(t) for t in (p.prev_start, p.start, p.end))
        known += p2 is not None
        for slot, (a, b) in enumerate(((p1, p2), (p0, p1))):
            if a is not None and b is not None and a != b:
                counts["up" if b > a else "down"][slot] += 1
        for slot, price in enumerate((p2, p1)):
            if price is not None and w.our_price and price < w.our_price:
                below[slot] += 1
    last_idx, idx = indexes[0].get(competitor_id), indexes[1].get(competitor_id)

    def market(at: dict[int, float], fn) -> float | None:  # noqa: ANN001
        return fn(list(at.values())) if at else None

    this_events = sum(1 for c in changes if c.kind in PRICE_CHANGES and c.at >= p.start)
    last_events = sum(1 for c in changes if c.kind in PRICE_CHANGES and c.at < p.start)
    return PriceSection(
        products=known,
        up=Compare(*counts["up"]),
        down=Compare(*counts["down"]),
        changes=Compare(this_events, last_events),
        moves=moves[:TOP_MOVES],
        index_vs_ours=Compare(idx, last_idx),
        index_vs_market_min=Compare(
            _relative(idx, market(indexes[1], min)), _relative(last_idx, market(indexes[0], min))
        ),
        index_vs_market_median=Compare(
            _relative(idx, market(indexes[1], statistics.median)),
            _relative(last_idx, market(indexes[0], statistics.median)),
        ),
        below_our_price=Compare(*below),
        compared=len(price_ratios(products, lines, p.end)),
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


def _count(changes: Iterable[ChangeRow], kinds: Set[str], start: datetime) -> Compare:
    this = last = 0
    for c in changes:
        if c.kind in kinds:
            if c.at >= start:
                this += 1
            else:
                last += 1
    return Compare(this, last)


def stock_section(
    data: ReportData, products: list[WatchRow], lines: dict[int, Timeline], changes: list[ChangeRow]
) -> StockSection | None:
    p = data.period
    out_now = [0, 0]
    for w in products:
        line = lines.get(w.id)
        if line is None:
            continue
        for slot, t in enumerate((p.end, p.start)):
            out_now[slot] += stock_state(line.availability_before(t)) == "out"
    outs = _count(changes, STOCK_OUTS, p.start)
    ins = _count(changes, RESTOCKS, p.start)
    if not (outs.this_week or outs.last_week or ins.this_week or ins.last_week or any(out_now)):
        return None
    return StockSection(
        stock_outs=outs,
        restocks=ins,
        out_of_stock_now=Compare(*out_now),
        events=_events(changes, STOCK_OUTS | RESTOCKS, data),
    )


LISTING_ADDED = kinds_counted_as("listing_added")
LISTING_REMOVED = kinds_counted_as("listing_removed")
PRODUCTS_REMOVED = kinds_counted_as("products_removed")
PRODUCTS_RETURNED = kinds_counted_as("products_returned")


def assortment_section(
    data: ReportData, products: list[WatchRow], lines: dict[int, Timeline], changes: list[ChangeRow]
) -> AssortmentSection | None:
    p = data.period
    added = [0, 0]
    new_events = []
    for w in products:
        line = lines.get(w.id)
        if line is None or line.first_seen is None:
            continue
        if line.first_seen >= p.start:
            added[0] += 1
            new_events.append(
                EventLine("product_added", w.label, w.url, line.first_seen, f"{w.label}: first seen")
            )
        else:
            added[1] += 1
    section = AssortmentSection(
        products_added=Compare(*added),
        products_removed=_count(changes, PRODUCTS_REMOVED, p.start),
        products_returned=_count(changes, PRODUCTS_RETURNED, p.start),
        listing_added=_count(changes, LISTING_ADDED, p.start),
        listing_removed=_count(changes, LISTING_REMOVED, p.start),
        events=(
            new_events
            + _events(changes, PRODUCTS_REMOVED | PRODUCTS_RETURNED | LISTING_ADDED | LISTING_REMOVED, data)
        )[:MAX_EVENTS],
    )
    numbers = [
        section.products_added,
        section.products_removed,
        section.products_returned,
        section.listing_added,
        section.listing_removed,
    ]
    if not any(c.this_week or c.last_week for c in numbers):
        return None
    return section
