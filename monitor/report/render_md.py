"""The report as Markdown (mail bodies, chat, wikis), and the short digest sent to chat channels.

Competitor text is escaped so a product name cannot turn into a link, emphasis or a table cell break.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from monitor.report import i18n
from monitor.report.model import Compare, PricePositionSection, Report, section_metrics

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
DIGEST_LINES = 5


def esc(value: object) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _cmp(label: str, c: Compare, words, digits: int | None = None) -> str:  # noqa: ANN001
    def fmt(v):  # noqa: ANN001, ANN202
        return i18n.number(v, digits) if digits is not None and v is not None else i18n.number(v)

    change = f" ({i18n.delta(c.delta, digits or 1)})" if c.delta is not None else ""
    return f"| {label} | {fmt(c.this_week)} | {fmt(c.last_week)}{change} |"


def _table(rows: list[str], words) -> list[str]:  # noqa: ANN001
    return [
        f"| {words['metric']} | {words['this_week']} | {words['last_week']} |",
        "|---|---:|---:|",
        *rows,
        "",
    ]


def _section(name: str, section: object, words) -> list[str]:  # noqa: ANN001
    """A competitor's section (prices, stock, assortment, site): its heading and its table of figures."""
    rows = [_cmp(words[m.label], c, words, m.digits) for m, c in section_metrics(name, section)]
    return [f"### {words[name]}", "", *_table(rows, words)]


def render_md(report: Report, locale: str = "en") -> str:
    w = i18n.t(locale)
    out = [
        f"# {w['title']} {report.period_label}",
        "",
        i18n.period_line(report, locale),
        "",
        w["generated"].format(at=report.generated_at.astimezone(ZoneInfo(report.timezone)).strftime("%Y-%m-%d %H:%M")
                              + f" ({report.timezone})"),
        "",
        f"## {w['summary']}",
        "",
    ]
    for line in report.summary:
        sev = w[line.severity] if line.severity else w["none"]
        score = f" · {line.score:.2f}" if line.score is not None else ""
        out.append(f"- **{sev}**{score} {esc(i18n.summary_text(line, locale))}")
    if not report.summary:
        out.append(w["no_movements"])
    out.append("")
    if report.price_position:
        out += _price_position(report.price_position, ZoneInfo(report.timezone), locale)
    if report.share_of_voice:
        out += [f"## {w['search']}", "", f"| {w['domain']} | {w['competitor']} | {w['visibility']} | "
                f"{w['share_of_voice']} | {w['last_week']} |", "|---|---|---:|---:|---:|"]  # fmt: skip
        for v in report.share_of_voice[:20]:
            out.append(
                f"| {esc(v.domain)} | {esc(v.competitor or w['none'])} | {i18n.pct(v.visibility.this_week, False)} | "
                f"{i18n.pct(v.share.this_week, False)} | {i18n.pct(v.share.last_week, False)} |"
            )
        out.append("")
    for e in report.new_domains_top10:
        text = e.text if locale == "en" else f"{i18n.kind(e.kind, locale)}{w['sep']}{e.subject} #{e.new}"
        out.append(f"- {esc(text)}")
    for c in report.competitors:
        out += [f"## {esc(c.name)}", ""]
        if c.baseline:
            out += [esc(w["baseline"].format(name=c.name, since=c.watching_since, n=c.first_checked)), ""]
        if c.quiet:
            out += [w["quiet"], ""]
        if c.prices:
            p = c.prices
            out += _section("prices", p, w)
            if p.moves:
                tz = ZoneInfo(report.timezone)
                out += [
                    f"**{w['biggest_moves']}**",
                    "",
                    f"| {w['when']} | {w['product']} | {w['before']} | {w['after']} | {w['change']} | {w['our_price']} |",
                    "|---|---|---:|---:|---:|---:|",
                ]
                for m in p.moves:
                    when = m.at.astimezone(tz).strftime("%m-%d") if m.at else ""
                    out.append(
                        f"| {when} | {esc(m.label)} | {i18n.money(m.before, m.currency)} | "
                        f"{i18n.money(m.after, m.currency)} | {i18n.pct(m.change)} | {i18n.money(m.our_price, m.currency)} |"
                    )
                out.append("")
        if c.stock:
            out += _section("stock", c.stock, w)
        if c.assortment:
            out += _section("assortment", c.assortment, w)
        if c.keywords:
            k = c.keywords
            out += [f"### {w['keywords']}", ""]
            out.append(
                f"{w['visibility']}: {i18n.pct(k.visibility.this_week, False)} ({w['last_week']} "
                f"{i18n.pct(k.visibility.last_week, False)}); {w['share_of_voice']}: "
                f"{i18n.pct(k.share_of_voice.this_week, False)} ({w['last_week']} {i18n.pct(k.share_of_voice.last_week, False)})"
            )
            out.append("")
            if k.gained_top10:
                out.append(f"- {w['gained_top10']}: {esc(', '.join(k.gained_top10))}")
            if k.lost_top10:
                out.append(f"- {w['lost_top10']}: {esc(', '.join(k.lost_top10))}")
            out += ["", f"| {w['keyword']} | {w['engine']} | {w['domain']} | {w['last_week']} | {w['this_week']} | {w['change']} |",
                    "|---|---|---|---:|---:|---|"]  # fmt: skip
            for pos in k.positions[:30]:
                moved = f" {i18n.places(pos.moved, locale)}" if pos.moved else ""
                out.append(
                    f"| {esc(pos.keyword)} | {esc(pos.engine)} | {esc(pos.domain)} | {i18n.rank(pos.previous)} | "
                    f"{i18n.rank(pos.current)} | {i18n.ARROWS[pos.arrow]}{moved} |"
                )
            if len(k.positions) > 30:
                out.append(f"\n{w['more'].format(n=len(k.positions) - 30)}")
            out.append("")
        if c.site:
            st = c.site
            out += _section("site", st, w)
            for e in st.events:
                out.append(f"- {i18n.kind(e.kind, locale)}: {esc(e.subject)}")
            for d in st.content:
                out += ["", f"**{esc(d.subject)}** (+{d.added_count} / -{d.removed_count})", "", "```diff"]
                out += [f"- {line}".replace("```", "'''") for line in d.removed]
                out += [f"+ {line}".replace("```", "'''") for line in d.added]
                out.append("```")
            out.append("")
        if c.anomalies:
            out += [f"### {w['anomalies']}", ""]
            for a in c.anomalies:
                why = f" — {esc(a.explanation)}" if a.explanation else ""
                out.append(f"- **{a.score:.2f}** {esc(a.text)}{why}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _price_position(pp: PricePositionSection, tz: ZoneInfo, locale: str) -> list[str]:
    w = i18n.t(locale)
    at = pp.as_of.astimezone(tz).strftime("%Y-%m-%d %H:%M") if pp.as_of else w["none"]
    out = [
        f"## {w['price_position']}",
        "",
        esc(w["position_as_of"].format(currency=pp.currency, at=at)),
        "",
        f"{w['position_products']}: {i18n.number(pp.products)} · {w['position_offers']}: {i18n.number(pp.offers)} · "
        f"{w['position_compared']}: {i18n.number(pp.compared)} · {w['position_cheapest']}: {i18n.number(pp.cheapest)} · "
        f"{w['position_dearest']}: {i18n.number(pp.dearest)}",
        "",
    ]
    for title, lines in ((w["most_expensive"], pp.most_expensive), (w["least_expensive"], pp.least_expensive)):
        if not lines:
            continue
        out += [
            f"### {title}",
            "",
            f"| {w['product']} | {w['our_price']} | {w['cheapest_competitor']} | {w['their_price']} | {w['gap_pct']} | "
            f"{w['gap']} | {w['our_rank']} |",
            "|---|---:|---|---:|---:|---:|---:|",
        ]
        for line in lines:
            out.append(
                f"| {esc(line.product)} ({esc(line.sku)}) | {i18n.money(line.our_price)} | {esc(line.cheapest)} | "
                f"{i18n.money(line.cheapest_price)} | {i18n.pct(line.gap_share)} | {i18n.money(line.gap)} | "
                f"{w['rank_of'].format(rank=line.rank, of=line.of)} |"
            )
        out.append("")
    out += [f"### {w['map_violations']}", ""]
    if pp.map_violations:
        out += [
            f"| {w['competitor']} | {w['below_map_now']} | {w['reported_in_period']} | {w['worst']} | {w['their_price']} | "
            f"{w['map_price']} | {w['below_map']} |",
            "|---|---:|---:|---|---:|---:|---:|",
        ]
        for v in pp.map_violations:
            o = v.offers[0] if v.offers else None
            worst = (
                f"{esc(o.product)} | {i18n.money(o.price)} | {i18n.money(o.map_price)} | {i18n.pct(o.gap_share)}"
                if o else f"{w['none']} | {w['none']} | {w['none']} | {w['none']}"
            )  # fmt: skip
            out.append(f"| {esc(v.competitor)} | {len(v.offers)} | {v.reported} | {worst} |")
    else:
        out.append(w["none_below_map"])
    out += ["", f"### {w['matrix_changes']}", ""]
    out += _table([_cmp(i18n.kind(k, locale), c, w) for k, c in pp.changes.items()], w)
    return out


def render_digest(
    report: Report, locale: str = "en", lines: int = DIGEST_LINES, *, email_edition: bool = False,
    folder: str | None = None,
) -> tuple[str, str]:  # fmt: skip
    """(title, body) of the short Markdown digest for Slack and WeChat channels. Its last line says
    where the full report is: the email edition when one was sent, else the folder it was written to."""
    w = i18n.t(locale)
    title = w["digest_title"].format(label=report.period_label)
    body = []
    for line in report.summary[:lines]:
        sev = w[line.severity] if line.severity else w["none"]
        body.append(f"- [{sev}] {esc(i18n.summary_text(line, locale))}")
    if not report.summary:
        body.append(w["no_movements"])
    pp = report.price_position
    if pp is not None:
        below = sum(len(v.offers) for v in pp.map_violations)
        top = pp.most_expensive[0] if pp.most_expensive else None
        worst = f" ({esc(top.product)} {i18n.pct(top.gap_share)} at {esc(top.cheapest)})" if top else ""
        body.append(
            f"- {w['position_dearest']}: {i18n.number(pp.dearest)} / {i18n.number(pp.compared)}{worst}; "
            f"{w['below_map_now']}: {i18n.number(below)}"
        )
    for c in report.competitors:
        if c.prices:
            p = c.prices
            body.append(
                f"- {esc(c.name)}: {w['moves_down']} {i18n.number(p.moves_down.this_week)}, "
                f"{w['moves_up']} {i18n.number(p.moves_up.this_week)}, "
                f"{w['index_ours']} {i18n.number(p.index_vs_ours.this_week)}"
            )
    if email_edition or folder:
        body.append("")
        body.append(w["digest_full"] if email_edition else esc(w["digest_files"].format(folder=folder)))
    return title, "\n".join(body)
