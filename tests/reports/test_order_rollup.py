"""The nightly rollup of the orders (marketplace.reports.order_rollup): the same counts as the orders
themselves, on local days, counted again for RECOMPUTE_DAYS days and final after, once each even when two
refreshes run at once; and the median time to delivery read from the orders per whole hour."""

from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from ground import order_status
from marketplace.payments.models import OrderPayment
from marketplace.reports import order_rollup, sales
from marketplace.reports.models import DeliveryDay, OrderDay, RollupState
from marketplace.reports.tables import Period, Scope
from tests.factories import CommuneFactory, StallFactory, burst, make_product, seller_with_stall
from tests.reports.conftest import BANK, commerce_order

Order = get_model("order", "Order")

FIGURES = ("orders", "units", "value", "paid", "paid_cashless", "paid_value", "paid_cashless_value")


def local(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def rolled_days() -> dict:
    """The OrderDay rows as {(day, method): figures}."""
    return {
        (row["day"], row["method"]): tuple(row[name] for name in FIGURES)
        for row in OrderDay.objects.values("day", "method", *FIGURES)
    }


def build_orders():
    """One stall: three days ago a cash order of 2 × 50.000 at 10:00 (delivered 24 hours later) and a
    VietQR order of 1 × 50.000 at 23:30 not paid yet; 40 days ago a cash order of 1 × 50.000."""
    today = timezone.localdate()
    commune = CommuneFactory(name="Xã Lục Ngạn")
    _owner, stall = seller_with_stall(
        commune=commune, partner__name="Vườn vải", village="", delivery_fee=0, **BANK
    )
    lychee = make_product(stall=stall, title="Vải thiều", price=50000)
    recent, old = today - timedelta(days=3), today - timedelta(days=40)
    return SimpleNamespace(
        today=today,
        recent=recent,
        old=old,
        stall=stall,
        scope=Scope("Xã Lục Ngạn", (commune.pk,)),
        cash=commerce_order(lychee, 2, placed=local(recent, 10), delivered=local(recent + timedelta(1), 10)),
        late=commerce_order(
            lychee, 1, placed=local(recent, 23, 30), method="vietqr", until="confirm", paid=False
        ),
        old_order=commerce_order(lychee, 1, placed=local(old, 9), until="confirm", paid=False),
    )


@pytest.fixture
def orders(db):
    return build_orders()


def test_the_rollup_equals_the_orders_and_keeps_local_days(orders):
    period = Period(orders.old, orders.today)
    live = sales.orders_panel(orders.scope, period)

    assert order_rollup.orders_rollup_behind()
    assert order_rollup.orders_rollup_refresh() == 40  # from the old order's day to yesterday
    assert not order_rollup.orders_rollup_behind()
    assert order_rollup.orders_rollup_behind(orders.today + timedelta(days=1))  # due again tomorrow
    assert RollupState.objects.get(name="orders").rolled_until == orders.today

    # The VietQR order placed at 23:30 local time (16:30 UTC) is on its own local day.
    assert rolled_days() == {
        (orders.recent, "cod"): (1, 2, 100000, 1, 0, 100000, 0),
        (orders.recent, "vietqr"): (1, 1, 50000, 0, 0, 0, 0),
        (orders.old, "cod"): (1, 1, 50000, 0, 0, 0, 0),
    }
    assert list(DeliveryDay.objects.values_list("day", "hours", "orders")) == [
        (orders.recent + timedelta(days=1), 24, 1)
    ]
    assert sales.orders_panel(orders.scope, period) == live


def test_a_change_to_a_recent_order_shows_after_the_next_refresh_an_old_day_is_final(orders):
    order_rollup.orders_rollup_refresh()
    # Three days later the transfer is confirmed and the cash order cancelled; the 40-day-old order too.
    OrderPayment.objects.filter(pk=orders.late.pk).update(status=OrderPayment.Status.PAID)
    Order.objects.filter(pk__in=[orders.cash.order_id, orders.old_order.order_id]).update(
        status=order_status.CANCELLED
    )
    assert rolled_days()[(orders.recent, "vietqr")] == (1, 1, 50000, 0, 0, 0, 0)  # not yet

    assert order_rollup.orders_rollup_refresh() == order_rollup.RECOMPUTE_DAYS

    assert rolled_days() == {
        (orders.recent, "vietqr"): (1, 1, 50000, 1, 1, 50000, 50000),
        (orders.old, "cod"): (1, 1, 50000, 0, 0, 0, 0),  # older than 35 days: not counted again
    }
    assert not DeliveryDay.objects.exists()  # the delivered order is cancelled now


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_count_each_order_once():
    orders = build_orders()

    results = burst(lambda _i: order_rollup.orders_rollup_refresh(), 2)

    assert len(results) == 2  # both ran, one batch after the other
    assert sum(OrderDay.objects.values_list("orders", flat=True)) == 3
    assert rolled_days()[(orders.recent, "cod")] == (1, 2, 100000, 1, 0, 100000, 0)
    assert DeliveryDay.objects.get().orders == 1


@pytest.mark.django_db
def test_the_median_is_read_from_the_orders_per_hour():
    stall = StallFactory(partner__name="Vườn vải")
    scope = Scope("Xã", (stall.commune_id,))
    day = timezone.localdate() - timedelta(days=5)
    RollupState.objects.create(name="orders", rolled_until=timezone.localdate())

    def delivered(hours: int, orders: int = 1) -> None:
        DeliveryDay.objects.create(
            day=day, commune_id=stall.commune_id, stall=stall, hours=hours, orders=orders
        )

    def median() -> tuple:
        table = sales._delivery_table(scope, Period(day, day))
        return table.total["delivered"], table.total["median_hours"], table.rows[0]["median_hours"]

    for hours in (10, 20, 31, 41):
        delivered(hours)
    assert median() == (4, 25.5, 25.5)  # even: the mean of the middle two
    delivered(50)
    assert median() == (5, 31.0, 31.0)  # odd: the middle one
    delivered(5, orders=4)
    assert median() == (9, 10.0, 10.0)  # 5 5 5 5 10 20 31 41 50
