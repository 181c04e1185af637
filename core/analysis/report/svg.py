"""The report's charts as inline SVG: rate bars with intervals, lines over epochs, value bars."""
from __future__ import annotations

import math

import numpy as np

from .html import esc, is_finite, num, pct

PALETTE = ("#3566a8", "#d2691e", "#2e8b57", "#8a4fb0", "#b03a48", "#5f7d8c")


def _svg_open(width: int, height: int, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{esc(label)}" font-family="sans-serif" font-size="12">')


def _x_axis(x0: float, x1: float, y: float, ticks, fmt) -> str:
    parts = [f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#888"/>']
    for t, pos in ticks:
        parts.append(f'<line x1="{pos:.1f}" y1="{y}" x2="{pos:.1f}" y2="{y + 4}" stroke="#888"/>'
                     f'<text x="{pos:.1f}" y="{y + 16}" text-anchor="middle" fill="#444">{esc(fmt(t))}</text>')
    return "".join(parts)


def _nice_step(span: float, most: int) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that cuts `span` into at most `most` steps."""
    span = max(float(span), 1e-9)
    base = 10 ** math.floor(math.log10(span / most))
    for m in (1, 2, 2.5, 5, 10):
        if span / (m * base) <= most:
            return m * base
    return 10 * base


def svg_rate_bars(names: list[str], series: list[tuple[str, list, list, list]], title: str,
                  reference: float | None = None) -> str:
    """Horizontal bars of rates (0..1) per group; `series` = [(label, values, lows, highs)], whiskers
    where the interval is known; an optional dashed reference line (e.g. the overall rate)."""
    label_w, plot_w, bar_h, gap = 150, 560, 18, 12
    block = bar_h * len(series) + gap
    legend_h = 22 if len(series) > 1 else 0
    height = 30 + legend_h + block * len(names) + 30
    x0 = label_w
    scale = lambda v: x0 + plot_w * min(max(float(v), 0.0), 1.0)   # noqa: E731
    out = [_svg_open(label_w + plot_w + 70, height, title),
           f'<text x="0" y="16" font-weight="bold" fill="#222">{esc(title)}</text>']
    if legend_h:
        for k, (lab, *_rest) in enumerate(series):
            lx = x0 + k * 120
            out.append(f'<rect x="{lx}" y="26" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>'
                       f'<text x="{lx + 14}" y="35" fill="#333">{esc(lab)}</text>')
    top = 30 + legend_h
    for i in range(6):
        pos = scale(i / 5)
        out.append(f'<line x1="{pos:.1f}" y1="{top}" x2="{pos:.1f}" y2="{top + block * len(names)}" '
                   'stroke="#e4e4e4"/>')
    for gi, name in enumerate(names):
        y = top + gi * block
        short = name if len(name) <= 22 else name[:21] + "…"
        out.append(f'<text x="{label_w - 8}" y="{y + block / 2:.1f}" text-anchor="end" dominant-baseline="middle" '
                   f'fill="#222">{esc(short)}<title>{esc(name)}</title></text>')
        for k, (lab, values, lows, highs) in enumerate(series):
            v = values[gi]
            by = y + k * bar_h + 2
            if not is_finite(v):
                out.append(f'<text x="{x0 + 4}" y="{by + bar_h - 5}" fill="#777">no rows</text>')
                continue
            out.append(f'<rect x="{x0}" y="{by}" width="{scale(v) - x0:.1f}" height="{bar_h - 3}" '
                       f'fill="{PALETTE[k % len(PALETTE)]}" opacity="0.85"><title>{esc(f"{name}, {lab}: {pct(v)}")}'
                       f'</title></rect>')
            lo, hi = lows[gi], highs[gi]
            if is_finite(lo) and is_finite(hi):
                cy = by + (bar_h - 3) / 2
                out.append(f'<path d="M{scale(lo):.1f},{cy:.1f}H{scale(hi):.1f}M{scale(lo):.1f},{cy - 4:.1f}V{cy + 4:.1f}'
                           f'M{scale(hi):.1f},{cy - 4:.1f}V{cy + 4:.1f}" stroke="#111" stroke-width="1.3" fill="none"/>')
            tx = (scale(hi) if is_finite(hi) else scale(v)) + 6
            out.append(f'<text x="{tx:.1f}" y="{by + bar_h - 5}" fill="#333" font-size="11">{pct(v)}</text>')
    if reference is not None and is_finite(reference):
        pos = scale(reference)
        out.append(f'<line x1="{pos:.1f}" y1="{top - 4}" x2="{pos:.1f}" y2="{top + block * len(names)}" '
                   'stroke="#555" stroke-dasharray="4 3"/>')
    axis_y = top + block * len(names) + 2
    out.append(_x_axis(x0, x0 + plot_w, axis_y, [(i / 5, scale(i / 5)) for i in range(6)], lambda t: f"{t:.0%}"))
    out.append("</svg>")
    return "".join(out)


def svg_lines(x: list, series: list[tuple[str, list]], title: str, x_label: str = "epoch") -> str:
    """A small line chart of several series against x (values ≥ 0)."""
    left, plot_w, plot_h, top = 50, 660, 200, 46
    width, height = left + plot_w + 30, top + plot_h + 40
    xs = np.asarray(x, float)
    top_value = max([float(np.nanmax(v)) for _, v in series if np.isfinite(np.asarray(v, float)).any()] + [0.01])
    step = _nice_step(top_value, 5)
    ymax = step * math.ceil(top_value / step - 1e-9)
    xmin, xmax = float(xs.min()), float(xs.max()) if xs.max() > xs.min() else float(xs.min()) + 1
    sx = lambda v: left + plot_w * (v - xmin) / (xmax - xmin)   # noqa: E731
    sy = lambda v: top + plot_h * (1 - v / ymax)                  # noqa: E731
    out = [_svg_open(width, height, title), f'<text x="0" y="16" font-weight="bold" fill="#222">{esc(title)}</text>']
    for k, (lab, _) in enumerate(series):
        lx = left + k * 175
        out.append(f'<rect x="{lx}" y="26" width="12" height="3" fill="{PALETTE[k % len(PALETTE)]}"/>'
                   f'<text x="{lx + 14}" y="32" fill="#333" font-size="11">{esc(lab)}</text>')
    for v in np.arange(0, ymax + step / 2, step):
        out.append(f'<line x1="{left}" y1="{sy(v):.1f}" x2="{left + plot_w}" y2="{sy(v):.1f}" stroke="#e4e4e4"/>'
                   f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" text-anchor="end" fill="#444" font-size="11">{v:g}</text>')
    for k, (lab, values) in enumerate(series):
        pts = [(sx(a), sy(b)) for a, b in zip(xs, np.asarray(values, float)) if math.isfinite(b)]
        if pts:
            d = "M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in pts)
            out.append(f'<path d="{d}" fill="none" stroke="{PALETTE[k % len(PALETTE)]}" stroke-width="2">'
                       f'<title>{esc(lab)}</title></path>')
    xstep = max(1, math.ceil(_nice_step(xmax - xmin, 8)))
    ticks = [t for t in range(int(math.ceil(xmin / xstep) * xstep), int(xmax) + 1, xstep)]
    out.append(_x_axis(left, left + plot_w, top + plot_h, [(t, sx(t)) for t in ticks], str))
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle" fill="#444">{esc(x_label)}</text>')
    out.append("</svg>")
    return "".join(out)


def svg_value_bars(items: list[tuple[str, float]], title: str, color: str = PALETTE[0]) -> str:
    """Horizontal bars of non-negative values (e.g. mean |SHAP| per column), largest first."""
    label_w, plot_w, bar_h = 170, 520, 22
    height = 30 + bar_h * len(items) + 10
    vmax = max([v for _, v in items if is_finite(v)] + [1e-12])
    out = [_svg_open(label_w + plot_w + 70, height, title),
           f'<text x="0" y="16" font-weight="bold" fill="#222">{esc(title)}</text>']
    for i, (name, v) in enumerate(items):
        y = 28 + i * bar_h
        w = plot_w * float(v) / vmax if is_finite(v) else 0
        short = name if len(name) <= 24 else name[:23] + "…"
        out.append(f'<text x="{label_w - 8}" y="{y + bar_h / 2:.1f}" text-anchor="end" dominant-baseline="middle" '
                   f'fill="#222">{esc(short)}<title>{esc(name)}</title></text>'
                   f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{bar_h - 6}" fill="{color}"/>'
                   f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h / 2:.1f}" dominant-baseline="middle" fill="#333" '
                   f'font-size="11">{num(v)}</text>')
    out.append("</svg>")
    return "".join(out)
