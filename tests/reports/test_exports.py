"""CSV, XLSX and the one-page PDF hold the report's numbers, and nothing a report must not hold."""

import csv
import io
from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from pypdf import PdfReader

from marketplace.demo_orders import buy
from marketplace.reports import exports, figures
from marketplace.reports.periods import this_month
from marketplace.reports.tables import (
    DATE,
    HOURS,
    INT,
    PERCENT,
    STARS,
    TEXT,
    VND,
    Column,
    Figure,
    Panel,
    Period,
    Report,
    Scope,
    Table,
)
from sellers.models import CommuneAssignment
from tests.factories import CommuneFactory, commune_member, make_product, seller_with_stall

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
PHONE_STALL = "Ông Thành 0912 345 678"
PHONE_STALL_E164 = "Bà Hoa +84912345678"
FORMULA = '=HYPERLINK("http://evil.example","Bấm vào")'
CONTROL = "Hợp tác xã\x07 Bắc\x00 Giang"

PLACE_COLUMNS = [
    Column("place", "Nơi bán", TEXT),
    Column("orders", "Số đơn", INT),
    Column("value", "Giá trị", VND),
    Column("cashless", "Không dùng tiền mặt", PERCENT),
    Column("hours", "Thời gian giao", HOURS),
    Column("stars", "Điểm đánh giá", STARS),
    Column("first", "Đơn đầu tiên", DATE),
]


def _place(name, orders, value, cashless, hours, stars, first):
    return {
        "place": name,
        "orders": orders,
        "value": value,
        "cashless": cashless,
        "hours": hours,
        "stars": stars,
        "first": first,
    }


def _report(places=None, *, headline_count: int = 0) -> Report:
    places = places or [
        _place("Vải thiều Lục Ngạn", 2, 120000, 50.0, 36.0, 4.5, date(2026, 11, 3)),
        _place(PHONE_STALL, 1, 65000, 100.0, None, None, date(2026, 11, 5)),
        _place(FORMULA, 1, 30000, 0.0, 72.5, 3.0, None),
        _place(PHONE_STALL_E164, 0, 0, None, None, None, None),
        _place(CONTROL, 1, 1234567, 66.6667, 12.0, 5.0, date(2026, 11, 30)),
    ]
    by_place = Table(
        "orders-by-place",
        "Đơn hàng theo nơi bán",
        PLACE_COLUMNS,
        places,
        total={"orders": 5, "value": 1449567, "cashless": 60.0, "hours": 30.25, "stars": 4.2},
        note="Đơn đặt trong kỳ.",
    )
    methods = Table(
        "payment-methods",
        "Cách trả tiền",
        [
            Column("method", "Cách trả", TEXT),
            Column("orders", "Số đơn", INT),
            Column("share", "Tỉ lệ", PERCENT),
        ],
        [
            {"method": "Tiền mặt khi nhận hàng", "orders": 1, "share": 33.3333},
            {"method": "VietQR", "orders": 2, "share": 66.6667},
        ],
        total={"orders": 3, "share": 100.0},
    )
    recalls = Table("recalls", "Lô bị thu hồi", [Column("lot", "Lô", TEXT), Column("day", "Ngày", DATE)], [])
    headline = [
        Figure("Số đơn", 1234, INT),
        Figure("Giá trị hàng bán", 120000, VND),
        Figure("Trả không dùng tiền mặt", 66.6667, PERCENT),
        Figure("Thời gian giao", 36.0, HOURS),
        Figure("Điểm đánh giá trung bình", 4.5, STARS),
        Figure("Ngày có đơn đầu tiên", date(2026, 11, 3), DATE),
        Figure("Khiếu nại", None, INT),
    ]
    headline += [Figure(f"Chỉ số phụ số {n} của gian hàng", n * 1000, INT) for n in range(headline_count)]
    return Report(
        Scope("xã Lục Ngạn", (1,)),
        NOVEMBER,
        [
            Panel("stalls", "Gian hàng", [Figure("Gian hàng mở", 12, INT), Figure("Đã duyệt", 9, INT)], []),
            Panel("orders", "Đơn hàng", headline, [by_place, methods]),
            Panel("stamps", "Tem truy xuất", [], [recalls]),
        ],
    )


# ----------------------------------------------------------------------------------------------------
# Masking and formula injection: the rules every format follows.


@pytest.mark.parametrize(
    "text, expected",
    [
        (PHONE_STALL, "Ông Thành 0912 *** 678"),
        (PHONE_STALL_E164, "Bà Hoa +8491****678"),
        ("Gọi 0912.345.678 nhé", "Gọi 0912.***.678 nhé"),
        ("(+84) 912-345-678", "(+84) 91*-***-678"),
        ("84912345678", "8491****678"),
        ("bàn 0204 3123 456", "bàn 0204 **** 456"),
        ("0912345678", "0912***678"),
    ],
)
def test_phone_numbers_are_masked(text, expected):
    assert exports.mask_phones(text) == expected


@pytest.mark.parametrize(
    "text",
    ["120.000 ₫", "1.234.567 ₫", "Lô LN2026-06A", "2026-11-30", "GTIN 8412345678901", "Mã 08934567890123"],
)
def test_other_numbers_are_not_masked(text):
    assert exports.mask_phones(text) == text


def test_safe_text_drops_control_characters():
    assert exports.safe_text(CONTROL) == "Hợp tác xã Bắc Giang"


# ----------------------------------------------------------------------------------------------------
# CSV


def _csv_rows(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the diacritics right
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))


def test_csv_holds_the_table_labels_numbers_and_total():
    report = _report()
    with translation.override("vi"):
        response = exports.csv_response(report, report.table("orders-by-place"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="bao-cao-orders-by-place-2026-11-01-2026-11-30.csv"'
    )
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    rows = _csv_rows(response)
    assert rows[0] == [
        "Nơi bán",
        "Số đơn",
        "Giá trị",
        "Không dùng tiền mặt",
        "Thời gian giao",
        "Điểm đánh giá",
        "Đơn đầu tiên",
    ]
    assert rows[1] == ["Vải thiều Lục Ngạn", "2", "120000", "50.0", "36.0", "4.5", "2026-11-03"]
    assert rows[4] == ["Bà Hoa +8491****678", "0", "0", "", "", "", ""]
    assert rows[5] == ["Hợp tác xã Bắc Giang", "1", "1234567", "66.7", "12.0", "5.0", "2026-11-30"]
    assert rows[6] == ["Tổng cộng", "5", "1449567", "60.0", "30.2", "4.2", ""]
    assert len(rows) == 7


def test_csv_masks_phones_and_defuses_formulas():
    report = _report()
    rows = _csv_rows(exports.csv_response(report, report.table("orders-by-place")))
    names = [row[0] for row in rows]

    assert "Ông Thành 0912 *** 678" in names
    assert "'" + FORMULA in names
    body = exports.csv_response(report, report.table("orders-by-place")).content.decode("utf-8-sig")
    assert "345 678" not in body and "912345678" not in body


def test_csv_of_a_table_without_rows_has_its_header_only():
    report = _report()
    with translation.override("vi"):
        rows = _csv_rows(exports.csv_response(report, report.table("recalls")))
    assert rows == [["Lô", "Ngày"]]


# ----------------------------------------------------------------------------------------------------
# XLSX


@pytest.fixture
def workbook():
    with translation.override("vi"):
        response = exports.xlsx_response(_report())
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-2026-11-01-2026-11-30.xlsx"'
    assert "no-store" in response["Cache-Control"]
    return load_workbook(io.BytesIO(response.content))


def test_xlsx_has_a_summary_then_one_sheet_per_table(workbook):
    assert workbook.sheetnames == ["Tóm tắt", "orders-by-place", "payment-methods", "recalls"]


def test_xlsx_summary_holds_scope_period_and_headlines(workbook):
    sheet = workbook["Tóm tắt"]
    pairs = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}

    assert sheet["A1"].value == "Báo cáo tháng 11/2026"
    assert pairs["Địa bàn"] == "xã Lục Ngạn"
    assert pairs["Thời gian"] == "từ 01/11/2026 đến 30/11/2026"
    assert pairs["Gian hàng mở"] == 12
    assert pairs["Giá trị hàng bán"] == 120000
    assert pairs["Trả không dùng tiền mặt"] == pytest.approx(66.6667)
    assert pairs["Ngày có đơn đầu tiên"].date() == date(2026, 11, 3)
    assert pairs["Khiếu nại"] is None
    assert "Đơn hàng" in pairs  # the panel's title


def test_xlsx_sheet_holds_the_table_as_numbers(workbook):
    sheet = workbook["orders-by-place"]

    assert sheet["A1"].value == "Đơn hàng theo nơi bán"
    assert [cell.value for cell in sheet[2]] == [column.label for column in PLACE_COLUMNS]
    assert all(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    first = [cell.value for cell in sheet[3]]
    assert first[:6] == ["Vải thiều Lục Ngạn", 2, 120000, 50.0, 36.0, 4.5]
    assert first[6].date() == date(2026, 11, 3)
    assert sheet["B3"].number_format == "#,##0"
    assert sheet["C3"].number_format == '#,##0 "₫"'
    assert sheet["D3"].number_format == '0.0" %"'
    assert sheet["G3"].number_format == "dd/mm/yyyy"
    assert [cell.value for cell in sheet[6]][:5] == ["Bà Hoa +8491****678", 0, 0, None, None]
    total = [cell.value for cell in sheet[8]]
    assert total == ["Tổng cộng", 5, 1449567, 60.0, 30.25, 4.2, None]
    assert sheet["A8"].font.b and sheet["C8"].font.b
    assert sheet["A10"].value == "Đơn đặt trong kỳ."
    assert 8 <= sheet.column_dimensions["A"].width <= 52


def test_xlsx_masks_phones_keeps_formulas_as_text_and_drops_control_characters(workbook):
    sheet = workbook["orders-by-place"]
    names = {sheet.cell(row=row, column=1).value: sheet.cell(row=row, column=1) for row in range(3, 8)}

    assert "Ông Thành 0912 *** 678" in names
    assert names[FORMULA].data_type == "s"
    assert names[FORMULA].quotePrefix
    assert "Hợp tác xã Bắc Giang" in names
    texts = [str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not any("345 678" in text or "912345678" in text for text in texts)


def test_xlsx_sheet_of_a_table_without_rows(workbook):
    sheet = workbook["recalls"]
    assert [cell.value for cell in sheet[2]] == ["Lô", "Ngày"]
    assert sheet.max_row == 2


def test_xlsx_sheet_names_are_short_and_unique():
    tables = [Table("a" * 40, "x", [], []), Table("a" * 35, "y", [], []), Table("Tóm tắt", "z", [], [])]
    names = exports._sheet_names(tables, {"tóm tắt"})
    assert names == ["a" * 31, "a" * 29 + "-2", "Tóm tắt-2"]


# ----------------------------------------------------------------------------------------------------
# PDF


def _pdf(report: Report) -> tuple[int, str]:
    with translation.override("vi"):
        response = exports.pdf_response(report)
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_one_page_with_the_headlines_written_as_on_the_page():
    pages, text = _pdf(_report())

    assert pages == 1
    assert "Báo cáo tháng 11/2026" in text
    assert "xã Lục Ngạn" in text
    for shown in ("1.234", "120.000 ₫", "66,7 %", "36 giờ", "4,5", "03/11/2026", "Trả không dùng tiền mặt"):
        assert shown in text
    assert "Vải thiều Lục Ngạn" in text  # the orders-by-place table, diacritics intact
    assert "1.449.567 ₫" in text and "Tổng cộng" in text
    assert "Tiền mặt khi nhận hàng" in text  # payment methods
    assert "Chợ OCOP · số liệu từ 01/11/2026 đến 30/11/2026" in text


def test_pdf_masks_phone_numbers():
    _pages, text = _pdf(_report())
    assert "Ông Thành 0912 *** 678" in text
    assert "345 678" not in text and "912345678" not in text


def test_pdf_stays_one_page_with_a_hundred_communes_and_long_names():
    long_name = "xã Thượng Lâm Đồng Hưng Nghĩa Phương Tân Thịnh Kim Sơn Bắc Lũng Vân Hồ"
    places = [
        _place(f"{long_name} {n}", n, n * 1_000_000, 33.3, 50.0 + n, 4.0, date(2026, 11, 1 + n % 30))
        for n in range(100)
    ]

    pages, text = _pdf(_report(places, headline_count=40))

    assert pages == 1
    assert "Chợ OCOP · số liệu từ" in text  # the footer is still there
    assert "… và" in text and "dòng nữa, xem tệp Excel" in text


def test_pdf_stays_one_page_when_the_headlines_alone_would_fill_two():
    pages, text = _pdf(_report(headline_count=300))

    assert pages == 1
    assert "Chợ OCOP · số liệu từ 01/11/2026 đến 30/11/2026" in text


def test_a_total_row_under_a_date_column_is_written_as_words():
    days = Table(
        "orders-by-day",
        "Đơn hàng theo ngày",
        [Column("day", "Ngày", DATE), Column("orders", "Số đơn", INT)],
        [{"day": date(2026, 11, 1), "orders": 2}, {"day": date(2026, 11, 2), "orders": 0}],
        total={"day": gettext_lazy("Total"), "orders": 2},
    )
    report = Report(Scope("xã Lục Ngạn", (1,)), NOVEMBER, [Panel("orders", "Đơn hàng", [], [days])])

    with translation.override("vi"):
        rows = _csv_rows(exports.csv_response(report, days))
        sheet = load_workbook(io.BytesIO(exports.xlsx_response(report).content))["orders-by-day"]

    assert rows == [["Ngày", "Số đơn"], ["2026-11-01", "2"], ["2026-11-02", "0"], ["Tổng cộng", "2"]]
    assert [cell.value for cell in sheet[5]] == ["Tổng cộng", 2]
    assert sheet["A3"].value.date() == date(2026, 11, 1)


def test_pdf_heading_names_the_days_when_not_a_whole_month():
    report = _report()
    report.period = Period(date(2026, 11, 3), date(2026, 11, 20))
    _pages, text = _pdf(report)
    assert "Báo cáo từ 03/11/2026 đến 20/11/2026" in text


# ----------------------------------------------------------------------------------------------------
# Through the site: /bao-cao/ exports, with real orders of two communes.


@pytest.fixture
def two_communes(db):
    """This month: at Vườn vải (xã Lục Ngạn) 2 × 50.000 cash on delivery, delivered, and 1 × 50.000 by
    VietQR, paid; at Vườn cam (xã Kép) 1 × 40.000 by VietQR, paid."""
    luc_ngan = CommuneFactory(name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    kep = CommuneFactory(name="Xã Kép", province_code=24, province_name="Bắc Ninh")
    bank = {"bank_bin": "970436", "bank_account_number": "0011001234567", "bank_account_name": "NGUYEN VAN A"}
    _owner, lychee_farm = seller_with_stall(
        commune=luc_ngan, partner__name="Vườn vải", delivery_fee=0, **bank
    )
    _owner, orange_farm = seller_with_stall(commune=kep, partner__name="Vườn cam", delivery_fee=0, **bank)
    lychee = make_product(stall=lychee_farm, title="Vải thiều", price=50000)
    orange = make_product(stall=orange_farm, title="Cam", price=40000)
    buy([(lychee, 2)], method="cod")
    buy([(lychee, 1)], method="vietqr", paid=True, until="confirm")
    buy([(orange, 1)], method="vietqr", paid=True, until="confirm")
    return SimpleNamespace(
        luc_ngan=luc_ngan,
        kep=kep,
        luc_ngan_staff=commune_member(commune=luc_ngan, role=CommuneAssignment.Role.STAFF),
        kep_staff=commune_member(commune=kep, role=CommuneAssignment.Role.STAFF),
    )


def _expected_csv(table: Table) -> list[list[str]]:
    """The table as the CSV must hold it, from the report the page shows."""
    rows = [[str(column.label) for column in table.columns]]
    for row in [*table.rows, table.total]:
        rows.append([exports._csv_cell(row.get(column.key), column.kind) for column in table.columns])
    return rows


def test_commune_staff_download_their_commune_s_figures_in_three_formats(client, two_communes):
    client.force_login(two_communes.luc_ngan_staff)
    report = figures.report(Scope(str(two_communes.luc_ngan), (two_communes.luc_ngan.pk,)), this_month())
    by_place = report.table("orders-by-place")
    assert (by_place.total["orders"], by_place.total["value"]) == (2, 150000)  # hand-counted

    csv_rows = _csv_rows(client.get(reverse("reports:csv", args=["orders-by-place"])))
    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:xlsx")).content))
    pdf = client.get(reverse("reports:pdf"))

    assert csv_rows == _expected_csv(by_place)
    assert csv_rows[1][:4] == ["Vườn vải", "2", "3", "150000"]
    assert csv_rows[1][4] == "50.0"  # cash on delivery and VietQR, one order each
    sheet = workbook["orders-by-place"]
    assert [cell.value for cell in sheet[3]][:4] == ["Vườn vải", 2, 3, 150000]
    assert [cell.value for cell in sheet[4]][:4] == ["Tổng cộng", 2, 3, 150000]
    summary = {row[0]: row[1] for row in workbook["Tóm tắt"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Địa bàn"] == str(two_communes.luc_ngan)
    for figure in report.panels[2].headline:
        assert summary[str(figure.label)] == pytest.approx(figure.value)
    assert (
        pdf["Content-Disposition"] == f'attachment; filename="bao-cao-thang-{this_month().start:%Y-%m}.pdf"'
    )
    reader = PdfReader(io.BytesIO(pdf.content))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    assert "150.000 ₫" in text and "50,0 %" in text and "Vườn vải" in text
    assert "Vườn cam" not in text and "40.000 ₫" not in text


def test_another_commune_s_staff_get_only_their_own_figures_from_the_same_urls(client, two_communes):
    client.force_login(two_communes.kep_staff)

    csv_rows = _csv_rows(client.get(reverse("reports:csv", args=["orders-by-place"])))
    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:xlsx")).content))
    text = PdfReader(io.BytesIO(client.get(reverse("reports:pdf")).content)).pages[0].extract_text()

    assert csv_rows[1:] == [
        ["Vườn cam", "1", "1", "40000", "100.0", "100.0"],
        ["Tổng cộng", "1", "1", "40000", "100.0", "100.0"],
    ]
    cells = [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert "Vườn vải" not in cells and 150000 not in cells
    assert "40.000 ₫" in text and "Vườn vải" not in text and "150.000 ₫" not in text


def test_guests_are_sent_to_log_in(client, db):
    for url in (
        reverse("reports:csv", args=["orders-by-place"]),
        reverse("reports:xlsx"),
        reverse("reports:pdf"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("sellers:login"))
