"""The report page's words and numbers: {{ value|figure:kind }}, {% report_table table links %},
{% report_figures report %}, {% chart table %}, the period in words and the links to other periods.

A province's page holds a dozen tables of a hundred rows: written cell by cell by the template engine
(a loop, a filter chain and an ``if`` per cell) it took longer to render than its figures took to add up,
and its indentation weighed more than its numbers. So the tables and the headline figures are written
here, in Python, every value escaped (``html.escape`` / ``format_html``), with the same markup as before.
"""

from datetime import date, timedelta
from html import escape as escape_text
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from marketplace.reports import charts
from marketplace.reports.formatting import format_figure
from marketplace.reports.periods import month_of
from marketplace.reports.tables import DATE, TEXT, Column, Panel, Period, Report, Table

register = template.Library()

SCOPE_CHOICES = ("xa", "tinh")  # the page's ?xa= (a commune's code) and ?tinh= (a province's code)


@register.filter
def figure(value, kind: str) -> str:
    """{{ row.value|figure:"vnd" }} -> 120.000 ₫ (see marketplace.reports.formatting)."""
    return format_figure(value, kind)


@register.simple_tag
def chart(table: Table):
    """{% chart table %}: the table's chart as inline SVG, or nothing."""
    return charts.svg(table)


@register.filter
def numeric(kind: str) -> bool:
    """Numbers are right-aligned in their column; names and days are not."""
    return kind not in (TEXT, DATE)


@register.filter
def cell(row: dict | None, key: str):
    """{{ row|cell:column.key }}: a row's value (rows are dicts keyed by column)."""
    return (row or {}).get(key)


LONG_TABLE = 12  # rows: over this, the table scrolls in its own box (site.css ``.table-scroll.long``)


@register.simple_tag
def report_table(table: Table, links: str = "") -> SafeString:
    """{% report_table table links %}: a table with its title, chart, numbers, note and CSV link.

    The numbers are right-aligned (class "num"), the first cell of a row names it (``<th scope="row">``),
    the total comes last in ``<tfoot>``; a table without rows says so and offers no download. ``links``
    is the page's query string (scope and dates), carried by the CSV link."""
    title_id = f"table-{table.key}-title"
    title = str(table.title)  # a lazy translation: looked up once, not at each of its three places
    parts = [format_html('<div class="report-table" id="table-{}">', table.key)]
    parts.append(format_html('<h3 id="{}">{}</h3>', title_id, title))
    if table.rows:
        drawn = charts.svg(table)
        if drawn:
            parts.append(format_html('<div class="report-chart">{}</div>', drawn))
        parts.append(
            format_html(
                '<div class="table-scroll{}" role="region" aria-labelledby="{}" tabindex="0"><table>'
                '<caption class="sr-only">{}</caption><thead><tr>{}</tr></thead><tbody>',
                " long" if len(table.rows) > LONG_TABLE else "",
                title_id,
                title,
                format_html_join(
                    "", '<th scope="col"{}>{}</th>', ((_align(c), c.label) for c in table.columns)
                ),
            )
        )
        parts.append(mark_safe(_rows(table.columns, table.rows)))  # noqa: S308 (every value escaped there)
        parts.append(SafeString("</tbody>"))
        if table.total:
            parts.append(SafeString("<tfoot>"))
            parts.append(mark_safe(_rows(table.columns, [table.total], total=True)))  # noqa: S308 (the same)
            parts.append(SafeString("</tfoot>"))
        parts.append(SafeString("</table></div>"))
    else:
        parts.append(format_html('<p class="no-data">{}</p>', _("No figures for these dates yet.")))
    if table.note:
        parts.append(format_html('<p class="report-note">{}</p>', table.note))
    if table.rows:
        parts.append(
            format_html(
                '<p class="csv-link"><a href="{}{}">{}<span class="sr-only">: {}</span></a></p>',
                reverse("reports:csv", kwargs={"key": table.key}),
                format_html("?{}", links) if links else "",  # the template's string, escaped once
                _("Download CSV"),
                title,
            )
        )
    parts.append(SafeString("</div>"))
    return SafeString("".join(parts))


NUM, PLAIN = SafeString(' class="num"'), SafeString("")


def _align(column: Column) -> SafeString:
    return NUM if numeric(column.kind) else PLAIN


def _rows(columns: list[Column], rows: list[dict], total: bool = False) -> str:
    """``<tr>`` of each row, every value escaped: the first cell names the row (``<th scope="row">``).
    (The standard library's ``html.escape``, which Django's ``escape`` calls, without its lazy-string
    wrapper: a province's year has tens of thousands of cells.)

    In a total row the first cell says "Total" unless the panel named it, and a column the total has no
    key for stays empty (a share, say, does not add up)."""
    cells = []
    for index, column in enumerate(columns):
        tag = "th" if index == 0 else "td"
        scope = ' scope="row"' if index == 0 else ""
        cells.append((column.key, column.kind, f"<{tag}{scope}{_align(column)}>", f"</{tag}>"))
    first_key = cells[0][0]
    out = []
    for row in rows:
        out.append("<tr>")
        for key, kind, opening, closing in cells:
            value = row.get(key)
            if not total:
                text = format_figure(value, kind)
            elif key == first_key:
                text = format_figure(value, kind) if value else _("Total")
            elif key in row:
                text = format_figure(value, kind)
            else:
                text = ""
            out.append(f"{opening}{escape_text(text)}{closing}")
        out.append("</tr>")
    return "".join(out)


@register.simple_tag
def report_figures(report: Report) -> SafeString:
    """{% report_figures report %}: every panel's headline figures, each a link to its panel."""
    return format_html_join(
        "",
        '<li><a href="#panel-{}"><strong>{}</strong> <span>{}</span></a></li>',
        (
            (panel.key, format_figure(fig.value, fig.kind), fig.label)
            for panel in report.panels
            for fig in panel.headline
        ),
    )


@register.simple_tag
def panel_headline(panel: Panel) -> SafeString:
    """{% panel_headline panel %}: the panel's own headline figures, "label: value" each."""
    if not panel.headline:
        return SafeString("")
    items = format_html_join(
        "",
        "<li>{}: <strong>{}</strong></li>",
        ((fig.label, format_figure(fig.value, fig.kind)) for fig in panel.headline),
    )
    return format_html('<ul class="panel-headline">{}</ul>', items)


@register.filter
def period_words(period: Period) -> str:
    """ "Tháng 11/2026" for a calendar month (this month: up to today), else "01/11/2026 – 15/11/2026"."""
    if period == month_of(period.start):
        return _("Month %(month)s") % {"month": period.start.strftime("%m/%Y")}
    if period.start == period.end:
        return format_figure(period.start, "date")
    return f"{format_figure(period.start, 'date')} – {format_figure(period.end, 'date')}"


@register.simple_tag(takes_context=True)
def quick_periods(context, period: Period) -> list[dict]:
    """This month, last month, this year: label, link (keeping the chosen place) and whether shown now."""
    today = timezone.localdate()
    last_month = month_of(today.replace(day=1) - timedelta(days=1))
    choices = (
        (_("This month"), month_of(today), {}),
        (_("Last month"), last_month, {"tu": last_month.start, "den": last_month.end}),
        (_("This year"), Period(date(today.year, 1, 1), today), {"tu": date(today.year, 1, 1), "den": today}),
    )
    place = scope_query(context)
    return [
        {"label": label, "query": _join(place, urlencode(dates)), "current": shown == period}
        for label, shown, dates in choices
    ]


@register.simple_tag(takes_context=True)
def monthly_query(context, period: Period) -> str:
    """The monthly PDF's ?thang=YYYY-MM (the month the period starts in), keeping the chosen place."""
    return _join(urlencode({"thang": period.start.strftime("%Y-%m")}), scope_query(context))


def scope_query(context) -> str:
    request = context["request"]
    return urlencode([(name, request.GET[name]) for name in SCOPE_CHOICES if request.GET.get(name)])


def _join(*queries: str) -> str:
    return "&".join(query for query in queries if query)


@register.simple_tag
def commune_choices(reach) -> list:
    """The communes the chooser offers: those of the chosen (or only) province, when there are several."""
    province = reach.commune.province_code if reach.commune else reach.province_code
    if province is None and len(reach.provinces) == 1:
        province = reach.provinces[0][0]
    communes = [commune for commune in reach.communes if commune.province_code == province]
    return communes if len(communes) > 1 else []
