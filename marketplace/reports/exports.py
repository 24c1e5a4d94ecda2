"""The report as files: CSV of one table, XLSX of every table, the monthly one-page PDF.

Every text that comes from the data (a stall's or a commune's name, a label) goes through
``safe_text`` in all three formats: phone numbers are masked (a household may have typed its number
into its stall's name; no buyer's or household's number leaves the platform in a report), and the
control characters that spreadsheets refuse are dropped. CSV and XLSX also keep a name such as
``=HYPERLINK(...)`` a plain text, never a formula (CSV injection).
"""

import csv
import io
import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ground.money import group_thousands, to_dong
from marketplace.reports.formatting import format_figure, mask_phones
from marketplace.reports.tables import (
    DATE,
    HOURS,
    INT,
    PERCENT,
    STARS,
    TEXT,
    VND,
    Column,
    Period,
    Report,
    Table,
)
from traceability import sheets

# ---------------------------------------------------------------------------------------------------
# Safety: the same rules for every format.

# What a spreadsheet would read as the start of a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value) -> str:
    """A text from the data as every export writes it: no control characters, phone numbers masked."""
    return mask_phones(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _looks_like_formula(text: str) -> bool:
    return text.startswith(_FORMULA_START)


# ---------------------------------------------------------------------------------------------------
# Figures written as the page writes them (marketplace/reports/formatting.py).


def _local_date(value) -> date:
    """A DATE column may hold a datetime: its local day (Excel knows no time zones)."""
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _day(value) -> str:
    return format_figure(value, DATE)


def _plain(value):
    """A lazy translation ("Tổng cộng" of a total row) as the text it is."""
    return str(value) if isinstance(value, Promise) else value


def figure_text(value, kind: str) -> str:
    """A value as the page shows it: 1.234, 120.000 ₫, 31,8 %, 4,5, 36 giờ / 2,5 ngày, 30/11/2026;
    a name (in any column: a total row's "Tổng cộng" under the days) with its phone numbers masked."""
    value = _plain(value)
    if isinstance(value, str) and value:
        return _pdf_text(value)
    return format_figure(value, kind)


# ---------------------------------------------------------------------------------------------------
# Names and headers shared by the three files.


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", str(text).lower()).strip("-") or "bang"


def _days_slug(period: Period) -> str:
    return f"{period.start.isoformat()}-{period.end.isoformat()}"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A commune's figures are for its staff: never kept by a shared cache or proxy.
    patch_cache_control(response, private=True, no_store=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _is_whole_month(period: Period) -> bool:
    same_month = (period.start.year, period.start.month) == (period.end.year, period.end.month)
    if period.start.day != 1 or not same_month:
        return False
    last_day = (period.start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return period.end in (last_day, timezone.localdate())


def report_heading(period: Period) -> str:
    """ "Báo cáo tháng 11/2026", or "Báo cáo từ 03/11/2026 đến 20/11/2026"."""
    if _is_whole_month(period):
        return _("Report for %(month)s") % {"month": period.start.strftime("%m/%Y")}
    return _("Report from %(start)s to %(end)s") % {"start": _day(period.start), "end": _day(period.end)}


def _total_first_cell(table: Table):
    """The total row's first cell: the table's own word for it, or "Tổng cộng" under a text column."""
    first = table.columns[0]
    value = table.total.get(first.key)
    if first.kind == TEXT and value in (None, ""):
        return _("Total")
    return value


def _rows_with_total(table: Table) -> list[tuple[dict, bool]]:
    rows = [(row, False) for row in table.rows]
    if table.total is not None and table.columns:
        rows.append(({**table.total, table.columns[0].key: _total_first_cell(table)}, True))
    return rows


# ---------------------------------------------------------------------------------------------------
# CSV


def _csv_cell(value, kind: str):
    value = _plain(value)
    if value is None:
        return ""
    if kind == TEXT or isinstance(value, str):
        text = safe_text(value)
        return "'" + text if _looks_like_formula(text) else text
    if kind == DATE:
        return _local_date(value).isoformat()
    if kind in (INT, VND):
        return str(to_dong(value))
    # PERCENT, HOURS, STARS: one decimal with a dot, as CSV readers expect, rounded as on the page.
    return f"{float(value):.1f}"


def csv_response(report: Report, table: Table) -> HttpResponse:
    """One table: the column labels, the rows, the total row; UTF-8 with a BOM so Excel reads the
    diacritics; numbers raw (đồng whole, shares 0–100 with one decimal, days ISO)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(str(column.label), TEXT) for column in table.columns])
    for row, _is_total in _rows_with_total(table):
        writer.writerow([_csv_cell(row.get(column.key), column.kind) for column in table.columns])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, f"bao-cao-{_slug(table.key)}-{_days_slug(report.period)}.csv")


# ---------------------------------------------------------------------------------------------------
# XLSX

_NUMBER_FORMATS = {
    INT: "#,##0",
    VND: '#,##0 "₫"',
    PERCENT: '0.0" %"',  # shares are 0–100 everywhere (page, CSV), so the cell holds 31.8, not 0.318
    HOURS: "0.0",
    STARS: "0.0",
    DATE: "dd/mm/yyyy",
}
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_SHEET_NAME_MAX = 31


def _xlsx_value(cell, value, kind: str) -> None:
    value = _plain(value)
    if value is None or value == "":
        return
    if kind == TEXT or isinstance(value, str):
        text = safe_text(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl would store "=..." as a formula: a name is only ever text
        if _looks_like_formula(text):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return
    if kind == DATE:
        value = _local_date(value)
    elif kind in (INT, VND):
        value = to_dong(value)
    else:
        value = float(value)
    cell.value = value
    cell.number_format = _NUMBER_FORMATS.get(kind, "General")


def _widths(sheet, widths: dict[int, int]) -> None:
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(width + 2, 50))


def _cell_width(value, kind: str) -> int:
    return 0 if value is None else len(figure_text(value, kind))


def _summary_sheet(sheet, report: Report) -> None:
    """The heading, whose figures and which days, then each panel's title and its headline figures."""
    start, end = _day(report.period.start), _day(report.period.end)
    period = _("from %(start)s to %(end)s") % {"start": start, "end": end}
    lines: list[tuple] = [
        (report_heading(report.period), None, None),
        (_("Area"), report.scope.label, TEXT),
        (_("Dates"), period, TEXT),
    ]
    for panel in report.panels:
        lines += [None, (panel.title, None, None)]
        lines += [(figure.label, figure.value, figure.kind) for figure in panel.headline]
    widths = {1: 24, 2: 16}
    for number, line in enumerate(lines, start=1):
        if line is None:
            continue
        label, value, kind = line
        _xlsx_value(sheet.cell(row=number, column=1), str(label), TEXT)
        if kind is None:
            sheet.cell(row=number, column=1).font = _TITLE if number == 1 else _BOLD
            continue
        _xlsx_value(sheet.cell(row=number, column=2), value, kind)
        widths[1] = max(widths[1], len(str(label)))
        widths[2] = max(widths[2], _cell_width(value, kind))
    _widths(sheet, widths)


def _table_sheet(sheet, table: Table) -> None:
    """Row 1 the table's title, row 2 the column labels (frozen), then the rows and the total row."""
    _xlsx_value(sheet.cell(row=1, column=1), str(table.title), TEXT)
    sheet["A1"].font = _TITLE
    widths: dict[int, int] = {}
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=2, column=index)
        _xlsx_value(cell, str(column.label), TEXT)
        cell.font = _BOLD
        widths[index] = len(str(column.label))
    sheet.freeze_panes = "A3"
    for offset, (row, is_total) in enumerate(_rows_with_total(table)):
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=3 + offset, column=index)
            _xlsx_value(cell, row.get(column.key), column.kind)
            if is_total:
                cell.font = _BOLD
            widths[index] = max(widths[index], _cell_width(row.get(column.key), column.kind))
    if table.note:
        _xlsx_value(sheet.cell(row=sheet.max_row + 2, column=1), str(table.note), TEXT)
    _widths(sheet, widths)


def _sheet_names(tables: list[Table], taken: set[str]) -> list[str]:
    names = []
    for table in tables:
        base = re.sub(r"[\[\]:*?/\\']", "-", table.key)[:_SHEET_NAME_MAX] or "bang"
        name, number = base, 2
        while name.lower() in taken:
            suffix = f"-{number}"
            name, number = base[: _SHEET_NAME_MAX - len(suffix)] + suffix, number + 1
        taken.add(name.lower())
        names.append(name)
    return names


def xlsx_response(report: Report) -> HttpResponse:
    """One workbook: "Tóm tắt" (the scope, the days, every panel's headline figures), then one sheet
    per table with its title, its frozen header, numbers as numbers in Excel's formats, the total row."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = safe_text(_("Summary"))[:_SHEET_NAME_MAX]
    _summary_sheet(summary, report)
    tables = list(report.tables())
    for table, name in zip(tables, _sheet_names(tables, {summary.title.lower()}), strict=True):
        _table_sheet(workbook.create_sheet(name), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return _attachment(response, f"bao-cao-{_days_slug(report.period)}.xlsx")


# ---------------------------------------------------------------------------------------------------
# PDF: one A4 page for the People's Committee meeting.

REGULAR, BOLD = sheets.FONT, sheets.FONT_BOLD  # registered by the stamp sheets' module
# The short tables worth a place on the printed page, most useful first, with how many rows each may
# show; whatever does not fit is cut (the Excel file has everything).
PDF_TABLES = (("orders-by-place", 8), ("payment-methods", 6), ("stamps", 5), ("delivery", 4), ("recalls", 4))
_PAGE_WIDTH, _PAGE_HEIGHT = A4
_MARGIN = 15 * mm
_WIDTH = _PAGE_WIDTH - 2 * _MARGIN
_FOOTER = 12 * mm  # kept free at the bottom for the footer line
_GAP = 4 * mm


def _pdf_text(value) -> str:
    return " ".join(safe_text(value).split())


def _fit(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text: str, font: str, size: float, width: float, *, lines: int) -> list[str]:
    result, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if not current or pdfmetrics.stringWidth(candidate, font, size) <= width:
            current = candidate
        else:
            result.append(current)
            current = word
    result.append(current)
    if len(result) > lines:
        result = result[: lines - 1] + [" ".join(result[lines - 1 :])]
    return [_fit(line, font, size, width) for line in result if line]


class _Page:
    """A cursor down one page that never runs past the footer: each block asks for its height first."""

    def __init__(self, canvas: Canvas):
        self.canvas = canvas
        self.y = _PAGE_HEIGHT - _MARGIN

    def room(self) -> float:
        return self.y - (_MARGIN + _FOOTER)

    def fits(self, height: float) -> bool:
        return height <= self.room()

    def text(self, x: float, text: str, font: str, size: float, *, right: bool = False) -> None:
        self.canvas.setFont(font, size)
        if right:
            self.canvas.drawRightString(x, self.y, text)
        else:
            self.canvas.drawString(x, self.y, text)


def _pdf_heading(page: _Page, report: Report) -> None:
    canvas = page.canvas
    page.y -= 16
    page.text(_MARGIN, _fit(_pdf_text(report_heading(report.period)), BOLD, 16, _WIDTH), BOLD, 16)
    page.y -= 16
    page.text(_MARGIN, _fit(_pdf_text(report.scope.label), BOLD, 12, _WIDTH * 0.7), BOLD, 12)
    printed = _("Printed on %(date)s") % {"date": _day(timezone.localdate())}
    page.text(_MARGIN + _WIDTH, printed, REGULAR, 8.5, right=True)
    page.y -= 7
    canvas.setLineWidth(0.8)
    canvas.line(_MARGIN, page.y, _MARGIN + _WIDTH, page.y)
    page.y -= 4


_LABEL_SIZE, _VALUE_SIZE, _LINE = 8.5, 9, 10.5


def _figure_cell(figure, width: float) -> tuple[list[str], str]:
    value = figure_text(figure.value, figure.kind)
    value_width = pdfmetrics.stringWidth(value, BOLD, _VALUE_SIZE)
    label = _pdf_text(figure.label) + ":"
    return _wrap(label, REGULAR, _LABEL_SIZE, max(width - value_width - 6, width * 0.4), lines=2), value


def _pdf_panel(page: _Page, panel) -> bool:
    """The panel's title and its headline figures, two to a line. False when the page is full."""
    if not panel.headline:
        return True
    cell_width = (_WIDTH - _GAP) / 2
    cells = [_figure_cell(figure, cell_width) for figure in panel.headline]
    pairs = [cells[index : index + 2] for index in range(0, len(cells), 2)]
    heights = [max(len(lines) for lines, _value in pair) * _LINE + 3 for pair in pairs]
    if not page.fits(15 + heights[0]):
        return False
    page.y -= 15
    page.text(_MARGIN, _fit(_pdf_text(panel.title), BOLD, 10.5, _WIDTH), BOLD, 10.5)
    page.y -= 3
    for pair, height in zip(pairs, heights, strict=True):
        if not page.fits(height):
            return False
        top = page.y
        for column, (lines, value) in enumerate(pair):
            left = _MARGIN + column * (cell_width + _GAP)
            page.y = top - _LINE
            page.text(left + cell_width, value, BOLD, _VALUE_SIZE, right=True)
            for line in lines:
                page.text(left, line, REGULAR, _LABEL_SIZE)
                page.y -= _LINE
        page.y = top - height
        page.canvas.setLineWidth(0.3)
        page.canvas.setStrokeGray(0.75)
        page.canvas.line(_MARGIN, page.y + 0.5, _MARGIN + _WIDTH, page.y + 0.5)
        page.canvas.setStrokeGray(0)
    return True


_CELL_SIZE, _HEADER_SIZE, _ROW, _PAD = 8, 7.5, 10.5, 4


def _two_lines_width(text: str, font: str, size: float) -> float:
    """The narrowest width that holds ``text`` on at most two lines, split between words."""
    words = text.split() or [""]
    splits = [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(1, len(words) + 1)]
    return min(max(pdfmetrics.stringWidth(part, font, size) for part in split) for split in splits)


def _column_widths(table: Table, rows: list[dict]) -> list[tuple[Column, float]]:
    """Numbers as wide as their widest value or their label on two lines; the text columns share the
    rest. Columns that still do not fit are left out, from the right (the Excel file has them)."""
    measured = []
    for column in table.columns:
        if column.kind == TEXT:
            measured.append((column, 0.0))
            continue
        values = [figure_text(row.get(column.key), column.kind) for row in rows]
        width = max(
            [pdfmetrics.stringWidth(value, BOLD, _CELL_SIZE) for value in values]
            + [_two_lines_width(_pdf_text(column.label), BOLD, _HEADER_SIZE)]
        )
        measured.append((column, width + 2 * _PAD + 0.5))

    def spare() -> float:
        return _WIDTH - sum(width for column, width in measured if column.kind != TEXT)

    def texts() -> int:
        return sum(1 for column, _width in measured if column.kind == TEXT)

    while len(measured) > 1 and spare() < (0.28 * _WIDTH * texts() if texts() else 0):
        measured.pop()
    return [(column, spare() / texts() if column.kind == TEXT else width) for column, width in measured]


def _header_lines(columns: list[tuple[Column, float]]) -> list[list[str]]:
    return [
        _wrap(_pdf_text(column.label), BOLD, _HEADER_SIZE, width - 2 * _PAD, lines=2)
        for column, width in columns
    ]


def _pdf_table(page: _Page, table: Table, most: int) -> None:
    """The table's title, its header, up to ``most`` rows, the total; a line saying how many rows are
    left out when it is cut, fewer rows when the page is nearly full."""
    if not table.rows and table.total is None:
        return
    rows = _rows_with_total(table)
    body = [row for row, is_total in rows if not is_total]
    total = [row for row, is_total in rows if is_total]
    columns = _column_widths(table, body[:most] + total)
    headers = _header_lines(columns)
    header_height = max(len(lines) for lines in headers) * (_CELL_SIZE + 1) + 3

    def height(shown: int) -> float:
        cut = len(body) > shown
        return 18 + header_height + (shown + len(total) + cut) * _ROW + 4

    shown = min(most, len(body))
    while shown > 0 and not page.fits(height(shown)):
        shown -= 1
    if not page.fits(height(shown)):
        return
    canvas = page.canvas
    page.y -= 16
    page.text(_MARGIN, _fit(_pdf_text(table.title), BOLD, 9.5, _WIDTH), BOLD, 9.5)
    page.y -= 2
    canvas.setFillGray(0.92)
    canvas.rect(_MARGIN, page.y - header_height, _WIDTH, header_height, stroke=0, fill=1)
    canvas.setFillGray(0)
    top = page.y
    x = _MARGIN
    for (column, width), lines in zip(columns, headers, strict=True):
        page.y = top - (_CELL_SIZE + 1)
        for line in lines:
            if column.kind == TEXT:
                page.text(x + _PAD, line, BOLD, _HEADER_SIZE)
            else:
                page.text(x + width - _PAD, line, BOLD, _HEADER_SIZE, right=True)
            page.y -= _CELL_SIZE + 1
        x += width
    page.y = top - header_height
    for row in body[:shown]:
        _pdf_row(page, columns, row, REGULAR)
    if len(body) > shown:
        page.y -= _ROW
        left_out = group_thousands(len(body) - shown)
        more = _("… and %(count)s more rows, see the Excel file") % {"count": left_out}
        page.text(_MARGIN + _PAD, _fit(more, REGULAR, _CELL_SIZE, _WIDTH), REGULAR, _CELL_SIZE)
    for row in total:
        canvas.setLineWidth(0.6)
        canvas.line(_MARGIN, page.y - 2.5, _MARGIN + _WIDTH, page.y - 2.5)
        _pdf_row(page, columns, row, BOLD)
    page.y -= 4


def _pdf_row(page: _Page, columns: list[tuple[Column, float]], row: dict, font: str) -> None:
    page.y -= _ROW
    x = _MARGIN
    for column, width in columns:
        value = _plain(row.get(column.key))
        if column.kind == TEXT:
            text = _fit(_pdf_text(value) if value is not None else "", font, _CELL_SIZE, width - 2 * _PAD)
            page.text(x + _PAD, text, font, _CELL_SIZE)
        else:
            text = _fit(figure_text(value, column.kind), font, _CELL_SIZE, width - 2 * _PAD)
            page.text(x + width - _PAD, text, font, _CELL_SIZE, right=True)
        x += width


def _pdf_footer(canvas: Canvas, report: Report) -> None:
    canvas.setLineWidth(0.4)
    canvas.line(_MARGIN, _MARGIN + 9, _MARGIN + _WIDTH, _MARGIN + 9)
    canvas.setFont(REGULAR, 8)
    footer = _("%(site)s · figures from %(start)s to %(end)s") % {
        "site": settings.WAGTAIL_SITE_NAME,
        "start": _day(report.period.start),
        "end": _day(report.period.end),
    }
    canvas.drawString(_MARGIN, _MARGIN, footer)


def pdf_bytes(report: Report) -> bytes:
    """Exactly one A4 page: the heading, every panel's headline figures, then the short tables that fit."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(_pdf_text(f"{report_heading(report.period)} · {report.scope.label}"))
    canvas.setAuthor(settings.WAGTAIL_SITE_NAME)
    page = _Page(canvas)
    _pdf_heading(page, report)
    for panel in report.panels:
        if not _pdf_panel(page, panel):
            break
    page.y -= 4
    for key, most in PDF_TABLES:
        table = report.table(key)
        if table is not None and table.columns:
            _pdf_table(page, table, most)
    _pdf_footer(canvas, report)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pdf_response(report: Report) -> HttpResponse:
    response = HttpResponse(pdf_bytes(report), content_type="application/pdf")
    if _is_whole_month(report.period):
        name = f"bao-cao-thang-{report.period.start.strftime('%Y-%m')}.pdf"
    else:
        name = f"bao-cao-{_days_slug(report.period)}.pdf"
    return _attachment(response, name)
