"""Inline SVG charts for the report: pure functions from series to an ``<svg>`` string.

No JavaScript and no external files, so the HTML opens offline, in mail clients that allow SVG, and
prints. Every piece of text drawn comes from competitors' pages or the user, so all of it is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from monitor.report.model import Series

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
FONT = "font-family='Helvetica,Arial,sans-serif'"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


def _open(width: int, height: int, kind: str, title: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' class='chart chart-{kind}' data-chart='{kind}' "
        f"viewBox='0 0 {width} {height}' width='100%' role='img' aria-label='{escape(title, quote=True)}' "
        f"preserveAspectRatio='xMidYMid meet'><title>{escape(title)}</title>"
    )


def line_chart(
    series: Sequence[Series],
    title: str,
    *,
    width: int = 640,
    height: int = 220,
    invert: bool = False,
    kind: str = "line",
) -> str:
    """Lines over days; `invert` puts small values on top (ranks: #1 is best)."""
    points = [p for s in series for p in s.points]
    if not points:
        return ""
    left, right, top, bottom = 56, 12, 24, 40
    legend_rows = (len(series) + 2) // 3
    height += 16 * legend_rows
    plot_h = height - top - bottom - 16 * legend_rows
    plot_w = width - left - right
    days = sorted({d for d, _ in points})
    d0, d1 = days[0], days[-1]
    span = max((d1 - d0).days, 1)
    lo, hi = min(v for _, v in points), max(v for _, v in points)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    lo, hi = (max(lo - pad, 0.5) if invert else lo - pad), hi + pad

    def x(d: date) -> float:
        return left + plot_w * (d - d0).days / span

    def y(v: float) -> float:
        frac = (v - lo) / (hi - lo)
        return top + plot_h * (frac if invert else 1 - frac)

    out = [_open(width, height, kind, title)]
    out.append(f"<text x='{left}' y='15' font-size='12' font-weight='bold' {FONT}>{escape(title)}</text>")
    out.append(f"<rect x='{left}' y='{top}' width='{plot_w}' height='{plot_h}' fill='none' stroke='#ccc'/>")
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        yy = y(v)
        out.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{yy:.1f}' y2='{yy:.1f}' stroke='#eee'/>")
        label = f"#{v:.0f}" if invert else _fmt(v)
        out.append(
            f"<text x='{left - 4}' y='{yy + 4:.1f}' font-size='10' text-anchor='end' {FONT}>{escape(label)}</text>"
        )
    for d in (d0, d0 + (d1 - d0) / 2, d1) if span > 1 else (d0,):
        out.append(
            f"<text x='{x(d):.1f}' y='{top + plot_h + 14}' font-size='10' text-anchor='middle' {FONT}>"
            f"{d:%m-%d}</text>"
        )
    for i, s in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in s.points)
        if len(s.points) == 1:
            (d, v) = s.points[0]
            out.append(f"<circle cx='{x(d):.1f}' cy='{y(v):.1f}' r='3' fill='{color}'/>")
        else:
            out.append(
                f"<polyline points='{coords}' fill='none' stroke='{color}' stroke-width='2' "
                "stroke-linejoin='round' stroke-linecap='round'/>"
            )
        row, col = divmod(i, 3)
        lx, ly = left + col * (plot_w / 3), top + plot_h + 30 + 16 * row
        out.append(f"<rect x='{lx:.1f}' y='{ly - 8}' width='10' height='10' fill='{color}'/>")
        label = s.label if len(s.label) <= 34 else s.label[:33] + "…"
        out.append(f"<text x='{lx + 14:.1f}' y='{ly + 1}' font-size='10' {FONT}>{escape(label)}</text>")
    out.append("</svg>")
    return "".join(out)


def bar_chart(
    rows: Sequence[tuple[str, float, float | None]],
    title: str,
    *,
    width: int = 640,
    percent: bool = True,
    kind: str = "bars",
    highlight: Sequence[str] = (),
) -> str:
    """Horizontal bars (label, value, previous value); the previous value is a thin marker."""
    if not rows:
        return ""
    bar_h, gap, top, label_w, right = 16, 6, 26, 190, 70
    height = top + len(rows) * (bar_h + gap) + 8
    plot_w = width - label_w - right
    hi = max(max(v, p or 0) for _, v, p in rows) or 1.0
    out = [_open(width, height, kind, title)]
    out.append(f"<text x='4' y='15' font-size='12' font-weight='bold' {FONT}>{escape(title)}</text>")
    for i, (label, value, previous) in enumerate(rows):
        yy = top + i * (bar_h + gap)
        color = PALETTE[1] if label in highlight else PALETTE[0]
        name = label if len(label) <= 30 else label[:29] + "…"
        out.append(
            f"<text x='{label_w - 6}' y='{yy + 12}' font-size='11' text-anchor='end' {FONT}>{escape(name)}</text>"
        )
        w = plot_w * value / hi
        out.append(f"<rect x='{label_w}' y='{yy}' width='{w:.1f}' height='{bar_h}' fill='{color}'/>")
        if previous is not None:
            px = label_w + plot_w * previous / hi
            out.append(
                f"<line x1='{px:.1f}' x2='{px:.1f}' y1='{yy - 2}' y2='{yy + bar_h + 2}' stroke='#333' "
                "stroke-width='2'/>"
            )
        text = f"{value:.1%}" if percent else _fmt(value)
        out.append(
            f"<text x='{label_w + w + 4:.1f}' y='{yy + 12}' font-size='11' {FONT}>{escape(text)}</text>"
        )
    out.append("</svg>")
    return "".join(out)
