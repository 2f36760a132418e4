"""The report model: what a weekly report says, as plain dataclasses, before any language or format.

Every renderer (HTML, Markdown, CSV, JSON) and the delivery digest read this one model, so they all
carry the same numbers. Numbers are kept raw (Decimal prices, float ratios); words come at render time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Compare:
    """A number this period and the period before (None: not measurable then)."""

    this_week: float | int | None
    last_week: float | int | None

    @property
    def delta(self) -> float | int | None:
        if self.this_week is None or self.last_week is None:
            return None
        return self.this_week - self.last_week


@dataclass(frozen=True)
class SummaryLine:
    """One movement of the week in the executive summary (one change, or several grouped)."""

    severity: str | None  # info | warning | critical | None when no alert rule covers it
    score: float | None  # highest anomaly score among the changes it stands for
    competitor: str | None
    kind: str
    subject: str  # product, keyword, page... the line is about
    text: str  # the detector's own (English) sentence
    old: str | None = None
    new: str | None = None
    magnitude: float | None = None  # relative price move (-0.2: 20% down); never set for ranks
    count: int = 1
    explanation: str | None = None
    places: int | None = None  # rank moves: places climbed (+) or fallen (-), the largest of a group
    largest: float | None = None  # a group of price moves: its largest relative move


@dataclass(frozen=True)
class PriceMove:
    """One stored price change (a `price_up` / `price_down` row): the product's largest of the period."""

    watch_id: int
    label: str
    url: str
    currency: str | None
    before: Decimal
    after: Decimal
    change: float  # relative: -0.2 for a 20% cut
    our_price: Decimal | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class PriceSection:
    products: int  # watched products with a known price at the end of the period
    moves_up: Compare  # price rises recorded in the period (price_up changes), however many per product
    moves_down: Compare  # price drops recorded in the period (price_down changes)
    changes: Compare  # moves_up + moves_down
    net_up: Compare  # products priced higher at the end of the period than at its start (or first check)
    net_down: Compare  # ... priced lower
    moves: list[PriceMove]  # the biggest moves of the period, one per product
    index_vs_ours: Compare  # 100 x median(price / our price); < 100 = cheaper than us
    index_vs_market_min: Compare  # 100 x index / the cheapest competitor's index
    index_vs_market_median: Compare  # 100 x index / the median competitor's index
    below_our_price: Compare  # products priced under ours at the end of the period
    compared: int  # products with our price, used for the indexes


@dataclass(frozen=True)
class EventLine:
    """A dated thing that happened to one watch (stock-out, new listing item, page added...)."""

    kind: str
    subject: str
    url: str | None
    at: datetime
    text: str
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True)
class StockSection:
    stock_outs: Compare
    restocks: Compare
    out_of_stock_now: Compare  # products out of stock at the end of each period
    events: list[EventLine]


@dataclass(frozen=True)
class AssortmentSection:
    products_added: Compare
    products_removed: Compare
    products_returned: Compare
    listing_added: Compare
    listing_removed: Compare
    events: list[EventLine]


@dataclass(frozen=True)
class KeywordPosition:
    keyword: str
    engine: str
    domain: str
    previous: int | None  # position at the end of the previous period (None: not in the depth checked)
    current: int | None
    checked_before: bool = True  # False: no check before the period (its first week: no arrow)

    @property
    def moved(self) -> int | None:
        """Places climbed (+) or fallen (-) since the previous period; None when not measurable."""
        if self.previous is None or self.current is None:
            return None
        return self.previous - self.current

    @property
    def arrow(self) -> str:
        """up, down, same, new (entered the results), lost (left them), none (first week)."""
        if not self.checked_before:
            return "none"
        if self.previous is None:
            return "new" if self.current is not None else "same"
        if self.current is None:
            return "lost"
        return "up" if self.current < self.previous else "down" if self.current > self.previous else "same"


@dataclass(frozen=True)
class KeywordSection:
    positions: list[KeywordPosition]
    visibility: Compare  # click-through-weighted visibility of the competitor's domains, 0..1 (None: unchecked)
    share_of_voice: Compare  # its share of all tracked domains' visibility, 0..1
    gained_top10: list[str]
    lost_top10: list[str]
    source: str  # "ranks" (rank history tables) or "changes" (reconstructed from rank changes)


@dataclass(frozen=True)
class ContentChange:
    subject: str
    url: str | None
    at: datetime
    added: list[str]
    removed: list[str]
    added_count: int
    removed_count: int


@dataclass(frozen=True)
class SiteSection:
    pages_added: Compare
    pages_removed: Compare
    titles_changed: Compare
    descriptions_changed: Compare
    content_changed: Compare
    events: list[EventLine]  # pages added/removed, titles and descriptions changed
    content: list[ContentChange]


@dataclass(frozen=True)
class Metric:
    """One this-week / last-week figure of a competitor's section."""

    field: str  # the section's Compare attribute
    label: str  # its words key (monitor.report.i18n)
    digits: int | None = None  # decimals shown; None: a count


def _m(field: str, label: str | None = None, digits: int | None = None) -> Metric:
    return Metric(field, label or field, digits)


# Each section's figures, in the order the Markdown table and the CSV rows list them.
SECTION_METRICS: dict[str, tuple[Metric, ...]] = {
    "prices": (
        _m("moves_up"), _m("moves_down"), _m("changes", "price_changes"), _m("net_up"), _m("net_down"),
        _m("index_vs_ours", "index_ours", 1), _m("index_vs_market_min", "index_min", 1),
        _m("index_vs_market_median", "index_median", 1), _m("below_our_price", "below_ours"),
    ),
    "stock": (_m("stock_outs"), _m("restocks"), _m("out_of_stock_now", "out_now")),
    "assortment": (
        _m("products_added"), _m("products_removed"), _m("products_returned"), _m("listing_added"),
        _m("listing_removed"),
    ),
    "site": (
        _m("pages_added"), _m("pages_removed"), _m("titles_changed"), _m("descriptions_changed"),
        _m("content_changed"),
    ),
}  # fmt: skip


def section_metrics(name: str, section: object) -> list[tuple[Metric, Compare]]:
    """The figures of a competitor's section `name` (prices, stock, assortment, site), in order."""
    return [(m, getattr(section, m.field)) for m in SECTION_METRICS[name]]


@dataclass(frozen=True)
class AnomalyLine:
    kind: str
    subject: str
    text: str
    score: float
    explanation: str | None
    at: datetime


@dataclass(frozen=True)
class Series:
    """A line for a chart: (day, value) points; `unit` is a currency, "rank" or "index".

    `marks` are the points drawn as stock-outs (the product was out of stock at the end of that day);
    `reference` lines (our own prices) are drawn dashed.
    """

    label: str
    unit: str | None
    points: list[tuple[date, float]]
    marks: list[tuple[date, float]] = field(default_factory=list)
    reference: bool = False


@dataclass(frozen=True)
class ProductChart:
    """One product across the competitors that sell it (watches sharing an `our_sku`), and ours.

    In one currency the lines are prices; across currencies each is a percentage of our price for that
    shop (100 = our price), the only way to compare them honestly on one axis.
    """

    product: str
    unit: str  # a currency code, or "index"
    series: list[Series]


@dataclass(frozen=True)
class RankChart:
    keyword: str
    engine: str
    series: list[Series]  # one per domain


@dataclass(frozen=True)
class VoiceShare:
    domain: str
    competitor: str | None
    visibility: Compare
    share: Compare


@dataclass(frozen=True)
class PositionLine:
    """A product of ours against its cheapest competitor (prices in the catalogue's currency)."""

    sku: str
    product: str
    our_price: Decimal
    cheapest: str  # the competitor with the cheapest counting offer
    cheapest_price: Decimal
    gap: Decimal  # their price minus ours (negative: they are cheaper)
    gap_share: float  # of our price: -0.08 is 8 % below us
    rank: int  # ours among the counting offers and us (1: the cheapest; ties share it)
    of: int  # counting offers + us


@dataclass(frozen=True)
class MapOffer:
    sku: str
    product: str
    price: Decimal  # theirs, converted
    map_price: Decimal
    gap_share: float  # below our MAP: -0.05 is 5 % under it


@dataclass(frozen=True)
class MapViolationLine:
    competitor: str
    offers: list[MapOffer]  # their offers below our MAP now, the furthest below first
    reported: int  # map_violation changes detected in the period


@dataclass(frozen=True)
class PricePositionSection:
    """Our catalogue against the matched competitors: the price matrix as last refreshed, and the
    matrix rules' changes of the period (present only when there is a catalogue)."""

    currency: str
    as_of: datetime | None  # when the matrix was last refreshed
    products: int  # our active products
    offers: int  # matched competitor offers
    compared: int  # products with our price and at least one counting offer
    cheapest: int  # products where we are the cheapest (rank 1)
    dearest: int  # products where every counting offer is below us
    most_expensive: list[PositionLine]  # where the cheapest offer is furthest below us
    least_expensive: list[PositionLine]  # where we lead by the most
    map_violations: list[MapViolationLine]
    changes: dict[str, Compare]  # matrix change kind -> count this period and the period before


@dataclass
class CompetitorReport:
    name: str
    domains: list[str]
    watching_since: date | None = None  # local day of the first good check of any of its watches
    baseline: bool = False  # its first week: everything is seen for the first time, nothing is "added"
    first_checked: int = 0  # product watches checked for the first time in the period
    prices: PriceSection | None = None
    stock: StockSection | None = None
    assortment: AssortmentSection | None = None
    keywords: KeywordSection | None = None
    site: SiteSection | None = None
    anomalies: list[AnomalyLine] = field(default_factory=list)
    product_charts: list[ProductChart] = field(default_factory=list)  # the competitor's top movers

    @property
    def quiet(self) -> bool:
        return not any((self.prices, self.stock, self.assortment, self.keywords, self.site, self.anomalies))


@dataclass
class Report:
    period_label: str
    timezone: str
    first_day: date
    last_day: date
    previous_first_day: date
    generated_at: datetime
    summary: list[SummaryLine]
    competitors: list[CompetitorReport]
    share_of_voice: list[VoiceShare] = field(default_factory=list)
    price_index_history: list[Series] = field(default_factory=list)  # each competitor's index, by day
    rank_history: list[RankChart] = field(default_factory=list)
    new_domains_top10: list[EventLine] = field(default_factory=list)
    price_position: PricePositionSection | None = None  # None: no catalogue of ours
    sections: list[str] = field(default_factory=list)  # which kinds of data the store held this period
