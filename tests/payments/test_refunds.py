"""Issue #17: money back to the buyer. A card refund through Stripe's Refund API (stripe-mock), a
transfer or cash refund recorded by the stall with a photo and confirmed by the buyer; never more than
was paid, not even in a parallel burst; the ``charge.refunded`` webhook settles a refund once; a
refunded order is never "paid" again; the buyer's timeline and the stall's figures show it."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from ground import order_status
from marketplace.demo_orders import buy
from marketplace.payments import card
from marketplace.payments.models import OrderPayment, Refund
from marketplace.payments.refunds import RefundProblem, refund_card, refund_confirm, refund_record, refundable
from marketplace.payments.services import checkout_payments, mark_paid
from sellers.orders import stall_takings
from tests.conftest import WEBHOOK_SECRET
from tests.factories import burst, make_product, seller_with_stall

pytestmark = pytest.mark.django_db


def photo(name="bien-lai.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def farm():
    seller, stall = seller_with_stall()
    return seller, make_product(stall=stall, title="Vải thiều Lục Ngạn", price=50000)


@pytest.fixture
def card_order(farm, stripe_mock):
    seller, lychee = farm
    (payment,) = buy([(lychee, 2)], method="card")
    return seller, payment


@pytest.fixture
def cash_order(farm):
    seller, lychee = farm
    (payment,) = buy([(lychee, 2)])
    return seller, payment


def timeline_labels(payment) -> list[str]:
    (shown,) = [p for p in checkout_payments(payment.checkout) if p.pk == payment.pk]
    return [step["label"] for step in shown.steps if step["done"]]


def test_a_card_order_is_refunded_in_part_then_in_full_through_stripe(card_order, outbox, committed):
    seller, payment = card_order
    paid = payment.amount

    with committed():
        refund = refund_card(payment, 30000, actor=seller, reason="Vải bị dập")

    assert refund.status == Refund.Status.SUCCEEDED and refund.stripe_id.startswith("re_")
    payment.refresh_from_db()
    assert payment.status == OrderPayment.Status.PARTLY_REFUNDED and payment.refunded == 30000
    assert refundable(payment) == paid - 30000
    assert "Đã hoàn 30.000 ₫" in timeline_labels(payment)
    assert any("đã hoàn cho bạn 30.000 ₫" in message.text for message in outbox)
    events = payment.order.payment_events.filter(event_type__code=order_status.REFUNDED)
    assert [int(event.amount) for event in events] == [30000]

    refund_card(payment, paid - 30000, actor=seller)
    payment.refresh_from_db()
    payment.order.refresh_from_db()
    assert payment.status == OrderPayment.Status.REFUNDED and payment.refunded == paid
    assert payment.order.status == order_status.REFUNDED


def test_a_refund_above_what_was_paid_is_refused_and_nothing_is_saved(card_order):
    seller, payment = card_order
    with pytest.raises(RefundProblem, match="tối đa"):
        refund_card(payment, payment.amount + 1, actor=seller)
    refund_card(payment, payment.amount - 1000, actor=seller)
    with pytest.raises(RefundProblem, match="tối đa 1.000 ₫"):
        refund_card(payment, 2000, actor=seller)
    assert payment.refunds.count() == 1
    for amount in (0, -5, 1.5, "1000"):
        with pytest.raises(RefundProblem):
            refund_card(payment, amount, actor=seller)


def test_an_unpaid_order_has_nothing_to_refund(farm):
    seller, lychee = farm
    (payment,) = buy([(lychee, 1)], until="ship")  # cash on delivery: nothing paid before delivery
    assert refundable(payment) == 0
    with pytest.raises(RefundProblem, match="chưa được thanh toán"):
        refund_record(payment, 1000, method=Refund.Method.CASH, proof=photo(), actor=seller)
    assert not Refund.objects.exists()


def test_a_cash_refund_counts_once_the_buyer_confirms(cash_order, outbox, committed):
    seller, payment = cash_order
    with committed():
        refund = refund_record(payment, 20000, method=Refund.Method.CASH, proof=photo(), actor=seller)

    assert refund.status == Refund.Status.AWAITING_BUYER and refund.proof.name.startswith("refunds/")
    assert "bien-lai" not in refund.proof.name  # a name nobody can guess
    assert any("xác nhận đã nhận được tiền" in message.text for message in outbox)
    payment.refresh_from_db()
    assert payment.status == OrderPayment.Status.PAID  # not yet: the buyer has not said so
    assert refundable(payment) == payment.amount - 20000  # but the amount is held

    assert refund_confirm(refund) is True
    assert refund_confirm(refund) is False  # a second tap changes nothing
    payment.refresh_from_db()
    assert payment.status == OrderPayment.Status.PARTLY_REFUNDED and payment.refunded == 20000
    assert payment.order.payment_events.filter(event_type__code=order_status.REFUNDED).count() == 1


def test_a_recorded_refund_needs_a_photo_that_is_a_photo(cash_order):
    seller, payment = cash_order
    with pytest.raises(RefundProblem, match="Thêm ảnh"):
        refund_record(payment, 1000, method=Refund.Method.CASH, proof=None, actor=seller)
    fake = SimpleUploadedFile("bien-lai.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(RefundProblem, match="không phải là ảnh|not a photo"):
        refund_record(payment, 1000, method=Refund.Method.CASH, proof=fake, actor=seller)
    with pytest.raises(RefundProblem):
        refund_record(payment, 1000, method=Refund.Method.CARD, proof=photo(), actor=seller)
    assert not Refund.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_parallel_burst_of_refunds_never_gives_back_more_than_was_paid(farm):
    seller, lychee = farm
    (payment,) = buy([(lychee, 2)])
    share = payment.amount // 3 + 1  # three of them would be more than was paid

    def attempt(_i):
        try:
            return refund_record(payment, share, method=Refund.Method.CASH, proof=photo(), actor=seller)
        except RefundProblem:
            return None

    made = [refund for refund in burst(attempt, 8) if refund is not None]
    assert len(made) == 2
    for refund in made:
        refund_confirm(refund)
    payment.refresh_from_db()
    assert payment.refunded == 2 * share <= payment.amount


def deliver_webhook(event: dict):
    body = json.dumps(event).encode()
    return Client().post(
        "/shop/checkout/webhook/stripe/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=card.signed_header(body, WEBHOOK_SECRET),
    )


def charge_refunded(event_id: str, payment, refunds: list[dict]) -> dict:
    return {
        "id": event_id,
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_test",
                "object": "charge",
                "payment_intent": payment.reference,
                "amount_refunded": sum(item["amount"] for item in refunds),
                "refunds": {"object": "list", "data": refunds},
            }
        },
    }


def test_the_charge_refunded_webhook_settles_a_pending_refund_once(card_order):
    seller, payment = card_order
    pending = Refund.objects.create(
        payment=payment, amount=15000, method=Refund.Method.CARD, stripe_id="re_pending_1", created_by=seller
    )
    event = charge_refunded(
        "evt_refund_1", payment, [{"id": "re_pending_1", "amount": 15000, "status": "succeeded"}]
    )

    assert deliver_webhook(event).json() == {"status": "ok", "settled": 1}
    replay = deliver_webhook(event)
    assert replay.json()["status"] == "already processed"
    # The same refund in another event (Stripe resends charges with every new refund): settled already.
    again = deliver_webhook({**event, "id": "evt_refund_2"})
    assert again.json() == {"status": "ok", "settled": 0}

    pending.refresh_from_db()
    payment.refresh_from_db()
    assert pending.status == Refund.Status.SUCCEEDED
    assert payment.refunded == 15000 and payment.status == OrderPayment.Status.PARTLY_REFUNDED
    assert payment.order.payment_events.filter(event_type__code=order_status.REFUNDED).count() == 1


def test_a_refund_made_in_stripes_dashboard_is_recorded_too(card_order):
    _seller, payment = card_order
    event = charge_refunded(
        "evt_refund_3", payment, [{"id": "re_dash", "amount": 10000, "status": "succeeded"}]
    )
    assert deliver_webhook(event).json()["settled"] == 1
    payment.refresh_from_db()
    assert payment.refunded == 10000
    assert Refund.objects.get(stripe_id="re_dash").status == Refund.Status.SUCCEEDED


def test_a_failed_refund_frees_its_amount(card_order):
    seller, payment = card_order
    Refund.objects.create(payment=payment, amount=payment.amount, method="card", stripe_id="re_fails")
    assert refundable(payment) == 0
    event = {
        "id": "evt_refund_failed",
        "type": "charge.refund.updated",
        "data": {
            "object": {"id": "re_fails", "payment_intent": payment.reference, "amount": 1, "status": "failed"}
        },
    }
    assert deliver_webhook(event).status_code == 200
    assert refundable(payment) == payment.amount


def test_a_refunded_order_is_never_paid_again(card_order):
    seller, payment = card_order
    refund_card(payment, 10000, actor=seller)
    payment.refresh_from_db()
    # A late or replayed "payment succeeded" (a new event id) must not turn it back to "paid".
    assert mark_paid(payment, source="stripe") is False
    succeeded = {
        "id": "evt_late_success",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": payment.reference, "amount": payment.amount, "metadata": {}}},
    }
    deliver_webhook(succeeded)
    payment.refresh_from_db()
    assert payment.status == OrderPayment.Status.PARTLY_REFUNDED


def test_the_stalls_figures_show_the_refund(cash_order):
    seller, payment = cash_order
    before = stall_takings(payment.stall)
    refund_confirm(refund_record(payment, 20000, method=Refund.Method.CASH, proof=photo(), actor=seller))
    after = stall_takings(payment.stall)
    assert after["refunded"] == 20000 and after["month_net"] == before["month"] - 20000
    page = Client()
    page.force_login(seller)
    html = page.get(f"/ban-hang/gian-hang/{payment.stall.pk}/").content.decode()
    assert "Đã hoàn cho người mua tháng này" in html and "20.000" in html


def test_the_buyer_sees_the_refund_on_the_order(cash_order):
    seller, payment = cash_order
    refund_confirm(refund_record(payment, 20000, method=Refund.Method.CASH, proof=photo(), actor=seller))
    buyer = Client()
    response = buyer.post("/shop/track/", {"number": payment.order.number, "phone": "0912 345 678"})
    html = response.content.decode()
    assert "Đã hoàn một phần" in html and "Đã hoàn 20.000 ₫" in html
    assert "Đã thanh toán. Cảm ơn bạn." not in html
