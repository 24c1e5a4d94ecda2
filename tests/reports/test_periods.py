"""Which days a report adds up: this month unless asked; wrong dates are said plainly, in Vietnamese,
and the page still shows this month."""

import datetime

import pytest
from django.utils import timezone, translation

from marketplace.reports.periods import MonthForm, PeriodForm, this_month
from marketplace.reports.tables import Period


def _period(**data) -> tuple[Period, list[str]]:
    form = PeriodForm(data)
    with translation.override("vi"):
        return form.period(), [str(error) for error in form.non_field_errors()] + [
            str(error) for errors in form.errors.values() for error in errors
        ]


def test_no_dates_is_this_month_up_to_today():
    today = timezone.localdate()

    period, errors = _period()

    assert period == Period(today.replace(day=1), today) and not errors
    assert period.since == timezone.make_aware(
        datetime.datetime.combine(today.replace(day=1), datetime.time())
    )
    assert period.until - period.since == datetime.timedelta(days=period.days)


def test_a_start_alone_means_its_month():
    period, errors = _period(tu="2026-02-10")

    assert period == Period(datetime.date(2026, 2, 10), datetime.date(2026, 2, 28)) and not errors


def test_dates_given_are_kept():
    period, _ = _period(tu="2026-01-01", den="2026-06-30")

    assert period == Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert period.days == 181


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tu": "2026-06-30", "den": "2026-01-01"}, "Ngày kết thúc đang trước ngày bắt đầu."),
        ({"tu": "2020-01-01", "den": "2026-01-01"}, "Mỗi lần chỉ xem được tối đa hai năm."),
        ({"tu": "1999-01-01", "den": "1999-02-01"}, "Hãy chọn ngày từ năm 2020 trở đi."),
        ({"tu": "ngày mai"}, "Nhập một ngày hợp lệ."),
        ({"tu": "2026-02-30"}, "Nhập một ngày hợp lệ."),
    ],
)
def test_wrong_dates_are_said_and_this_month_is_shown(data, message):
    period, errors = _period(**data)

    assert period == this_month()
    assert message in errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-02", Period(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))),
        ("2024-02", Period(datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))),
        ("2026-13", None),
        ("tháng 2", None),
        ("2019-12", None),
        ("2999-01", None),
    ],
)
def test_the_printed_report_takes_a_whole_month(text, expected):
    assert MonthForm({"thang": text}).period() == expected
