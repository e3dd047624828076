"""Small accessible SVG charts, built as text (no front-end build, no JavaScript).

Each chart carries a <title> and a <desc> that say in words what it shows, for screen
readers; pages also show the same figures as text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass(frozen=True, slots=True)
class RadarAxis:
    label: str
    low_label: str
    high_label: str
    value: float  # 0–100


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int


def _wrap(text: str, width: int = 12) -> list[str]:
    """Break a label on spaces into lines of about ``width`` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _num(x: float) -> str:
    return f"{x:.1f}"


def radar_svg(axes: Sequence[RadarAxis], title: str, *, size: int = 320, uid: str = "radar") -> str:
    """A radar chart of scores 0–100; the low pole is the centre, the high pole the rim."""
    n = len(axes)
    if n < 3:
        raise ValueError("a radar chart needs at least three axes")
    pad = 100
    width = size + 2 * pad
    cx = cy = width / 2
    radius = size / 2 - 10

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * max(0.0, min(100.0, value)) / 100
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    desc = " ; ".join(
        f"{a.label} : {a.value:.0f} sur 100 (de « {a.low_label} » à « {a.high_label} »)"
        for a in axes
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(width)} {_num(width)}" '
        f'role="img" aria-labelledby="{uid}-title {uid}-desc" class="chart radar">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]
    for level in (25, 50, 75, 100):
        ring = " ".join(f"{_num(x)},{_num(y)}" for x, y in (point(i, level) for i in range(n)))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#c8c8c8" stroke-width="1"/>')
    for i, axis in enumerate(axes):
        x, y = point(i, 100)
        parts.append(
            f'<line x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(x)}" y2="{_num(y)}" '
            'stroke="#c8c8c8" stroke-width="1"/>'
        )
        lx, ly = point(i, 118)
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        lines = _wrap(axis.high_label)
        ly -= 8 * (len(lines) - 1)
        spans = "".join(
            f'<tspan x="{_num(lx)}" dy="{0 if k == 0 else 16}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts.append(
            f'<text x="{_num(lx)}" y="{_num(ly)}" text-anchor="{anchor}" font-size="14" '
            f'fill="#1e1e1e">{spans}</text>'
        )
    shape = " ".join(
        f"{_num(x)},{_num(y)}" for x, y in (point(i, a.value) for i, a in enumerate(axes))
    )
    parts.append(
        f'<polygon points="{shape}" fill="#2e7d5b" fill-opacity="0.35" stroke="#1b5e40" '
        'stroke-width="2"/>'
    )
    for i, axis in enumerate(axes):
        x, y = point(i, axis.value)
        parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="#1b5e40"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def bars_svg(bars: Sequence[Bar], title: str, *, width: int = 520, uid: str = "bars") -> str:
    """Horizontal bars with their counts written at the end of each bar."""
    row, label_width, gap = 34, 210, 8
    height = row * len(bars) + gap
    top = max((b.value for b in bars), default=0) or 1
    span = width - label_width - 50
    desc = " ; ".join(f"{b.label} : {b.value}" for b in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" class="chart bars">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = gap + i * row
        length = span * bar.value / top
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" font-size="13" '
            f'fill="#1e1e1e">{escape(bar.label)}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{_num(length)}" height="24" rx="3" '
            f'fill="#2e7d5b"><title>{escape(f"{bar.label} : {bar.value}")}</title></rect>'
        )
        parts.append(
            f'<text x="{_num(label_width + length + 6)}" y="{y + 18}" font-size="13" '
            f'fill="#1e1e1e">{bar.value}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


__all__ = ["Bar", "RadarAxis", "bars_svg", "radar_svg"]
