"""The report as one self-contained HTML file: inline CSS and SVG, no script, no external resource,
so it opens offline, survives being forwarded, and prints on A4.

Rendered with a sandboxed, autoescaping Jinja2 environment: product names, page titles and diff lines
come from competitors' pages, so they are always escaped; only our own SVG (already escaped inside
`charts`) is marked safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from monitor.report import charts, i18n
from monitor.report.model import Report, Series
from monitor.report.price_charts import OUR_LINE

TEMPLATES = Path(__file__).resolve().parent / "templates"
POSITIONS_SHOWN = 30


def environment(templates: Path = TEMPLATES) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pct=i18n.pct, num=i18n.number, money=i18n.money, rank=i18n.rank, delta=i18n.delta,
        places=lambda n, locale="en": i18n.places(n, locale),
    )  # fmt: skip
    return env


def _named(series: list[Series], words: Mapping[str, str]) -> list[Series]:
    """Our own line carries the report's word for it."""
    return [replace(s, label=words["ours"]) if s.label == OUR_LINE else s for s in series]


def chart_svgs(report: Report, locale: str) -> dict[str, object]:
    """Every chart of the report as safe markup, keyed by where it goes."""
    words = i18n.t(locale)
    mark = words["out_of_stock_mark"]
    colors = charts.palette([c.name for c in report.competitors])
    out: dict[str, object] = {"price": {}, "rank": [], "voice": "", "index": ""}
    if report.price_index_history:
        out["index"] = Markup(
            charts.line_chart(_named(report.price_index_history, words), words["index_history"],
                              kind="price-index", colors=colors)  # fmt: skip
        )
    for c in report.competitors:
        svgs = []
        for chart in c.product_charts:
            title = words["indexed"].format(product=chart.product) if chart.unit == "index" else (
                f"{chart.product} ({chart.unit})"
            )
            svg = charts.line_chart(_named(chart.series, words), title, height=200, kind="price-history",
                                    marks_label=mark, colors=colors)  # fmt: skip
            if svg:
                svgs.append(Markup(svg))
        out["price"][c.name] = svgs  # type: ignore[index]
    for rc in report.rank_history:
        title = f"{rc.keyword} ({rc.engine})" if rc.engine else rc.keyword
        svg = charts.line_chart(rc.series, title, invert=True, kind="rank-history", colors=colors)
        out["rank"].append(Markup(svg))  # type: ignore[union-attr]
    rows = [(v.domain if not v.competitor else f"{v.competitor} ({v.domain})", v.share.this_week or 0.0,
             v.share.last_week) for v in report.share_of_voice[:15]]  # fmt: skip
    highlight = [r[0] for r, v in zip(rows, report.share_of_voice, strict=False) if v.competitor]
    out["voice"] = Markup(
        charts.bar_chart(rows, words["share_of_voice"], kind="share-of-voice", highlight=highlight)
    )
    return out


def render_html(report: Report, locale: str = "en", templates: Path = TEMPLATES) -> str:
    template = environment(templates).get_template("report.html.j2")
    return template.render(
        r=report,
        w=i18n.t(locale),
        locale=locale,
        lang="zh-CN" if locale == "zh-CN" else "en",
        kind=lambda name: i18n.kind(name, locale),
        summary_text=lambda line: i18n.summary_text(line, locale),
        arrows=i18n.ARROWS,
        charts=chart_svgs(report, locale),
        positions_shown=POSITIONS_SHOWN,
        tz=ZoneInfo(report.timezone),
        period_line=i18n.period_line(report, locale),
    )
