"""Orders, units, value, the share paid without cash and the time to delivery, counted by hand
(tests/reports/conftest.py: October 2026 of Xã Lục Ngạn and Xã Kép), the same whether the nightly rollup
(marketplace.reports.order_rollup) never ran, ran up to the middle of October or up to today."""

from datetime import date
from functools import partial

import pytest

from marketplace.reports import order_rollup, sales
from marketplace.reports.tables import Scope
from tests.reports.conftest import OCTOBER, commerce_by, commerce_table, commerce_untranslated

PLACE = ("orders", "units", "value", "cashless_count_share", "cashless_value_share")


def figures(row: dict, keys) -> tuple:
    return tuple(row[key] for key in keys)


# Where the rollup stands: never ran; ran up to 11 October (the orders of the 10th rolled, the deliveries of
# the 11th and 12th live); ran up to today.
ROLLUP_UNTIL = {"never": None, "middle": date(2026, 10, 11), "today": "today"}


@pytest.fixture(params=ROLLUP_UNTIL)
def rolled(request, commerce_world):
    until = ROLLUP_UNTIL[request.param]
    if until is not None:
        order_rollup.orders_rollup_refresh(until=None if until == "today" else until)
        assert order_rollup.orders_rolled_until() is not None
    return request.param


def test_one_commune_counts_its_orders_by_day_stall_method_and_delivery(
    commerce_world, rolled, django_assert_num_queries
):
    # One pass over the orders (grouped by day, stall and method at once), one over the deliveries.
    with django_assert_num_queries(2):
        panel = sales.orders_panel(commerce_world.commune, commerce_world.period)

    by_day = commerce_table(panel, "orders-by-day")
    assert len(by_day.rows) == 31  # every day of October, those without an order too
    days = {row["day"]: figures(row, ("orders", "units", "value")) for row in by_day.rows}
    assert days[date(2026, 10, 10)] == (2, 3, 150000)  # the cancelled order of that day is not counted
    assert days[date(2026, 10, 12)] == (1, 3, 300000)
    assert days[date(2026, 10, 1)] == (0, 0, 0)
    assert sum(row["orders"] for row in by_day.rows) == 3  # the September order is not either
    assert by_day.chart.kind == "line" and by_day.chart.series == ("orders",)

    by_place = commerce_table(panel, "orders-by-place")
    assert [row["place"] for row in by_place.rows] == ["HTX Lục Ngạn Xanh", "Vườn vải ông Thành"]  # by value
    # Of the lychee farm's two paid orders, one by VietQR: 50 % of the orders, 50.000 of 150.000 đồng.
    assert figures(by_place.rows[1], PLACE) == (2, 3, 150000, 50.0, 33.3)
    assert figures(by_place.rows[0], PLACE) == (1, 3, 300000, None, None)  # its transfer is not paid yet
    assert figures(by_place.total, PLACE) == (3, 6, 450000, 50.0, 33.3)

    methods = commerce_table(panel, "payment-methods")
    rows = commerce_by(methods, "key")
    keys = ("orders", "value", "count_share", "value_share")
    assert figures(rows["cod"], keys) == (1, 100000, 50.0, 66.7)
    assert figures(rows["vietqr"], keys) == (1, 50000, 50.0, 33.3)
    assert figures(rows["card"], keys) == (0, 0, 0.0, 0.0)
    assert rows["cod"]["method"] == "Trả tiền mặt khi nhận hàng"
    assert methods.chart.kind == "share"

    delivery = commerce_table(panel, "delivery")
    assert [figures(row, ("place", "delivered", "median_hours")) for row in delivery.rows] == [
        ("Vườn vải ông Thành", 2, 42.0)  # 24 and 60 hours
    ]
    assert figures(delivery.total, ("delivered", "median_hours")) == (2, 42.0)

    assert [figure.value for figure in panel.headline] == [3, 450000, 50.0, 33.3, 42.0]


def test_a_wider_scope_counts_orders_by_commune(commerce_world, rolled):
    platform = sales.orders_panel(commerce_world.platform, commerce_world.period)
    province = sales.orders_panel(commerce_world.province, commerce_world.period)

    for panel in (platform, province):
        by_place = commerce_table(panel, "orders-by-place")
        assert [figures(row, ("place", *PLACE)) for row in by_place.rows] == [
            ("Xã Lục Ngạn", 3, 6, 450000, 50.0, 33.3),
            ("Xã Kép", 1, 1, 40000, 100.0, 100.0),
        ]
        # 3 paid orders, 2 by VietQR: 66,7 %; 90.000 of 190.000 đồng: 47,4 %.
        assert figures(by_place.total, PLACE) == (4, 7, 490000, 66.7, 47.4)
        methods = commerce_by(commerce_table(panel, "payment-methods"), "key")
        assert figures(methods["vietqr"], ("orders", "count_share")) == (2, 66.7)
        delivery = commerce_table(panel, "delivery")
        assert figures(commerce_by(delivery)["Xã Kép"], ("delivered", "median_hours")) == (1, 24.0)
        assert figures(delivery.total, ("delivered", "median_hours")) == (3, 24.0)  # 24, 24 and 60 hours
    assert platform.tables == province.tables


@pytest.mark.django_db
def test_no_orders_yet_is_zero_with_the_same_queries(django_assert_num_queries):
    with django_assert_num_queries(2):
        panel = sales.orders_panel(Scope("Xã Lục Ngạn", (1,)), OCTOBER)

    assert [figure.value for figure in panel.headline] == [0, 0, None, None, None]
    assert len(commerce_table(panel, "orders-by-day").rows) == 31
    assert commerce_table(panel, "orders-by-place").rows == []
    assert str(panel.note) == "Chưa có đơn hàng nào trong thời gian này."


@pytest.mark.django_db
def test_every_word_is_translated():
    for scope in (Scope("Xã Lục Ngạn", (1,)), Scope("Toàn nền tảng", None)):
        assert commerce_untranslated(partial(sales.orders_panel, scope, OCTOBER)) == []
