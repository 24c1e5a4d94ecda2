"""Orders placed and moved along as a buyer and a stall would, for the demo and the tests of what
happens after a sale (reviews, complaints, refunds): the real checkout, the stall's real steps."""

from django.conf import settings
from oscar.core.loading import get_class, get_model

from ground.phone import normalize_mobile
from marketplace.orders.actions import stall_order_advance
from marketplace.payments.checkout import Buyer, place_orders
from marketplace.payments.models import Checkout, OrderPayment
from marketplace.payments.services import card_payments_start, mark_paid

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")

STEPS = ("confirm", "ship", "deliver")


def buy(
    items,
    *,
    name: str = "Trần Thị Mai",
    phone: str = "0912 345 678",
    method: str = OrderPayment.Method.COD,
    user=None,
    until: str | None = "deliver",
    paid: bool | None = None,
    actor=None,
) -> list[OrderPayment]:
    """Place one checkout of ``items`` ((product, quantity) pairs), each stall's order paid by
    ``method``; each stall then takes its steps up to ``until`` ("confirm", "ship", "deliver", or None).
    ``paid`` (default: a card is paid, cash on delivery once delivered, a transfer not) records the
    money as Stripe's webhook, or the stall, would. A card needs STRIPE_SECRET_KEY (stripe-mock).
    ``actor`` takes the stall's steps when its owner is not the one (a demo stall without an owner)."""
    basket = Basket.objects.create(owner=user if user is not None and user.is_authenticated else None)
    basket.strategy = Selector().strategy()
    for product, quantity in items:
        basket.add_product(product, quantity)
    buyer = Buyer(
        name=name,
        phone=normalize_mobile(phone),
        email="",
        delivery=Checkout.Delivery.DELIVERY,
        province_code=24,
        province_name="Bắc Ninh",
        address="Thôn Kép 1",
    )
    stalls = {line.stockrecord.partner.stall for line in basket.all_lines()}
    checkout = place_orders(
        basket=basket, buyer=buyer, methods={stall.pk: method for stall in stalls}, user=user
    )
    if method == OrderPayment.Method.CARD:
        if not settings.STRIPE_SECRET_KEY:
            raise RuntimeError("a card order needs STRIPE_SECRET_KEY (stripe-mock in tests)")
        card_payments_start(checkout=checkout)
    payments = list(checkout.payments.select_related("order", "stall").order_by("pk"))
    for payment in payments:
        owner = actor or payment.stall.owner
        for step in STEPS[: STEPS.index(until) + 1] if until else ():
            stall_order_advance(stall=payment.stall, order=payment.order, action=step, actor=owner)
        if paid if paid is not None else (method == "card" or (method == "cod" and until == "deliver")):
            payment.refresh_from_db()
            source = "stripe" if method == OrderPayment.Method.CARD else "stall"
            mark_paid(
                payment,
                source=source,
                reference=payment.reference,
                actor=owner if source == "stall" else None,
            )
        payment.refresh_from_db()
    return payments
