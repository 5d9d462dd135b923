"""Two charts as inline SVG for the HTML report: stacked horizontal bars against a limit, and lines against a
level. Each has a title, axes with round ticks, a legend and readable colours; nothing but strings is built.

Deterministic on purpose: coordinates and labels use fixed float formats, colours follow the order the caller
gives, and every element id comes from the caller's chart key. Every text is escaped. The numbers a test or a
reader may want back are on the elements as data-* attributes (raw, unscaled values), so the page can be
checked against the advice it was drawn from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Callable, Sequence

# Okabe & Ito's colour-blind-safe palette, then Tol's muted colours for long legends. The yellow is last: it is
# readable as a filled bar, not as a thin line.
BAR_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#882255", "#44AA99", "#999933",
               "#332288", "#AA4499", "#F0E442")
LINE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#882255", "#332288")
LIMIT_COLOUR = "#B00020"
TEXT_COLOUR = "#222222"
GRID_COLOUR = "#E3E3E3"

WIDTH = 880
CHAR_W = 7.2  # a generous average width of a 12 px sans-serif character, to lay out labels without measuring them
LINE_H = 18


def colour_for(index: int, palette: Sequence[str] = BAR_COLOURS) -> str:
    return palette[index % len(palette)]


def _f(value: float) -> str:
    """A coordinate: one decimal, never '-0.0', so the same chart is the same bytes."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _raw(value: float) -> str:
    """A data-* value, exact: integers as integers, others as the shortest text that reads back the same float."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, weight: str = "normal",
          colour: str = TEXT_COLOUR, extra: str = "") -> str:
    return (f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{colour}"{extra}>{escape(text)}</text>')


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(1, chars - 1)] + "…"


def _two_lines(text: str, chars: int) -> list[str]:
    """A label broken at a space into at most two lines of `chars`, the second clipped if it is still too long."""
    if len(text) <= chars:
        return [text]
    cut = text.rfind(" ", 0, chars + 1)
    cut = cut if cut > 0 else chars
    return [text[:cut].rstrip(), _clip(text[cut:].strip(), chars)]


@dataclass(frozen=True)
class Axis:
    """A linear axis from 0 to `top`, with ticks at round steps (1, 2 or 5 × a power of ten)."""

    top: float
    step: float

    @classmethod
    def covering(cls, high: float, *, integer: bool = False, target_ticks: int = 5) -> "Axis":
        high = high if high > 0 and math.isfinite(high) else 1.0
        raw = high / target_ticks
        magnitude = 10 ** math.floor(math.log10(raw))
        step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-12))
        if integer:
            step = max(1.0, float(round(step)))
        return cls(top=math.ceil(high / step - 1e-9) * step, step=step)

    def ticks(self) -> list[float]:
        return [i * self.step for i in range(int(round(self.top / self.step)) + 1)]

    def label(self, value: float) -> str:
        decimals = max(0, -math.floor(math.log10(self.step) + 1e-9))
        return f"{value:,.{decimals}f}"


# ------------------------------------------------------------------------------------------ stacked bars

@dataclass(frozen=True)
class Bar:
    """One stacked bar: its parts in drawing order (negative parts are memory freed before the peak, drawn as a
    hatched stretch taken back from the end), the limit it is held against, and a note printed after it."""

    label: str
    parts: tuple[tuple[str, float], ...]
    limit: float | None = None
    note: str = ""

    @property
    def total(self) -> float:
        return sum(value for _, value in self.parts)

    @property
    def stacked(self) -> float:
        return sum(value for _, value in self.parts if value > 0)


def stacked_bars(key: str, title: str, bars: Sequence[Bar], *, unit_label: str, scale: float,
                 limit_label: str, fmt_total: Callable[[float], str]) -> str:
    """Horizontal stacked bars, one row per bar, a dashed limit mark across each row, the x axis in `unit_label`
    (values divided by `scale`), and a legend of the parts in the order they first appear."""
    names: list[str] = []
    for bar in bars:
        names += [name for name, value in bar.parts if value > 0 and name not in names]
    colours = {name: colour_for(i) for i, name in enumerate(names)}

    label_chars = min(30, max(len(bar.label) for bar in bars))
    left = 16 + label_chars * CHAR_W + 12
    note_chars = min(30, max((len(bar.note) for bar in bars), default=0))
    right = 16 + note_chars * CHAR_W + 8
    plot_w = WIDTH - left - right
    top, row_h, bar_h = 48.0, 44.0, 26.0
    high = max(max(bar.stacked, bar.limit or 0.0) for bar in bars) / scale
    axis = Axis.covering(high * 1.04)

    def x_of(value: float) -> float:
        return left + plot_w * (value / scale) / axis.top

    plot_bottom = top + row_h * len(bars)
    out = [_text(16, 24, title, size=15, weight="bold")]
    for tick in axis.ticks():
        x = left + plot_w * tick / axis.top
        out.append(f'<line x1="{_f(x)}" y1="{_f(top - 6)}" x2="{_f(x)}" y2="{_f(plot_bottom)}" stroke="{GRID_COLOUR}"/>')
        out.append(_text(x, plot_bottom + 16, axis.label(tick), anchor="middle", size=11))
    out.append(_text(left + plot_w / 2, plot_bottom + 36, unit_label, anchor="middle"))
    out.append(f'<line x1="{_f(left)}" y1="{_f(top - 6)}" x2="{_f(left)}" y2="{_f(plot_bottom)}" stroke="{TEXT_COLOUR}"/>')

    for row, bar in enumerate(bars):
        y = top + row * row_h + (row_h - bar_h) / 2
        out.append(f'<g class="bar" data-label="{escape(bar.label)}" data-total="{_raw(bar.total)}"'
                   + (f' data-limit="{_raw(bar.limit)}"' if bar.limit is not None else "") + ">")
        out.append(f"<title>{escape(bar.label)}: {escape(fmt_total(bar.total))}</title>")
        label = _two_lines(bar.label, label_chars)
        for i, part in enumerate(label):
            out.append(_text(left - 8, y + bar_h / 2 + 4 + (i - (len(label) - 1) / 2) * 14, part, anchor="end"))
        start = 0.0
        for name, value in bar.parts:
            if value <= 0:
                continue
            out.append(f'<rect class="part" x="{_f(x_of(start))}" y="{_f(y)}" width="{_f(x_of(value) - left)}" '
                       f'height="{_f(bar_h)}" fill="{colours[name]}" stroke="#ffffff" stroke-width="0.6" '
                       f'data-part="{escape(name)}" data-value="{_raw(value)}"><title>{escape(name)}: '
                       f"{escape(fmt_total(value))}</title></rect>")
            start += value
        freed = -sum(value for _, value in bar.parts if value < 0)
        if freed > 0:
            out.append(f'<rect class="freed" x="{_f(x_of(start - freed))}" y="{_f(y)}" width="{_f(x_of(freed) - left)}" '
                       f'height="{_f(bar_h)}" fill="url(#{key}-hatch)" stroke="{TEXT_COLOUR}" stroke-width="0.6" '
                       f'data-value="{_raw(-freed)}"><title>freed before this peak: {escape(fmt_total(freed))}</title></rect>')
        if bar.limit is not None:
            x = x_of(bar.limit)
            out.append(f'<line class="limit" x1="{_f(x)}" y1="{_f(y - 7)}" x2="{_f(x)}" y2="{_f(y + bar_h + 7)}" '
                       f'stroke="{LIMIT_COLOUR}" stroke-width="2.5" stroke-dasharray="5 3"/>')
        end = max(x_of(bar.stacked), x_of(bar.limit) if bar.limit is not None else left)
        out.append(_text(end + 6, y + bar_h / 2 + 4, _clip(bar.note, note_chars + 10)))
        out.append("</g>")

    legend = [(colours[name], name, "swatch") for name in names]
    if any(value < 0 for bar in bars for _, value in bar.parts):
        legend.append((f"url(#{key}-hatch)", "freed before the peak", "swatch"))
    if any(bar.limit is not None for bar in bars):
        legend.append((LIMIT_COLOUR, limit_label, "limit"))
    body, height = _legend(legend, plot_bottom + 52)
    out += body
    defs = (f'<defs><pattern id="{key}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{TEXT_COLOUR}" stroke-width="1.5"/></pattern></defs>')
    return _svg(key, title, height, [defs] + out)


def _legend(items: Sequence[tuple[str, str, str]], top: float) -> tuple[list[str], float]:
    """Items (colour, label, kind) in columns that fit the width; kind: swatch, line, dashed, limit, marker."""
    widest = max((len(label) for _, label, _ in items), default=0)
    column_w = min(WIDTH - 32, 34 + widest * CHAR_W)
    columns = max(1, int((WIDTH - 32) // column_w))
    out = []
    for i, (colour, label, kind) in enumerate(items):
        x = 16 + (i % columns) * column_w
        y = top + (i // columns) * LINE_H
        if kind == "swatch":
            out.append(f'<rect x="{_f(x)}" y="{_f(y - 10)}" width="14" height="12" fill="{colour}" stroke="{TEXT_COLOUR}" '
                       'stroke-width="0.4"/>')
        elif kind == "marker":
            out.append(f'<circle cx="{_f(x + 7)}" cy="{_f(y - 4)}" r="5" fill="#ffffff" stroke="{colour}" stroke-width="2.5"/>')
        else:
            dash = ' stroke-dasharray="5 3"' if kind in ("dashed", "limit") else ""
            width = 2.5 if kind == "limit" else 2.5
            out.append(f'<line x1="{_f(x)}" y1="{_f(y - 4)}" x2="{_f(x + 16)}" y2="{_f(y - 4)}" stroke="{colour}" '
                       f'stroke-width="{width}"{dash}/>')
        out.append(_text(x + 22, y, _clip(label, int((column_w - 30) / CHAR_W))))
    rows = math.ceil(len(items) / columns) if items else 0
    return ['<g class="legend">'] + out + ["</g>"], top + rows * LINE_H + 4


def _svg(key: str, title: str, height: float, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{key}" viewBox="0 0 {WIDTH} {_f(height)}" '
            f'width="{WIDTH}" height="{_f(height)}" role="img" aria-labelledby="{key}-title" '
            f'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">'
            f'<title id="{key}-title">{escape(title)}</title>' + "".join(body) + "</svg>")


# ------------------------------------------------------------------------------------------ lines

@dataclass(frozen=True)
class Line:
    """A series of (x, y) points joined in x order; `dots` draws a dot on each (measured points)."""

    label: str
    points: tuple[tuple[float, float], ...]
    dashed: bool = False
    dots: bool = False


@dataclass(frozen=True)
class Level:
    """A horizontal line across the plot: a budget."""

    y: float
    label: str


@dataclass(frozen=True)
class Mark:
    """A point worth naming: the chosen batch, the largest that fits. `line` is the index of its line's colour."""

    x: float
    y: float
    label: str
    line: int = 0


def line_chart(key: str, title: str, lines: Sequence[Line], *, x_label: str, y_label: str, y_scale: float = 1.0,
               levels: Sequence[Level] = (), marks: Sequence[Mark] = (), x_integer: bool = True,
               x_high: float | None = None) -> str:
    """Lines on axes from 0, with dashed levels (budgets) and marked points. y values are divided by `y_scale`
    for the ticks (bytes → GB); the data-* attributes keep the raw values. With levels or marks, the y axis stops
    at 1.6 × the highest of them, so a steep line cannot squash the part that matters (it leaves through the top),
    unless a line starts higher: every line's lowest point stays in view."""
    left, right, top, plot_h = 72.0, 24.0, 48.0, 300.0
    plot_w = WIDTH - left - right
    xs = [x for line in lines for x, _ in line.points] + [m.x for m in marks]
    ys = [y for line in lines for _, y in line.points] + [level.y for level in levels] + [m.y for m in marks]
    x_axis = Axis.covering(max([x_high or 0.0] + xs), integer=x_integer)
    y_high = max(ys, default=1.0)
    named = [level.y for level in levels] + [m.y for m in marks]
    if named:  # but every line keeps its lowest point in view
        lowest = max((min(y for _, y in line.points) for line in lines if line.points), default=0.0)
        y_high = min(y_high, max(1.6 * max(named), 1.15 * lowest))
    y_axis = Axis.covering(y_high / y_scale * 1.06)

    def px(x: float) -> float:
        return left + plot_w * x / x_axis.top

    def py(y: float) -> float:
        return top + plot_h - plot_h * (y / y_scale) / y_axis.top

    bottom = top + plot_h
    out = [_text(16, 24, title, size=15, weight="bold"),
           f'<clipPath id="{key}-plot"><rect x="{_f(left)}" y="{_f(top)}" width="{_f(plot_w)}" height="{_f(plot_h)}"/></clipPath>']
    for tick in y_axis.ticks():
        y = top + plot_h - plot_h * tick / y_axis.top
        out.append(f'<line x1="{_f(left)}" y1="{_f(y)}" x2="{_f(left + plot_w)}" y2="{_f(y)}" stroke="{GRID_COLOUR}"/>')
        out.append(_text(left - 8, y + 4, y_axis.label(tick), anchor="end", size=11))
    for tick in x_axis.ticks():
        x = px(tick)
        out.append(f'<line x1="{_f(x)}" y1="{_f(bottom)}" x2="{_f(x)}" y2="{_f(bottom + 5)}" stroke="{TEXT_COLOUR}"/>')
        out.append(_text(x, bottom + 18, x_axis.label(tick), anchor="middle", size=11))
    out.append(f'<path d="M{_f(left)},{_f(top)} V{_f(bottom)} H{_f(left + plot_w)}" fill="none" stroke="{TEXT_COLOUR}"/>')
    out.append(_text(left + plot_w / 2, bottom + 38, x_label, anchor="middle"))
    out.append(_text(18, top + plot_h / 2, y_label, anchor="middle",
                     extra=f' transform="rotate(-90 18 {_f(top + plot_h / 2)})"'))

    out.append(f'<g clip-path="url(#{key}-plot)">')
    for level in levels:
        y = py(level.y)
        out.append(f'<line class="level" x1="{_f(left)}" y1="{_f(y)}" x2="{_f(left + plot_w)}" y2="{_f(y)}" '
                   f'stroke="{LIMIT_COLOUR}" stroke-width="2" stroke-dasharray="6 4" data-y="{_raw(level.y)}"/>')
    for i, line in enumerate(lines):
        colour = colour_for(i, LINE_COLOURS)
        points = sorted(line.points)
        coords = " ".join(f"{_f(px(x))},{_f(py(y))}" for x, y in points)
        dash = ' stroke-dasharray="7 4"' if line.dashed else ""
        out.append(f'<polyline class="series" points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"{dash} '
                   f'data-label="{escape(line.label)}" data-points="{escape(_points_attr(points))}"/>')
        if line.dots:
            out += [f'<circle cx="{_f(px(x))}" cy="{_f(py(y))}" r="3.5" fill="{colour}"/>' for x, y in points]
    out.append("</g>")
    for level in levels:
        out.append(_text(left + plot_w - 6, py(level.y) - 6, level.label, anchor="end", colour=LIMIT_COLOUR,
                         extra=' stroke="#ffffff" stroke-width="4" paint-order="stroke"'))
    # labels alternate above-left and below-right of their points (in x order): for rising lines both sides are
    # clear of the line, and two marks close together do not write over each other
    for n, mark in enumerate(sorted(marks, key=lambda m: (m.x, m.y))):
        colour = colour_for(mark.line, LINE_COLOURS)
        x, y = px(mark.x), py(mark.y)
        out.append(f'<circle class="mark" cx="{_f(x)}" cy="{_f(y)}" r="6" fill="#ffffff" stroke="{colour}" '
                   f'stroke-width="2.5" data-x="{_raw(mark.x)}" data-y="{_raw(mark.y)}"><title>{escape(mark.label)}</title></circle>')
        width = len(mark.label) * CHAR_W * 11 / 12
        left_side = n % 2 == 0 and x - 10 - width > left or x + 10 + width > left + plot_w
        anchor, dx, dy = ("end", -10, -10) if left_side else ("start", 10, 20)
        if y + dy < top + 12:
            dy = 20
        out.append(_text(x + dx, y + dy, mark.label, anchor=anchor, size=12, weight="bold", colour=colour,
                         extra=' stroke="#ffffff" stroke-width="4" paint-order="stroke"'))

    legend = [(colour_for(i, LINE_COLOURS), line.label, "dashed" if line.dashed else "line") for i, line in enumerate(lines)]
    legend += [(LIMIT_COLOUR, level.label, "limit") for level in levels]
    body, height = _legend(legend, bottom + 62)
    return _svg(key, title, height, out + body)


def _points_attr(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_raw(x)},{_raw(y)}" for x, y in points)
