"""A long period's tables of days, folded into weeks or months: a year is a dozen rows a person can read
on a phone, every order still counted, and the totals as they were."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from marketplace.reports import figures
from marketplace.reports.tables import (
    DATE,
    INT,
    PERCENT,
    TEXT,
    VND,
    Chart,
    Column,
    Panel,
    Period,
    Report,
    Scope,
    Table,
)

SCOPE = Scope("xã Lục Ngạn", (1,))


def by_day(period: Period) -> Report:
    """Every day: 2 orders worth 100.000 ₫ and a share of 50 %; a table of names beside it, untouched."""
    days = [period.start + timedelta(days=n) for n in range(period.days)]
    orders = Table(
        "orders-by-day",
        "Đơn hàng theo ngày",
        [
            Column("day", "Ngày", DATE),
            Column("orders", "Số đơn", INT),
            Column("value", "Giá trị", VND),
            Column("share", "Trả không dùng tiền mặt", PERCENT),
        ],
        [{"day": day, "orders": 2, "value": 100_000, "share": 50.0} for day in days],
        total={"day": "Tổng cộng", "orders": 2 * len(days), "value": 100_000 * len(days), "share": 50.0},
        chart=Chart("line", "day", ("orders", "share")),
        note="Mỗi đơn tính một lần.",
    )
    places = Table(
        "orders-by-place", "Đơn theo xã", [Column("commune", "Xã", TEXT)], [{"commune": "Lục Ngạn"}]
    )
    return Report(SCOPE, period, [Panel("orders", "Đơn hàng", [], [orders, places])])


def folded(period: Period) -> tuple[Report, Table]:
    with translation.override("vi"):
        report = figures.fold_long_periods(by_day(period))
        return report, report.table("orders-by-day")


def test_forty_days_stay_days():
    period = Period(date(2026, 10, 1), date(2026, 11, 9))
    report, table = folded(period)
    assert (
        len(table.rows) == 40 and table.columns[0].label == "Ngày" and table.note == "Mỗi đơn tính một lần."
    )
    assert [column.key for column in table.columns] == ["day", "orders", "value", "share"]


def test_a_hundred_days_are_weeks_from_monday_with_their_sums():
    period = Period(date(2026, 8, 5), date(2026, 11, 12))  # a Wednesday to a Thursday: 100 days
    report, table = folded(period)

    assert table.columns[0].label == "Tuần từ ngày"
    assert table.note == "Mỗi đơn tính một lần. Mỗi dòng là một tuần, tính từ thứ Hai."
    first, second, last = table.rows[0], table.rows[1], table.rows[-1]
    assert first == {"day": date(2026, 8, 5), "orders": 10, "value": 500_000}  # Wed–Sun: 5 days
    assert second == {"day": date(2026, 8, 10), "orders": 14, "value": 700_000}  # a Monday, a whole week
    assert last == {"day": date(2026, 11, 9), "orders": 8, "value": 400_000}  # Mon–Thu
    assert len(table.rows) == 15 and all(row["day"].weekday() == 0 for row in table.rows[1:])
    assert (
        sum(row["orders"] for row in table.rows) == 200 and sum(r["value"] for r in table.rows) == 10_000_000
    )
    assert table.total == {"day": "Tổng cộng", "orders": 200, "value": 10_000_000, "share": 50.0}
    # a share of a day does not add up into a week: its column and its line are left out
    assert [column.key for column in table.columns] == ["day", "orders", "value"]
    assert table.chart.series == ("orders",)
    assert report.table("orders-by-place").rows == [{"commune": "Lục Ngạn"}]  # not a table of days


def test_a_year_is_twelve_or_thirteen_months_with_their_sums():
    period = Period(date(2025, 11, 30), date(2026, 11, 29))  # 365 days over 13 calendar months
    report, table = folded(period)

    assert table.columns[0].label == "Tháng từ ngày" and table.note.endswith("Mỗi dòng là một tháng.")
    assert [row["day"] for row in table.rows] == [date(2025, 11, 30)] + [
        date(2025 + (month > 12), (month - 1) % 12 + 1, 1) for month in range(12, 24)
    ]
    assert table.rows[0]["orders"] == 2  # the one day of November 2025 in the period
    assert table.rows[1] == {"day": date(2025, 12, 1), "orders": 62, "value": 3_100_000}
    assert table.rows[3]["orders"] == 56  # February 2026
    assert table.rows[-1]["orders"] == 58  # 1–29 November 2026
    assert sum(row["orders"] for row in table.rows) == 730 == table.total["orders"]
    assert sum(row["value"] for row in table.rows) == 36_500_000 == table.total["value"]
    assert by_day(period).table("orders-by-day").rows[0]["day"] == date(2025, 11, 30)


def test_a_calendar_year_is_twelve_months_and_the_report_folds_it(monkeypatch):
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    monkeypatch.setattr(figures, "PANELS", (lambda scope, period: by_day(period).panels[0],))

    with translation.override("en"):
        table = figures.report(SCOPE, period).table("orders-by-day")
    assert len(table.rows) == 12 and table.columns[0].label == "Month from"
    assert [row["orders"] for row in table.rows][:3] == [62, 56, 62]


@pytest.mark.parametrize(("days", "rows"), [(62, 62), (63, 9), (190, 28), (191, 7)])
def test_the_limits(days, rows):
    start = date(2026, 1, 5)  # a Monday, the first day of nothing else
    _report, table = folded(Period(start, start + timedelta(days=days - 1)))
    assert len(table.rows) == rows
