"""Shared fixtures of the pre-order tests: a cooperative with a bank account, its lychee out of stock
and a sale window open today (harvest 05/06–20/07/2027)."""

from datetime import date

import pytest
from oscar.core.loading import get_class, get_model

from marketplace.checkout.preorders import preorder_line_add
from marketplace.payments.checkout import Buyer
from marketplace.payments.models import Checkout
from tests.conftest import STRIPE_MOCK_KEY, STRIPE_MOCK_URL, WEBHOOK_SECRET, stripe_mock_answers  # noqa: F401
from tests.factories import StallFactory, make_product, make_window

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")


def buyer(phone: str = "+84912345678") -> Buyer:
    return Buyer(
        name="Trần Thị Mai",
        phone=phone,
        email="",
        delivery=Checkout.Delivery.DELIVERY,
        province_code=24,
        province_name="Bắc Ninh",
        commune_code=7582,
        commune_name="Xã Lục Ngạn",
        address="Thôn Kép 1",
    )


def preorder_basket(window, quantity: int) -> Basket:
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    preorder_line_add(basket=basket, window=window, quantity=quantity)
    return basket


@pytest.fixture
def coop():
    return StallFactory(
        partner__name="HTX Lục Ngạn Xanh",
        bank_bin="970436",
        bank_account_number="0011001234567",
        bank_account_name="HTX LUC NGAN XANH",
        delivery_fee=25000,
    )


@pytest.fixture
def window(coop):
    lychee = make_product(stall=coop, title="Vải thiều Lục Ngạn", price=80000, stock=0, unit="kg")
    return make_window(
        stall=coop,
        product=lychee,
        capacity=100,
        price=60000,
        harvest_from=date(2027, 6, 5),
        harvest_to=date(2027, 7, 20),
    )
