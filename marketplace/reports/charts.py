"""A report's tables drawn on the server as inline SVG: no JavaScript, no library, no map tiles.

A chart draws only the rows of its own table, which the page prints right below it: what the picture
shows, the table says in numbers (for screen readers, for printing, for checking). The drawing is 320
units wide and scales to the width of the page: on a 360 px phone one unit is about one pixel, so the
15-unit text reads at about 15 px there (never under 12 px).
"""

from datetime import date
from decimal import Decimal
from math import cos, floor, log10, radians, sqrt

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from marketplace.reports.formatting import compact, format_figure
from marketplace.reports.tables import DATE, INT, PERCENT, TEXT, VND, Column, Table

W = 320  # the drawing's width, in viewBox units
FONT = 15
CHAR = 8.4  # a character's average width at FONT, to fit and cut labels
LINE = 22  # one line of text
# Dark enough on white (3:1 at least for shapes, 4.5:1 for the text drawn in them), told apart by hue.
COLOURS = ("#1b5e20", "#1f5fa8", "#b45309", "#6a3d9a", "#00695c", "#ad1457", "#4a524d", "#795548")
GRID = "#c3cbc5"
INK = "#1f2421"
MAX_BARS = 15
MAX_DOTS = 16  # a dot on each day up to this many days; more would blur into a bead string
MAX_PARTS = len(COLOURS)
MAP_LABELS = 12  # label every point up to this many, else only the biggest few
MAP_BIGGEST = 5


def svg(table: Table) -> SafeString:
    """The table's chart, or "" when it has none or nothing to draw (the table says "no data")."""
    chart = table.chart
    if chart is None or not table.rows:
        return SafeString("")
    draw = {"line": _line, "bars": _bars, "share": _share, "map": _map}[chart.kind]
    drawn = draw(table, _columns(table))
    if drawn is None:
        return SafeString("")
    height, body = drawn
    title_id = f"chart-{table.key}"
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {w} {h}" '
        'width="100%" role="img" aria-labelledby="{id}" font-size="{font}" fill="{ink}" '
        "font-family=\"system-ui, -apple-system, Roboto, 'Noto Sans', Arial, sans-serif\">"
        '<title id="{id}">{title}</title>{body}</svg>',
        kind=chart.kind,
        w=W,
        h=_n(height),
        id=title_id,
        font=FONT,
        ink=INK,
        title=_("%(title)s: chart. The figures are in the table below.") % {"title": table.title},
        body=body,
    )


# Drawing kinds: each returns (height, body) or None when there is nothing to draw.


def _line(table: Table, columns: dict[str, Column]):
    chart = table.chart
    rows = sorted((r for r in table.rows if isinstance(r.get(chart.x), date)), key=lambda r: r[chart.x])
    values = [_number(r.get(key)) for r in rows for key in chart.series]
    if not rows or not any(values):
        return None
    kind = columns[chart.series[0]].kind
    ticks = _ticks(max(values), kind)
    left = max(len(compact(tick, kind)) for tick in ticks) * CHAR + 10
    top = len(chart.series) * LINE + 12
    plot_w, plot_h = W - left - 12, 150
    bottom = top + plot_h
    first, last = rows[0][chart.x], rows[-1][chart.x]
    span = (last - first).days

    def x(day: date) -> float:
        return left + plot_w * ((day - first).days / span if span else 0.5)

    def y(value: float) -> float:
        return bottom - plot_h * value / ticks[-1]

    parts = [_legend(chart.series, columns, 0)]
    for tick in ticks:
        parts.append(_hline(left, W - 12, y(tick)))
        parts.append(_text(left - 6, y(tick) + 5, compact(tick, kind), anchor="end"))
    parts += [_date_label(day, x(day), bottom + 20, first, last) for day in _label_days(first, last)]
    for index, key in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        points = [(x(r[chart.x]), y(_number(r[key])), r) for r in rows if r.get(key) is not None]
        if len(points) > 1:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" '
                    'stroke-linejoin="round" stroke-linecap="round"/>',
                    " ".join(f"{_n(px)},{_n(py)}" for px, py, _row in points),
                    colour,
                )
            )
        if len(rows) <= MAX_DOTS:
            parts += [_dot(px, py, colour, row, chart.x, key, columns) for px, py, row in points]
    return bottom + LINE + 10, _join(parts)


def _bars(table: Table, columns: dict[str, Column]):
    chart = table.chart
    rows = sorted(table.rows, key=lambda r: _number(r.get(chart.series[0])), reverse=True)
    if not any(_number(r.get(key)) for r in rows for key in chart.series):
        return None
    shown, rest = (rows, []) if len(rows) <= MAX_BARS else (rows[: MAX_BARS - 1], rows[MAX_BARS - 1 :])
    additive = all(columns[key].kind in (INT, VND) for key in chart.series)
    if rest and additive:
        others = {key: sum(_number(r.get(key)) for r in rest) for key in chart.series}
        shown = [*shown, {chart.x: _("%(count)s others") % {"count": len(rest)}, **others}]
    labels = [[format_figure(r.get(key), columns[key].kind) for key in chart.series] for r in shown]
    value_w = max(len(label) for row in labels for label in row) * CHAR + 14
    bar_w = W - value_w
    high = max(_number(r.get(key)) for r in shown for key in chart.series) or 1
    y = len(chart.series) * LINE + 10 if len(chart.series) > 1 else 0
    parts = [_legend(chart.series, columns, 0)] if len(chart.series) > 1 else []
    for row, values in zip(shown, labels, strict=True):
        parts.append(_text(0, y + 16, _cut(format_figure(row.get(chart.x), TEXT), W)))
        y += LINE
        for index, key in enumerate(chart.series):
            length = bar_w * _number(row.get(key)) / high
            parts.append(_rect(0, y, length, 18, COLOURS[index % len(COLOURS)]))
            parts.append(_text(length + 6, y + 15, values[index], weight="600"))
            y += 24
        y += 10
    if rest and not additive:
        parts.append(_text(0, y + 16, _("…and %(count)s more in the table below") % {"count": len(rest)}))
        y += LINE + 4
    return y, _join(parts)


def _share(table: Table, columns: dict[str, Column]):
    chart = table.chart
    names = [format_figure(r.get(chart.x), TEXT) for r in table.rows]
    parts, y = [], 0
    for key in chart.series:
        values = [_number(r.get(key)) for r in table.rows]
        whole = sum(values)
        if not whole:
            continue
        names_k, values_k = _fold(names, values)
        parts.append(_text(0, y + 16, columns[key].label, weight="700"))
        y += LINE + 2
        start = 0.0
        for index, (name, value) in enumerate(zip(names_k, values_k, strict=True)):
            width = W * value / whole
            tip = f"{name}: {format_figure(value, columns[key].kind)}"
            parts.append(_rect(start, y, width, 30, COLOURS[index], tip, stroke="#fff"))
            start += width
        y += 30 + 8
        for index, (name, value) in enumerate(zip(names_k, values_k, strict=True)):
            if not value:
                continue
            share = format_figure(100 * value / whole, PERCENT)
            parts.append(_rect(0, y + 4, 15, 15, COLOURS[index]))
            parts.append(_text(24, y + 17, _cut(name, W - 24 - len(share) * CHAR - 8)))
            parts.append(_text(W, y + 17, share, anchor="end", weight="600"))
            y += LINE
        y += 12
    if not parts:
        return None
    return y, _join(parts)


def _map(table: Table, columns: dict[str, Column]):
    chart = table.chart
    key = chart.series[0]
    points = [r for r in table.rows if r.get("latitude") is not None and r.get("longitude") is not None]
    if not points:
        return None
    squeeze = cos(radians(sum(float(r["latitude"]) for r in points) / len(points)))
    xs = [float(r["longitude"]) * squeeze for r in points]
    ys = [-float(r["latitude"]) for r in points]
    margin, most_high = 30, 340
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    scale = min((W - 2 * margin) / span_x if span_x else 1e9, most_high / span_y if span_y else 1e9)
    scale = 0 if scale == 1e9 else scale
    height = max(span_y * scale + 2 * margin, 120)
    offset_x = (W - span_x * scale) / 2
    offset_y = (height - span_y * scale) / 2
    high = max(_number(r.get(key)) for r in points) or 1
    kind = columns[key].kind
    placed = sorted(
        (
            (offset_x + (px - min(xs)) * scale, offset_y + (py - min(ys)) * scale, r)
            for px, py, r in zip(xs, ys, points, strict=True)
        ),
        key=lambda p: -_number(p[2].get(key)),
    )
    circles = [(px, py, _radius(_number(r.get(key)) / high), r) for px, py, r in placed]

    def words(row: dict, most: float = W) -> str:
        return f"{_cut(format_figure(row.get(chart.x), TEXT), most)}: {_fig(row, key, kind)}"

    parts = [
        _circle(px, py, radius, words(r), hollow=not _number(r.get(key))) for px, py, radius, r in circles
    ]
    labelled = circles if len(circles) <= MAP_LABELS else circles[:MAP_BIGGEST]
    parts += _map_labels(labelled, circles, height, lambda row: words(row, 150))
    parts.append(_text(0, height + 16, _("Circle size: %(what)s") % {"what": columns[key].label}))
    return height + LINE + 6, _join(parts)


# Small pieces.


def _columns(table: Table) -> dict[str, Column]:
    known = {column.key: column for column in table.columns}
    wanted = (table.chart.x, *table.chart.series)
    return {
        key: known.get(key, Column(key, key, INT if key in table.chart.series else TEXT)) for key in wanted
    }


def _number(value) -> float:
    """A cell as a number to draw: None (or a name) draws as 0; a Decimal sum from SQL is a number."""
    return float(value) if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else 0.0


def _fig(row: dict, key: str, kind: str) -> str:
    return format_figure(row.get(key), kind)


def _n(number: float) -> str:
    """A coordinate, short: 12.0 -> "12", 12.345 -> "12.3"."""
    return f"{number:.1f}".removesuffix(".0")


def _join(parts) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _cut(text: str, width: float) -> str:
    """``text`` cut with "…" to fit ``width`` units."""
    most = max(int(width / CHAR), 4)
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _ticks(high: float, kind: str) -> list[float]:
    """3 or 4 round values from 0 up to at least ``high``: 0, 500, 1.000, 1.500."""
    magnitude = 10 ** floor(log10(high / 3))
    steps = (1, 2, 2.5, 5, 10) if magnitude >= 10 or kind not in (INT, VND) else (1, 2, 5, 10)
    step = next(m * magnitude for m in steps if m * magnitude * 3 >= high)
    if kind in (INT, VND):
        step = max(step, 1)
    count = 3 if step * 2 >= high else 4
    return [step * i for i in range(count)]


def _label_days(first: date, last: date) -> list[date]:
    span = (last - first).days
    if span <= 3:
        return sorted({first + (last - first) * i // max(span, 1) for i in range(span + 1)})
    return [first + (last - first) * i // 3 for i in range(4)]


def _date_label(day: date, x: float, y: float, first: date, last: date) -> SafeString:
    """dd/mm under the axis (mm/yyyy over more than half a year); the ends aligned inside the box."""
    anchor = "middle" if first == last else "start" if day == first else "end" if day == last else "middle"
    text = day.strftime("%m/%Y") if (last - first).days > 200 else day.strftime("%d/%m")
    return _text(x, y, text, anchor=anchor)


def _text(x: float, y: float, content: str, anchor: str = "start", weight: str = "") -> SafeString:
    """A label; "start" is SVG's own anchor, left unsaid (a province's charts hold hundreds of labels)."""
    anchor_attr = format_html(' text-anchor="{}"', anchor) if anchor != "start" else ""
    weight_attr = format_html(' font-weight="{}"', weight) if weight else ""
    return format_html('<text x="{}" y="{}"{}{}>{}</text>', _n(x), _n(y), anchor_attr, weight_attr, content)


def _hline(x1: float, x2: float, y: float) -> SafeString:
    return format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>', _n(x1), _n(x2), _n(y), _n(y), GRID
    )


def _rect(x: float, y: float, width: float, height: float, colour: str, tip: str = "", stroke: str = ""):
    tip_tag = format_html("<title>{}</title>", tip) if tip else ""
    stroke_attr = format_html(' stroke="{}" stroke-width="1.5"', stroke) if stroke else ""
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}>{}</rect>',
        _n(x),
        _n(y),
        _n(max(width, 0)),
        _n(height),
        colour,
        stroke_attr,
        tip_tag,
    )


def _dot(x, y, colour, row, x_key, key, columns) -> SafeString:
    tip = f"{format_figure(row[x_key], DATE)}: {format_figure(row[key], columns[key].kind)}"
    return format_html(
        '<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}</title></circle>', _n(x), _n(y), colour, tip
    )


def _legend(series, columns, y: float) -> SafeString:
    parts = []
    for index, key in enumerate(series):
        parts.append(_rect(0, y + index * LINE + 4, 15, 15, COLOURS[index % len(COLOURS)]))
        parts.append(_text(24, y + index * LINE + 17, _cut(str(columns[key].label), W - 24)))
    return _join(parts)


def _fold(names: list[str], values: list[float]) -> tuple[list[str], list[float]]:
    """At most MAX_PARTS parts, the smallest ones folded into "N others"."""
    if len(names) <= MAX_PARTS:
        return names, values
    order = sorted(range(len(values)), key=lambda i: -values[i])
    kept, folded = order[: MAX_PARTS - 1], order[MAX_PARTS - 1 :]
    return (
        [names[i] for i in kept] + [_("%(count)s others") % {"count": len(folded)}],
        [values[i] for i in kept] + [sum(values[i] for i in folded)],
    )


def _radius(size: float) -> float:
    return 5 + 17 * sqrt(size)


def _circle(x: float, y: float, radius: float, tip: str, hollow: bool) -> SafeString:
    if hollow:  # a commune with none: where it is, drawn empty
        fill = 'fill="#fff" stroke="#1b5e20" stroke-width="2"'
    else:
        fill = 'fill="#1b5e20" fill-opacity="0.55" stroke="#0f3d13" stroke-width="1.5"'
    return format_html(
        '<circle cx="{}" cy="{}" r="{}" {}><title>{}</title></circle>',
        _n(x),
        _n(y),
        _n(radius),
        SafeString(fill),
        tip,
    )


def _map_labels(labelled, circles, height: float, words) -> list[SafeString]:
    """A label beside each point of ``labelled`` (biggest first): right, left, above or below it,
    wherever it overlaps no circle and no label already placed, inside the drawing; else none (the
    table below names every commune)."""
    taken = [(x - r, y - r, x + r, y + r) for x, y, r, _row in circles]
    parts = []
    for x, y, r, row in labelled:
        text = words(row)
        width = len(text) * CHAR * 1.05  # bold
        for anchor, left, baseline in (
            ("start", x + r + 4, y + 5),
            ("end", x - r - 4 - width, y + 5),
            ("middle", x - width / 2, y - r - 6),
            ("middle", x - width / 2, y + r + 17),
        ):
            box = (left, baseline - 14, left + width, baseline + 4)
            if box[0] < 0 or box[2] > W or box[1] < 0 or box[3] > height:
                continue
            if any(_overlap(box, other) for other in taken if other != (x - r, y - r, x + r, y + r)):
                continue
            taken.append(box)
            at = {"start": left, "end": left + width, "middle": left + width / 2}[anchor]
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="{}" font-weight="600" '
                    'stroke="#fff" stroke-width="4" paint-order="stroke">{}</text>',
                    _n(at),
                    _n(baseline),
                    anchor,
                    text,
                )
            )
            break
    return parts


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
