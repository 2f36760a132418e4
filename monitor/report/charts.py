"""Inline SVG charts for the report: pure functions from series to an ``<svg>`` string.

No JavaScript and no external files, so the HTML opens offline, in mail clients that allow SVG, and
prints. Every piece of text drawn comes from competitors' pages or the user, so all of it is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

from monitor.report.model import Series

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
FONT = "font-family='Helvetica,Arial,sans-serif'"


def _fmt(value: float) -> str:
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def palette(names: Sequence[str]) -> dict[str, str]:
    """One colour per name (competitors in report order), the same on every chart of the report."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _open(width: int, height: int, kind: str, title: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' class='chart chart-{kind}' data-chart='{kind}' "
        f"viewBox='0 0 {width} {height}' width='100%' role='img' aria-label='{escape(title, quote=True)}' "
        f"preserveAspectRatio='xMidYMid meet'><title>{escape(title)}</title>"
    )


def _step(span: float, ticks: int = 4) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` intervals."""
    raw = span / ticks if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _axis(points: Sequence[tuple[date, float]], invert: bool) -> tuple[float, float, list[float]]:
    """The value axis (low, high, ticks): ranks (`invert`) always start at #1 at the top, ticked at #1
    and round places; other values are widened to round ticks around the data."""
    lo, hi = min(v for _, v in points), max(v for _, v in points)
    if invert:
        step = max(1, math.ceil(_step(max(hi, 2.0) - 1)))
        top = step * math.ceil(max(hi, 2.0) / step)
        return 1.0, float(top), [1.0, *(float(v) for v in range(step, top + 1, step) if v > 1)]
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    step = _step(hi - lo)
    low, high = step * math.floor(lo / step), step * math.ceil(hi / step)
    # A line on the frame is hard to see (our price at exactly 100): give it a step of room.
    low, high = low - step * (low == lo), high + step * (high == hi)
    return low, high, [low + step * i for i in range(round((high - low) / step) + 1)]


def _mark(x: float, y: float) -> str:
    """A stock-out: a red cross on the line."""
    return (
        f"<path d='M{x - 4:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 4:.1f} M{x - 4:.1f},{y + 4:.1f} "
        f"L{x + 4:.1f},{y - 4:.1f}' stroke='#c62828' stroke-width='2' class='stock-out'/>"
    )


def line_chart(
    series: Sequence[Series],
    title: str,
    *,
    width: int = 640,
    height: int = 220,
    invert: bool = False,
    kind: str = "line",
    marks_label: str = "out of stock",
    colors: Mapping[str, str] | None = None,
) -> str:
    """Lines over days; `invert` puts small values on top (ranks: #1 is best, and the axis starts
    there). Reference series (our prices) are dashed; a series' marks (stock-outs) are red crosses."""
    points = [p for s in series for p in s.points]
    if not points:
        return ""
    left, right, top, bottom = 56, 12, 24, 40
    marked = any(s.marks for s in series)
    entries = len(series) + marked
    legend_rows = (entries + 2) // 3
    height += 16 * legend_rows
    plot_h = height - top - bottom - 16 * legend_rows
    plot_w = width - left - right
    days = sorted({d for d, _ in points})
    d0, d1 = days[0], days[-1]
    span = max((d1 - d0).days, 1)
    lo, hi, ticks = _axis(points, invert)

    def x(d: date) -> float:
        return left + plot_w * (d - d0).days / span

    def y(v: float) -> float:
        frac = (v - lo) / (hi - lo)
        return top + plot_h * (frac if invert else 1 - frac)

    out = [_open(width, height, kind, title)]
    out.append(f"<text x='{left}' y='15' font-size='12' font-weight='bold' {FONT}>{escape(title)}</text>")
    out.append(f"<rect x='{left}' y='{top}' width='{plot_w}' height='{plot_h}' fill='none' stroke='#ccc'/>")
    for v in ticks:
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
    legend = []
    for i, s in enumerate(series):
        color = "#555" if s.reference else (colors or {}).get(s.label) or PALETTE[i % len(PALETTE)]
        dash = " stroke-dasharray='6 4'" if s.reference else ""
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in s.points)
        if len(s.points) == 1:
            (d, v) = s.points[0]
            out.append(f"<circle cx='{x(d):.1f}' cy='{y(v):.1f}' r='3' fill='{color}'/>")
        elif s.points:
            out.append(
                f"<polyline points='{coords}' fill='none' stroke='{color}' stroke-width='2'{dash} "
                "stroke-linejoin='round' stroke-linecap='round'/>"
            )
        out += [_mark(x(d), y(v)) for d, v in s.marks]
        legend.append((s.label, f"<rect width='10' height='10' fill='{color}'/>"))
    if marked:
        legend.append((marks_label, _mark(5, 5)))
    for i, (label, swatch) in enumerate(legend):
        row, col = divmod(i, 3)
        lx, ly = left + col * (plot_w / 3), top + plot_h + 30 + 16 * row
        out.append(f"<g transform='translate({lx:.1f},{ly - 8})'>{swatch}</g>")
        text = label if len(label) <= 34 else label[:33] + "…"
        out.append(f"<text x='{lx + 14:.1f}' y='{ly + 1}' font-size='10' {FONT}>{escape(text)}</text>")
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
