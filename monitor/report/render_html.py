"""The report as one self-contained HTML file: inline CSS and SVG, no script, no external resource,
so it opens offline, survives being forwarded, and prints on A4.

Rendered with a sandboxed, autoescaping Jinja2 environment: product names, page titles and diff lines
come from competitors' pages, so they are always escaped; only our own SVG (already escaped inside
`charts`) is marked safe.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from monitor.report import charts, i18n
from monitor.report.model import Report

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
    )  # fmt: skip
    return env


def chart_svgs(report: Report, locale: str) -> dict[str, object]:
    """Every chart of the report as safe markup, keyed by where it goes."""
    words = i18n.t(locale)
    out: dict[str, object] = {"price": {}, "rank": [], "voice": ""}
    for c in report.competitors:
        svgs = [
            Markup(charts.line_chart([s], f"{s.label} ({s.unit or ''})", height=170, kind="price-history"))
            for s in c.price_history
            if s.points
        ]
        out["price"][c.name] = svgs  # type: ignore[index]
    for chart in report.rank_history:
        title = f"{chart.keyword} ({chart.engine})" if chart.engine else chart.keyword
        out["rank"].append(Markup(charts.line_chart(chart.series, title, invert=True, kind="rank-history")))  # type: ignore[union-attr]
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
    )
