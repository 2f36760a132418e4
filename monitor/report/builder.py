"""Query results -> the report model. Pure: `ReportData` (and the alert rules, for severities) in,
`Report` out; no store, no clock, no language.

The executive summary ranks the period's movements by severity (the highest severity of the alert
rules that match the change, as the alerts would have said), then anomaly score, then size. Several
changes of one kind at one competitor (a price campaign, a batch of new listing items) become one line.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.catalogue.matrix import MatrixRow, gap
from monitor.catalogue.weekly import MATRIX_CHANGE_KINDS, PricePosition
from monitor.config.alerting import SEVERITY_ORDER, AlertRule
from monitor.kinds import change_kind, kinds_counted_as
from monitor.report import keywords as kw
from monitor.report.model import (
    AnomalyLine,
    Compare,
    CompetitorReport,
    MapOffer,
    MapViolationLine,
    PositionLine,
    PricePositionSection,
    Report,
    SummaryLine,
)
from monitor.report.price_charts import chart_watches, index_history, product_chart
from monitor.report.prices import (
    PRICE_CHANGES,
    assortment_section,
    biggest_moves,
    competitor_indexes,
    first_checked,
    price_section,
    stock_section,
    timelines,
    window_of,
)
from monitor.report.queries import ChangeRow, CompetitorRow, ReportData, WatchRow
from monitor.report.site import site_section
from monitor.rules import change_competitor, facts_of, to_decimal, top_severity

ANOMALY_MIN = 0.5  # anomaly scores from here on are listed with their explanations
SUMMARY_LINES = 12
GROUP_AT = 3  # this many changes of one kind at one competitor become one summary line
MOVERS_CHARTED = 3  # price history charts per competitor
MAX_ANOMALIES = 10
PRODUCT_KINDS = kinds_counted_as("price_changes")
POSITION_KINDS = kinds_counted_as("keywords")  # rank changes: their moves are in places, never percent


def severity_of(
    change: ChangeRow, watch: WatchRow | None, competitor: CompetitorRow | None, rules: Sequence[AlertRule]
) -> str | None:
    """The highest severity among the alert rules this change meets (None when no rule covers it),
    from the same facts the outbox gives the rules (`monitor.rules.facts_of`)."""
    if not rules:
        return None
    facts = facts_of(
        kind=change.kind, summary=change.summary, field=change.field, old=change.old, new=change.new,
        magnitude=change.magnitude, anomaly_score=change.anomaly_score,
        anomaly_explanation=change.anomaly_explanation, details=change.details, change_id=change.id,
        watch_id=change.watch_id, detected_at=change.at,
        watch_kind=watch.kind if watch else None, watch_label=watch.label if watch else None,
        watch_url=watch.url if watch else None, watch_tags=watch.tags if watch else (),
        competitor=competitor.name if competitor else None,
        competitor_tags=competitor.tags if competitor else (),
        our_price=watch.our_price if watch else None, map_price=watch.map_price if watch else None,
    )  # fmt: skip
    return top_severity(facts, rules)


def _competitor_of(
    change: ChangeRow, data: ReportData, by_id: dict[int, CompetitorRow]
) -> CompetitorRow | None:
    cid = change.competitor_id
    if cid is None:
        w = data.watches.get(change.watch_id)
        cid = w.competitor_id if w else None
    named = by_id.get(cid) if cid is not None else None
    return change_competitor(named, change.kind, change.details, data.competitors)


def _rank_key(line: SummaryLine) -> tuple:
    return (
        -(SEVERITY_ORDER.get(line.severity, -1) if line.severity else -1),
        -(line.score or 0.0),
        -abs(line.magnitude or 0.0),
        -abs(line.places or 0),
        -line.count,
        line.competitor or "",
        line.subject,
    )


def _subject(change: ChangeRow, watch: WatchRow | None) -> str:
    d = change.details
    if d.get("keyword"):
        return f"{d.get('domain') or change.field or ''} · {d['keyword']}"
    return str(d.get("title") or (watch.label if watch else None) or d.get("url") or "")


def executive_summary(
    data: ReportData,
    rules: Sequence[AlertRule],
    by_id: dict[int, CompetitorRow],
    wanted: set[int] | None,
) -> list[SummaryLine]:
    groups: dict[tuple[str | None, str], list[tuple[ChangeRow, str | None]]] = defaultdict(list)
    for c in data.changes:
        if c.at < data.period.start:
            continue
        comp = _competitor_of(c, data, by_id)
        if wanted is not None and (comp is None or comp.id not in wanted):
            continue
        name = comp.name if comp else None
        groups[(name, c.kind)].append((c, severity_of(c, data.watches.get(c.watch_id), comp, rules)))
    lines: list[SummaryLine] = []
    for (name, kind), items in groups.items():
        if len(items) >= GROUP_AT:
            lines.append(_grouped(name, kind, items, data))
            continue
        for c, severity in items:
            w = data.watches.get(c.watch_id)
            rank = c.kind in POSITION_KINDS
            lines.append(
                SummaryLine(
                    severity, c.anomaly_score, name, c.kind, _subject(c, w), c.summary, c.old, c.new,
                    None if rank else c.magnitude, 1, c.anomaly_explanation, places(c) if rank else None,
                )
            )  # fmt: skip
    lines.sort(key=_rank_key)
    return lines[:SUMMARY_LINES]


def places(change: ChangeRow) -> int | None:
    """Places a rank change climbed (+) or fell (-); None when it entered or left the depth checked."""
    old, new = to_decimal(change.old), to_decimal(change.new)
    return None if old is None or new is None else int(old - new)


def _fmt_places(n: int) -> str:
    return f"{abs(n)} place{'s' if abs(n) != 1 else ''} {'up' if n > 0 else 'down'}"  # the summary's English


def _grouped(
    name: str | None, kind: str, items: list[tuple[ChangeRow, str | None]], data: ReportData
) -> SummaryLine:
    severities = [s for _, s in items if s]
    scores = [c.anomaly_score for c, _ in items if c.anomaly_score is not None]
    top = max(items, key=lambda it: it[0].anomaly_score or 0)[0]
    text = f"{name or 'market'}: {len(items)} × {change_kind(kind).label('en').lower()}"
    median = largest = None
    if kind in POSITION_KINDS:  # ranks move in places: the largest move, never a percentage
        moved = [(abs(n), n, c) for c, _ in items if (n := places(c)) is not None]
        biggest = max(moved, key=lambda m: m[0])[2] if moved else items[0][0]
        largest = places(biggest)
        subject = _subject(biggest, data.watches.get(biggest.watch_id))
        if largest is not None:
            text += f" (largest {_fmt_places(largest)}, #{biggest.old} → #{biggest.new}: {subject})"
    else:
        mags = [c.magnitude for c, _ in items if c.magnitude is not None]
        biggest = max(items, key=lambda it: (abs(it[0].magnitude or 0), it[0].anomaly_score or 0))[0]
        subject = _subject(biggest, data.watches.get(biggest.watch_id))
        median = statistics.median(mags) if mags else None
        if median is not None and biggest.magnitude is not None:
            text += f" (median {median:+.1%}, largest {biggest.magnitude:+.1%}: {subject})"
    return SummaryLine(
        severity=max(severities, key=SEVERITY_ORDER.__getitem__) if severities else None,
        score=max(scores) if scores else None,
        competitor=name,
        kind=kind,
        subject=subject,
        text=text,
        old=biggest.old,
        new=biggest.new,
        magnitude=median,
        count=len(items),
        explanation=top.anomaly_explanation if top.anomaly_score is not None else None,
        places=largest,
        largest=None if kind in POSITION_KINDS else biggest.magnitude,
    )


def charted_watches(data: ReportData, wanted: Sequence[str] | None = None) -> set[int]:
    """The product watches whose day-by-day lines the report's charts need (each competitor's biggest
    movers and the same products at the other competitors): the caller loads just these
    (`queries.load_lines`) before `build_report`."""
    by_id = {c.id: c for c in data.competitors}
    names = set(wanted or ())
    changes_of: dict[int, list[ChangeRow]] = defaultdict(list)
    for c in data.changes:
        if c.kind in PRICE_CHANGES and c.at >= data.period.start:
            comp = _competitor_of(c, data, by_id)
            if comp is not None and (not names or comp.name in names):
                changes_of[comp.id].append(c)
    out: set[int] = set()
    for cid, changes in changes_of.items():
        movers = biggest_moves(changes, data.watches, {}, window_of(data, cid))[:MOVERS_CHARTED]
        out |= chart_watches(data, movers)
    return out


def build_report(
    data: ReportData,
    *,
    rules: Sequence[AlertRule] = (),
    wanted: Sequence[str] | None = None,
    generated_at: datetime | None = None,
    charts: bool = True,
) -> Report:
    p = data.period
    by_id = {c.id: c for c in data.competitors}
    names = set(wanted or ())
    unknown = names - {c.name for c in data.competitors}
    if unknown:
        raise ValueError(f"unknown competitor(s): {', '.join(sorted(unknown))}")
    chosen = [c for c in data.competitors if not names or c.name in names]
    lines = timelines(data)
    products: dict[int, list[WatchRow]] = defaultdict(list)
    for w in data.watches.values():
        if w.kind == "product" and w.competitor_id is not None:
            products[w.competitor_id].append(w)
    indexes = (competitor_indexes(products, lines, p.start), competitor_indexes(products, lines, p.end))
    changes_of: dict[int, list[ChangeRow]] = defaultdict(list)
    for c in data.changes:
        if c.at >= p.prev_start:
            comp = _competitor_of(c, data, by_id)
            if comp is not None:
                changes_of[comp.id].append(c)
    book = kw.rank_book(data)
    sections: set[str] = set()
    reports = []
    tz = ZoneInfo(p.timezone)
    for comp in chosen:
        mine, changes = products.get(comp.id, []), changes_of.get(comp.id, [])
        first = data.competitor_first_check(comp.id)
        r = CompetitorReport(
            comp.name,
            list(comp.domains),
            watching_since=first.astimezone(tz).date() if first else None,
            baseline=first is not None and first >= p.start,
            first_checked=first_checked(data, mine, p.start, p.end),
        )
        r.prices = price_section(data, mine, lines, changes, indexes, comp.id)
        r.stock = stock_section(data, mine, lines, changes, comp.id)
        r.assortment = assortment_section(data, mine, lines, changes, comp.id)
        r.site = site_section(data, changes, window_of(data, comp.id))
        r.keywords = kw.keyword_section(book, comp, data.competitors, p.start, p.end) if book else None
        r.anomalies = _anomalies(changes, data)
        if charts and r.prices:
            r.product_charts = [
                chart for m in r.prices.moves[:MOVERS_CHARTED] if (chart := product_chart(data, m)) is not None
            ]
        for name in ("prices", "stock", "assortment", "keywords", "site", "anomalies"):
            if getattr(r, name):
                sections.add(name)
        reports.append(r)
    report = Report(
        period_label=p.label,
        timezone=p.timezone,
        first_day=p.first_day,
        last_day=p.last_day,
        previous_first_day=p.first_day - timedelta(days=p.days),
        generated_at=generated_at or p.end,
        summary=executive_summary(data, rules, by_id, {c.id for c in chosen} if names else None),
        competitors=reports,
    )
    if charts:
        report.price_index_history = index_history(data, chosen, lines)
    if book:
        report.share_of_voice = kw.share_of_voice(book, data.competitors, p.start, p.end)
        if charts:
            report.rank_history = kw.rank_charts(book, chosen, data.history_start, p.end, p.timezone)
    report.new_domains_top10 = kw.new_domain_events(data)
    if data.position is not None and data.position.products:
        report.price_position = position_section(data.position)
    if report.share_of_voice or report.new_domains_top10:
        sections.add("search")
    if report.price_position is not None:
        sections.add("price_position")
    report.sections = [
        s
        for s in ("price_position", "prices", "stock", "assortment", "keywords", "search", "site", "anomalies")
        if s in sections
    ]
    return report


def _anomalies(changes: list[ChangeRow], data: ReportData) -> list[AnomalyLine]:
    out = [
        AnomalyLine(
            c.kind,
            _subject(c, data.watches.get(c.watch_id)),
            c.summary,
            c.anomaly_score,
            c.anomaly_explanation,
            c.at,
        )
        for c in changes
        if c.at >= data.period.start and c.anomaly_score is not None and c.anomaly_score >= ANOMALY_MIN
    ]
    out.sort(key=lambda a: (-a.score, a.at))
    return out[:MAX_ANOMALIES]


def _position_line(row: MatrixRow) -> PositionLine | None:
    cheapest, g, ours, rank = row.cheapest, row.gap_to_cheapest, row.product.price, row.our_rank
    if cheapest is None or g is None or ours is None or cheapest.converted is None or rank is None:
        return None
    return PositionLine(
        row.product.sku, row.product.name, ours, cheapest.competitor, cheapest.converted, g.amount,
        float(g.share), rank, row.offers + 1,
    )  # fmt: skip


def position_section(position: PricePosition) -> PricePositionSection:
    """The price position as the report shows it: plain lines, MAP offers furthest below first."""
    violations = []
    for v in position.map_violations:
        offers = []
        for row, cell in v.now:
            floor, g = row.product.map_price, gap(row.product.map_price, cell.converted)
            if floor is not None and cell.converted is not None and g is not None:
                offers.append(MapOffer(row.product.sku, row.product.name, cell.converted, floor, float(g.share)))
        offers.sort(key=lambda o: (o.gap_share, o.sku))
        violations.append(MapViolationLine(v.competitor, offers, v.reported))
    before = position.changes_before
    return PricePositionSection(
        currency=position.currency,
        as_of=position.refreshed_at,
        products=position.products,
        offers=position.offers,
        compared=position.compared,
        cheapest=position.cheapest_count,
        dearest=position.dearest_count,
        most_expensive=[line for r in position.most_expensive if (line := _position_line(r))],
        least_expensive=[line for r in position.least_expensive if (line := _position_line(r))],
        map_violations=violations,
        changes={
            kind: Compare(position.changes[kind], None if before is None else before[kind])
            for kind in MATRIX_CHANGE_KINDS
        },
    )
