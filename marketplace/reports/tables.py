"""What a report is made of, whatever shows it: the page (charts and tables), CSV, XLSX and the PDF.

Every figure lives in a ``Table``; a panel's headline figures are read from its tables, and a chart
draws columns of a table that is printed below it. So the page, its exports and the monthly PDF can
only ever hold the same numbers.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

# How a column's values are written (marketplace/reports/templatetags/report_tags.py ``figure``):
TEXT = "text"  # a name
INT = "int"  # a count: 1.234
VND = "vnd"  # whole đồng: 120.000 ₫
PERCENT = "percent"  # a share, 0–100, one decimal: 31,8 %
HOURS = "hours"  # a duration in hours (float): "36 giờ" / "2,5 ngày"
STARS = "stars"  # an average rating 1–5, one decimal
DATE = "date"  # a day (datetime.date)
KINDS = (TEXT, INT, VND, PERCENT, HOURS, STARS, DATE)


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # translated (a lazy string is fine)
    kind: str = INT


@dataclass(frozen=True)
class Chart:
    """How a table is drawn above itself (marketplace/reports/charts.py).

    - ``line``: ``x`` is a DATE column, one line per column of ``series`` (a time series);
    - ``bars``: ``x`` is a TEXT column, one bar per row for each column of ``series``;
    - ``share``: one 100 % bar per column of ``series``, split by the rows (``x`` names the parts);
    - ``map``: rows carry ``latitude`` / ``longitude`` (floats, not columns shown) and ``series[0]`` sizes
      each point; ``x`` names it.
    """

    kind: str
    x: str
    series: tuple[str, ...]


@dataclass
class Table:
    key: str  # unique in a report: the CSV file's name and the XLSX sheet's (letters, digits, "-")
    title: str
    columns: list[Column]
    rows: list[dict]  # column key -> plain value (str, int, float or None, date); extra keys are ignored
    total: dict | None = None  # a row of totals, printed last and exported
    chart: Chart | None = None
    note: str = ""  # how the figures are counted, in one sentence, under the table


@dataclass(frozen=True)
class Figure:
    """A headline number at the top of a panel."""

    label: str
    value: int | float | None
    kind: str = INT


@dataclass
class Panel:
    key: str
    title: str
    headline: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str = ""  # when the panel has nothing yet, or a word on what it counts


@dataclass(frozen=True)
class Scope:
    """Whose figures: a set of communes. ``commune_ids`` None means every commune of the platform."""

    label: str  # "xã Lục Ngạn", "Bắc Ninh", "Toàn nền tảng"
    commune_ids: tuple[int, ...] | None

    @property
    def wide(self) -> bool:
        """More than one commune: tables break figures down by commune, not only by stall."""
        return self.commune_ids is None or len(self.commune_ids) > 1


@dataclass(frozen=True)
class Period:
    """Local days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The first instant after the period (excluded)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Report:
    scope: Scope
    period: Period
    panels: list[Panel]
    computed_at: datetime = field(default_factory=timezone.now)  # when the figures were added up

    def tables(self) -> Iterator[Table]:
        for panel in self.panels:
            yield from panel.tables

    def table(self, key: str) -> Table | None:
        return next((table for table in self.tables() if table.key == key), None)
