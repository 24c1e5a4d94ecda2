"""A report: every panel of /bao-cao/ for one scope and period, in the order the page shows them.

Each panel adds its figures up in SQL, one or two statements (the panels' tests hold the count), over
the daily rollups and today's rows, so the page's time depends little on the platform's size.

Over a long period a table of days is folded into weeks (more than WEEKS_AFTER days) or months (more than
MONTHS_AFTER days): a year is 12 or 13 rows and its line chart as many points, not 365 that no one reads
on a phone and that weigh on a cheap one over 3G. The exports read the same report, so they carry the
same rows. Counts and đồng add up; a share or an average of days does not, so its column is left out of
the folded table (the panel's totals and headline figures, over the whole period, stay as they were).
"""

import hashlib
from dataclasses import replace
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from marketplace.reports import households, places, sales, stamps, trust
from marketplace.reports.tables import DATE, INT, VND, Column, Period, Report, Scope, Table

PANELS = (
    households.stalls_panel,
    households.products_panel,
    sales.orders_panel,
    trust.trust_panel,
    stamps.stamps_panel,
    places.map_panel,
)

WEEKS_AFTER = 62  # days: two months of days are still read day by day
MONTHS_AFTER = 190  # days: about half a year of weeks, then months
WEEK, MONTH = "week", "month"
ADDS_UP = (INT, VND)


def report(scope: Scope, period: Period) -> Report:
    """The figures as of at most REPORTS_CACHE_SECONDS ago: an official opens the page, then its CSV,
    XLSX and PDF, and a colleague the same page; the shared cache adds it all up once for all of them
    (and the page and its files hold the same numbers). The key holds the communes, the days and the
    language the labels are in."""
    seconds = settings.REPORTS_CACHE_SECONDS
    key = (
        "reports:v1:"
        + hashlib.sha256(
            repr((scope.commune_ids, period.start, period.end, get_language())).encode()
        ).hexdigest()
    )
    kept = cache.get(key) if seconds else None
    if kept is not None:
        panels, computed_at = kept
        return Report(scope, period, panels, computed_at=computed_at)
    computed = fold_long_periods(Report(scope, period, [panel(scope, period) for panel in PANELS]))
    if seconds:
        cache.set(key, (computed.panels, computed.computed_at), seconds)
    return computed


def fold_long_periods(report: Report) -> Report:
    """The report with each table whose first column is a day folded into weeks or months when the period
    is long (see the module's docstring); the report itself is left as it was."""
    step = step_for(report.period)
    if step is None:
        return report
    panels = [
        replace(panel, tables=[fold_table(table, step, report.period) for table in panel.tables])
        for panel in report.panels
    ]
    return replace(report, panels=panels)


def step_for(period: Period) -> str | None:
    if period.days > MONTHS_AFTER:
        return MONTH
    if period.days > WEEKS_AFTER:
        return WEEK
    return None


def fold_table(table: Table, step: str, period: Period) -> Table:
    """A table of days as weeks (from Monday) or calendar months: each row dated by the first day it
    counts (the period's first day for the first, partial one), its counts and đồng summed; columns
    that do not add up are left out. Any other table is returned as it is."""
    if not table.columns or table.columns[0].kind != DATE:
        return table
    day_column, *others = table.columns
    kept = [column for column in others if column.kind in ADDS_UP]
    buckets: dict[date, dict] = {}
    undated = []
    for row in table.rows:
        day = row.get(day_column.key)
        if not isinstance(day, date):
            undated.append(row)
            continue
        start = max(_start_of(day, step), period.start)
        folded = buckets.setdefault(start, {day_column.key: start})
        for column in kept:
            value = row.get(column.key)
            if value is not None:
                folded[column.key] = folded.get(column.key, 0) + value
    rows = [buckets[start] for start in sorted(buckets)] + undated
    label = _("Week from") if step == WEEK else _("Month from")
    columns = [Column(day_column.key, label, DATE), *kept]
    words = _("Each row is a week, from Monday.") if step == WEEK else _("Each row is a month.")
    chart = table.chart
    if chart is not None:
        series = tuple(key for key in chart.series if key in {column.key for column in kept})
        chart = replace(chart, series=series) if series else None
    return replace(
        table,
        columns=columns,
        rows=rows,
        chart=chart,
        note=f"{table.note} {words}" if table.note else words,
    )


def _start_of(day: date, step: str) -> date:
    return day.replace(day=1) if step == MONTH else day - timedelta(days=day.weekday())
