"""Three stalls: two in Bắc Ninh (province 24), one in Thái Nguyên (19); vouchers made through the service."""

from datetime import timedelta

import pytest
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from marketplace.payments.checkout import Buyer
from marketplace.payments.models import Checkout
from marketplace.promotions import services
from tests.factories import CommuneFactory, StallFactory, make_product

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")

BUYER = Buyer(
    name="Trần Thị Mai",
    phone="+84912345678",
    email="",
    delivery=Checkout.Delivery.DELIVERY,
    province_code=24,
    province_name="Bắc Ninh",
    address="Thôn Kép 1",
)


def basket_with(*items, vouchers=()):
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    for product, quantity in items:
        basket.add_product(product, quantity)
    for funding in vouchers:
        basket.vouchers.add(funding.voucher)
    return basket


def make_voucher(code, *, funder="stall", stall=None, discount="amount", value=20000, **fields):
    today = timezone.localdate()
    values = {
        "starts_on": today - timedelta(days=1),
        "ends_on": today + timedelta(days=30),
        "created_by": None,
    }
    if funder == "province":
        values |= {"province_code": 24, "province_name": "Bắc Ninh"}
    values |= fields
    return services.voucher_create(
        code=code, funder=funder, stall=stall, discount=discount, value=value, **values
    )


@pytest.fixture
def shop():
    """Vườn vải Hùng Lan (vải 100.000 ₫/kg, delivery 30.000 ₫), Vườn bưởi cô Lan (bưởi 50.000 ₫, free
    delivery), both in Bắc Ninh; Chè Tân Cương (chè 200.000 ₫) in Thái Nguyên. All take VietQR."""
    bank = {
        "bank_bin": "970436",
        "bank_account_number": "0011001234567",
        "bank_account_name": "HO KINH DOANH",
    }
    bac_ninh = CommuneFactory(province_code=24, province_name="Bắc Ninh")
    thai_nguyen = CommuneFactory(province_code=19, province_name="Thái Nguyên")
    lychee_stall = StallFactory(
        partner__name="Vườn vải Hùng Lan", commune=bac_ninh, delivery_fee=30000, **bank
    )
    pomelo_stall = StallFactory(partner__name="Vườn bưởi cô Lan", commune=bac_ninh, delivery_fee=0, **bank)
    tea_stall = StallFactory(partner__name="Chè Tân Cương", commune=thai_nguyen, delivery_fee=0, **bank)
    return {
        "lychee_stall": lychee_stall,
        "pomelo_stall": pomelo_stall,
        "tea_stall": tea_stall,
        "lychee": make_product(stall=lychee_stall, title="Vải thiều", price=100000, stock=50),
        "pomelo": make_product(stall=pomelo_stall, title="Bưởi Diễn", price=50000, stock=50),
        "tea": make_product(stall=tea_stall, title="Chè Tân Cương", price=200000, stock=50),
    }
