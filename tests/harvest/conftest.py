"""Pre-orders for the stall's side of sale windows: real orders through the checkout (each buyer's own
name, phone, commune or pickup), with their ``seasons.PreOrder`` rows written as the checkout writes them."""

import pytest
from oscar.core.loading import get_class, get_model

from ground.phone import normalize_mobile
from marketplace.payments.checkout import Buyer, place_orders
from marketplace.payments.models import Checkout, OrderPayment
from marketplace.payments.services import card_payments_start, mark_deposit_paid, mark_paid
from seasons.models import PreOrder
from tests.conftest import STRIPE_MOCK_KEY, STRIPE_MOCK_URL, stripe_mock_answers  # noqa: F401
from tests.factories import make_product, make_window, seller_with_stall

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")


def preorder(
    window,
    quantity: int,
    *,
    name: str,
    phone: str,
    commune: str = "",
    province: str = "Bắc Giang",
    address: str = "",
    pickup: bool = False,
    method: str = OrderPayment.Method.COD,
    deposit: int = 0,
    deposit_paid: bool = False,
    paid: bool = False,
) -> OrderPayment:
    """One buyer's order of ``quantity`` from ``window`` (its product is in stock at the window's price)."""
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(window.product, quantity)
    buyer = Buyer(
        name=name,
        phone=normalize_mobile(phone),
        email="",
        delivery=Checkout.Delivery.PICKUP if pickup else Checkout.Delivery.DELIVERY,
        province_code=None if pickup else 24,
        province_name="" if pickup else province,
        commune_name="" if pickup else commune,
        address="" if pickup else address,
    )
    checkout = place_orders(basket=basket, buyer=buyer, methods={window.stall.pk: method}, user=None)
    payment = checkout.payments.select_related("order").get()
    if deposit:
        OrderPayment.objects.filter(pk=payment.pk).update(deposit=deposit)
    if method == OrderPayment.Method.CARD:
        card_payments_start(checkout=checkout)
    payment.refresh_from_db()
    for line in payment.order.lines.all():
        PreOrder.objects.create(
            window=window, order=payment.order, line=line, quantity=line.quantity, phone=buyer.phone
        )
    window.reserved += quantity
    window.save(update_fields=["reserved"])
    if deposit_paid:
        mark_deposit_paid(
            payment, source="stripe" if method == "card" else "bank", reference=payment.reference
        )
    if paid:
        mark_paid(payment, source="stripe" if method == "card" else "stall", reference=payment.reference)
    payment.refresh_from_db()
    return payment


@pytest.fixture
def lychee(db, make_storefront):
    """A verified stall selling lychee by the kg with a pickup point, and its open window of 500 kg at
    60.000 ₫, 20 % deposit."""
    make_storefront()
    owner, stall = seller_with_stall(
        pickup_point="Nhà văn hoá thôn Đồng",
        bank_bin="970405",
        bank_account_number="1234567890",
        bank_account_name="NGUYEN VAN HUNG",
    )
    stall.partner.name = "Vườn vải Hùng Lan"
    stall.partner.save(update_fields=["name"])
    product = make_product(stall=stall, price=60000, stock=10_000, title="Vải thiều", unit="kg")
    window = make_window(stall=stall, product=product, capacity=500, deposit_percent=20)
    return owner, stall, window
