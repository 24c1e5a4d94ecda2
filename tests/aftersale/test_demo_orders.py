"""The orders the after-sale tests and the demo start from are placed and delivered for real."""

import pytest

from ground import order_status
from marketplace.demo_orders import buy
from marketplace.payments.models import OrderPayment
from tests.factories import make_product, seller_with_stall

pytestmark = pytest.mark.django_db


def test_a_cash_order_is_delivered_and_paid():
    _seller, farm = seller_with_stall()
    lychee = make_product(stall=farm, title="Vải thiều", price=65000)
    (payment,) = buy([(lychee, 2)])
    assert payment.status == OrderPayment.Status.PAID
    assert {line.status for line in payment.order.lines.all()} == {order_status.DELIVERED}
    assert payment.amount >= 130000


def test_a_card_order_is_paid_through_stripe_mock(stripe_mock):
    _seller, farm = seller_with_stall()
    lychee = make_product(stall=farm, title="Vải thiều", price=65000)
    (payment,) = buy([(lychee, 1)], method="card", until="ship")
    assert payment.reference.startswith("pi_")
    assert payment.status == OrderPayment.Status.PAID
