"""Small hand-written SVG charts for the dashboards, returned as strings: no JavaScript, no chart library.

Each function takes plain series and returns one ``<svg>`` element that can be inlined in a page:

- ``role="img"`` with ``aria-labelledby`` pointing at its ``<title>`` (the chart's name) and ``<desc>`` (every
  value in words), which is what a screen reader reads; each bar also has its own ``<title>`` (a tooltip);
- the number printed on (or beside) each bar; labels in whatever language the caller passes;
- a ``viewBox``, so the chart scales with its container.

Every text that comes in (titles, labels, numbers) is XML-escaped here, colours must be ``#rgb``/``#rrggbb``
and ids are reduced to ``[A-Za-z0-9_-]``: the output is safe to mark safe. Pure: standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

__all__ = [
    "BLUE",
    "GREEN",
    "GREY",
    "PALETTE",
    "RED",
    "Bar",
    "Series",
    "bar_chart",
    "meter",
    "number_vi",
    "stacked_columns",
]

BLUE = "#1d4ed8"
GREEN = "#15803d"
AMBER = "#b45309"
RED = "#b91c1c"
GREY = "#9ca3af"
TEAL = "#0f766e"
PALETTE = (BLUE, TEAL, AMBER, "#7c3aed", "#be185d", "#4d7c0f", "#0369a1", "#a16207")
"""Colours with enough contrast for white text on them (WCAG AA for the bold 11 px labels)."""

FONT = 'font-family="Segoe UI, Roboto, Noto Sans, Liberation Sans, Arial, sans-serif"'
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
_ID = re.compile(r"[^A-Za-z0-9_-]")

Formatter = Callable[[float], str]


def number_vi(value: float, decimals: int = 0) -> str:
    """Vietnamese number style: ``.`` between thousands, ``,`` before decimals (1.008; 83,13)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (≥ 0) and, optionally, its own colour."""

    label: str
    value: float
    color: str = ""


@dataclass(frozen=True)
class Series:
    """One stacked layer of :func:`stacked_columns`: a name for the legend, one value per category."""

    name: str
    values: Sequence[float]
    color: str


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _colour(value: str, default: str = BLUE) -> str:
    value = value or default
    if not _COLOUR.match(value):
        raise ValueError(f"colour {value!r} must be #rgb or #rrggbb")
    return value


def _id(value: str) -> str:
    cleaned = _ID.sub("-", value).strip("-")
    return cleaned or "chart"


def _clip(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[: max(1, max_chars - 1)].rstrip() + "…"


def _n(value: float) -> float:
    """A value as a finite, non-negative number (a negative or NaN value draws as 0)."""
    number = float(value)
    return number if number > 0 and number != float("inf") else 0.0


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    cid = _id(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dash-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{cid}-title {cid}-desc" {FONT} '
        f'font-size="12"><title id="{cid}-title">{_e(title)}</title><desc id="{cid}-desc">{_e(desc)}</desc>'
    )


def _empty(chart_id: str, width: int, title: str, empty_text: str) -> str:
    height = 60
    return (
        _open(chart_id, width, height, title, empty_text)
        + f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#f9fafb" '
        'stroke="#e5e7eb" rx="6"/>'
        f'<text x="{width / 2:.0f}" y="35" text-anchor="middle" fill="#6b7280">{_e(empty_text)}</text></svg>'
    )


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    chart_id: str,
    width: int = 560,
    label_width: int = 170,
    color: str = BLUE,
    formatter: Formatter = number_vi,
    empty_text: str = "Không có số liệu",
) -> str:
    """Horizontal bars, one row per item, the longest bar for the largest value; the value is printed at the
    end of each bar. No items, or only zeros, gives a box that says ``empty_text``."""
    if not bars or not any(_n(b.value) for b in bars):
        return _empty(chart_id, width, title, empty_text)
    row, bar_height, value_space = 28, 18, 64
    plot = width - label_width - value_space
    top = 6
    height = top + row * len(bars) + 4
    biggest = max(_n(b.value) for b in bars)
    desc = "; ".join(f"{b.label}: {formatter(b.value)}" for b in bars)
    parts = [_open(chart_id, width, height, title, desc)]
    max_chars = max(4, int((label_width - 10) / 6.6))
    for index, item in enumerate(bars):
        y = top + index * row
        value = _n(item.value)
        length = plot * value / biggest
        fill = _colour(item.color, color)
        shown = formatter(item.value)
        parts.append(
            f"<g><title>{_e(item.label)}: {_e(shown)}</title>"
            f'<text x="{label_width - 8}" y="{y + bar_height / 2 + 4:.0f}" text-anchor="end" fill="#1f2937">'
            f"{_e(_clip(item.label, max_chars))}</text>"
            f'<rect x="{label_width}" y="{y}" width="{_fmt(length)}" height="{bar_height}" rx="2" '
            f'fill="{fill}"/>'
            f'<text x="{_fmt(label_width + length + 5)}" y="{y + bar_height / 2 + 4:.0f}" fill="#1f2937" '
            f'font-weight="600">{_e(shown)}</text></g>'
        )
    parts.append(
        f'<line x1="{label_width}" y1="{top - 2}" x2="{label_width}" y2="{height - 2}" '
        'stroke="#9ca3af"/></svg>'
    )
    return "".join(parts)


def stacked_columns(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    chart_id: str,
    width: int = 560,
    plot_height: int = 180,
    formatter: Formatter = number_vi,
    empty_text: str = "Không có số liệu",
    total_label: str = "",
) -> str:
    """Vertical columns, one per category, each stacking the series in order from the bottom; a legend on
    top, each segment's value inside it when it fits, the column's total above it. The tallest column is
    the largest total. No category, or only zeros, gives a box that says ``empty_text``."""
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(categories)} categories")
    totals = [sum(_n(s.values[i]) for s in series) for i in range(len(categories))]
    if not categories or not any(totals):
        return _empty(chart_id, width, title, empty_text)
    legend_height, axis_height, left, right = 26, 22, 8, 8
    top = legend_height + 16  # room for the total above the tallest column
    height = top + plot_height + axis_height
    slot = (width - left - right) / len(categories)
    column = min(56.0, slot * 0.62)
    biggest = max(totals)
    lines = []
    for i, category in enumerate(categories):
        values = ", ".join(f"{s.name} {formatter(s.values[i])}" for s in series)
        total = f"{total_label} {formatter(totals[i])}: " if total_label else f"{formatter(totals[i])}: "
        lines.append(f"{category}: {total}{values}")
    parts = [_open(chart_id, width, height, title, "; ".join(lines))]
    x = float(left)
    for s in series:  # the legend
        parts.append(
            f'<rect x="{_fmt(x)}" y="4" width="12" height="12" rx="2" fill="{_colour(s.color)}"/>'
            f'<text x="{_fmt(x + 17)}" y="14" fill="#1f2937">{_e(s.name)}</text>'
        )
        x += 17 + 6.6 * len(s.name) + 18
    baseline = top + plot_height
    for i, category in enumerate(categories):
        cx = left + slot * i + slot / 2
        x0 = cx - column / 2
        y = float(baseline)
        parts.append(f"<g><title>{_e(lines[i])}</title>")
        for s in series:
            value = _n(s.values[i])
            if not value:
                continue
            h = plot_height * value / biggest
            y -= h
            parts.append(
                f'<rect x="{_fmt(x0)}" y="{_fmt(y)}" width="{_fmt(column)}" height="{_fmt(h)}" '
                f'fill="{_colour(s.color)}"/>'
            )
            if h >= 15:
                parts.append(
                    f'<text x="{_fmt(cx)}" y="{_fmt(y + h / 2 + 4)}" text-anchor="middle" fill="#fff" '
                    f'font-size="11" font-weight="600">{_e(formatter(s.values[i]))}</text>'
                )
        parts.append(
            f'<text x="{_fmt(cx)}" y="{_fmt(y - 4)}" text-anchor="middle" fill="#1f2937" font-weight="700">'
            f"{_e(formatter(totals[i]))}</text>"
            f'<text x="{_fmt(cx)}" y="{baseline + 16}" text-anchor="middle" fill="#374151">'
            f"{_e(_clip(category, max(3, int(slot / 6.6))))}</text></g>"
        )
    parts.append(
        f'<line x1="{left}" y1="{baseline}" x2="{width - right}" y2="{baseline}" stroke="#9ca3af"/></svg>'
    )
    return "".join(parts)


def meter(
    parts: Sequence[Bar],
    *,
    maximum: float,
    title: str,
    chart_id: str,
    width: int = 560,
    caption: str = "",
    formatter: Formatter = number_vi,
    legend: bool = True,
) -> str:
    """One horizontal bar out of ``maximum``, filled by ``parts`` left to right (e.g. the score, then the
    points with data not earned); the rest of the track stays light grey. ``caption`` is printed right of the
    track (e.g. "75,61 %"); a legend under it names each part with its value, on as many lines as it needs.
    With ``legend`` False only the track and the caption are drawn (for a table cell); the ``<desc>`` and
    the tooltips still name every part."""
    track_height = 22
    caption_width = int(8.4 * len(caption)) + 12 if caption else 0
    track = max(40, width - 2 - caption_width)
    scale = track / maximum if maximum > 0 else 0.0
    entries: list[tuple[float, float, Bar, str]] = []  # x, y, part, text
    lx, ly = 1.0, track_height + 20.0
    for part in parts if legend else ():
        text = f"{part.label}: {formatter(part.value)}"
        item_width = 16 + 6.6 * len(text) + 16
        if lx > 1 and lx + item_width > width:
            lx, ly = 1.0, ly + 18
        entries.append((lx, ly, part, text))
        lx += item_width
    height = int(ly + 8) if entries else track_height + 2
    desc = "; ".join(f"{p.label}: {formatter(p.value)}" for p in parts)
    desc = f"{desc} / {formatter(maximum)}" if desc else formatter(maximum)
    if caption:
        desc = f"{caption}. {desc}"
    out = [
        _open(chart_id, width, height, title, desc),
        f'<rect x="1" y="1" width="{track}" height="{track_height}" rx="4" fill="#e5e7eb"/>',
    ]
    x = 1.0
    for part in parts:
        length = min(_n(part.value) * scale, 1 + track - x)
        if length > 0:
            out.append(
                f'<rect x="{_fmt(x)}" y="1" width="{_fmt(length)}" height="{track_height}" '
                f'fill="{_colour(part.color)}">'
                f"<title>{_e(part.label)}: {_e(formatter(part.value))}</title></rect>"
            )
        x += length
    if caption:
        out.append(
            f'<text x="{width - 2}" y="{track_height / 2 + 6:.0f}" text-anchor="end" fill="#111827" '
            f'font-weight="700" font-size="15">{_e(caption)}</text>'
        )
    for lx, ly, part, text in entries:
        out.append(
            f'<rect x="{_fmt(lx)}" y="{_fmt(ly - 10)}" width="11" height="11" rx="2" '
            f'fill="{_colour(part.color)}"/>'
            f'<text x="{_fmt(lx + 16)}" y="{_fmt(ly)}" fill="#374151">{_e(text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
