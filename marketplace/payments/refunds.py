"""Money back to the buyer of one stall's order, all of it or part.

- A **card** refund goes through Stripe's Refund API (:func:`refund_card`). Stripe usually answers
  "succeeded" at once; a "pending" one is settled by the ``charge.refunded`` webhook
  (``notifications.py``), once.
- A **transfer or cash** refund is made by the stall outside the platform: the stall records it with a
  photo as proof (:func:`refund_record`) and the buyer confirms the money arrived (:func:`refund_confirm`).

Every refund first *holds* its amount: it is created under a lock on the order's payment, and only when
what was paid, less every refund not failed, covers it (:func:`refundable`). So two stalls' staff,
two tabs or a parallel burst can never give back more than was paid; a database constraint on
``OrderPayment.refunded`` is the last guard. A refund is *settled* (:func:`_settle`) in one
transaction that writes the payment's refunded total and status ("partly refunded", "refunded": such
an order is never "paid" again), Oscar's payment event "refunded" (the stall's figures read it), and
then tells the buyer by text.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from ground import order_status
from ground.images import clean_photo
from ground.money import format_vnd
from ground.storage import random_name
from marketplace.payments import card
from marketplace.payments.buyers import order_link
from marketplace.payments.models import OrderPayment, Refund
from marketplace.payments.services import tell_buyer
from sellers.orders import stall_lines

logger = logging.getLogger(__name__)
Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

# Refunds that hold their amount: done, or under way.
HOLDING = (Refund.Status.PENDING, Refund.Status.AWAITING_BUYER, Refund.Status.SUCCEEDED)


class RefundProblem(Exception):
    """Why this refund cannot be made, in words for the person who asked; nothing was saved."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# A pre-order's paid deposit can go back too (a cancelled sale window), up to the deposit.
REFUNDABLE = (*OrderPayment.MONEY_RECEIVED, OrderPayment.Status.DEPOSIT_PAID)


def refundable(payment: OrderPayment) -> int:
    """Đồng that can still go back: what was paid (only the deposit when only it came), less every
    refund done or under way."""
    if payment.status not in REFUNDABLE:
        return 0
    held = payment.refunds.filter(status__in=HOLDING).aggregate(total=Sum("amount"))["total"] or 0
    return max(payment.received - held, 0)


def _hold(
    payment: OrderPayment, amount, *, method: str, status: str, actor, reason: str, proof=None
) -> Refund:
    """The new refund, created only if what is left of the payment covers it (under the payment's lock)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise RefundProblem(_("Enter the amount to refund, in đồng."))
    with transaction.atomic():
        payment = OrderPayment.objects.select_for_update().get(pk=payment.pk)
        if payment.status not in REFUNDABLE:
            raise RefundProblem(_("This order is not paid yet: there is nothing to refund."))
        left = refundable(payment)
        if amount > left:
            raise RefundProblem(
                _("At most %(left)s can still be refunded for this order (%(paid)s was paid).")
                % {"left": format_vnd(left), "paid": format_vnd(payment.received)}
            )
        refund = Refund(
            payment=payment,
            amount=amount,
            method=method,
            status=status,
            reason=reason[:300],
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        if proof is not None:
            refund.proof.save(random_name("refunds", "jpg"), proof, save=False)
        refund.save()
        return refund


def refund_card(payment: OrderPayment, amount: int, *, actor, reason: str = "") -> Refund:
    """Give ``amount`` đồng back to the card that paid ``payment``, through Stripe."""
    if payment.method != OrderPayment.Method.CARD or not payment.reference.startswith("pi_"):
        raise RefundProblem(_("This order was not paid by card: record the refund with a photo instead."))
    refund = _hold(
        payment, amount, method=Refund.Method.CARD, status=Refund.Status.PENDING, actor=actor, reason=reason
    )
    # Stripe is called after the hold is written: the held amount keeps a parallel refund out meanwhile.
    # A caller may hold a transaction of its own (a complaint's lock): should it roll back after Stripe
    # said yes, the charge.refunded webhook records the refund as one made outside (notifications.py).
    try:
        answer = card.create_refund(
            intent_id=payment.reference,
            amount_vnd=amount,
            idempotency_key=f"refund-{refund.pk}",
            metadata={"refund": refund.pk, "order_number": payment.order.number},
        )
    except card.CardError as error:
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED, error=error.message[:300])
        raise RefundProblem(
            _("The card refund did not go through: %(reason)s. Nothing was refunded; try again later.")
            % {"reason": error.message}
        ) from error
    Refund.objects.filter(pk=refund.pk).update(stripe_id=answer["id"])
    refund.stripe_id = answer["id"]
    if answer["status"] == "succeeded":
        settle(refund)
    elif answer["status"] in ("failed", "canceled"):
        fail(refund, error=answer["status"])
        raise RefundProblem(_("The card refund was refused by the bank. Nothing was refunded."))
    refund.refresh_from_db()
    return refund


def refund_record(
    payment: OrderPayment, amount: int, *, method: str, proof, actor, reason: str = ""
) -> Refund:
    """The stall gave ``amount`` đồng back itself (a transfer or cash), with a photo as proof; it counts
    once the buyer confirms (:func:`refund_confirm`)."""
    if method not in (Refund.Method.TRANSFER, Refund.Method.CASH):
        raise RefundProblem(_("Choose how the money was given back: bank transfer or cash."))
    if proof is None:
        raise RefundProblem(_("Add a photo of the transfer receipt or of the cash handed back."))
    try:
        photo = clean_photo(proof)
    except ValidationError as error:
        raise RefundProblem(error.messages[0]) from error
    refund = _hold(
        payment,
        amount,
        method=method,
        status=Refund.Status.AWAITING_BUYER,
        actor=actor,
        reason=reason,
        proof=photo,
    )
    order = payment.order
    checkout = payment.checkout
    transaction.on_commit(
        lambda: tell_buyer(
            checkout,
            _(
                "Chợ OCOP: the stall says it gave back %(amount)s for order %(number)s. "
                "Please confirm you received it: %(url)s"
            )
            # Straight to the order's complaint box, where the "I received it" button is.
            % {
                "amount": format_vnd(amount),
                "number": order.number,
                "url": order_link(checkout, part=f"khieu-nai-{order.number}"),
            },
        )
    )
    return refund


def refund_confirm(refund: Refund) -> bool:
    """The buyer says the money arrived: the refund counts. True only the first time."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status != Refund.Status.AWAITING_BUYER:
            return False
        settle(refund)
    return True


def settle(refund: Refund) -> bool:
    """The refund is done: the payment's refunded total and status, Oscar's "refunded" payment event,
    and a text to the buyer. True only the first time (a webhook replay or a second tap changes nothing)."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund.pk)
        if refund.status == Refund.Status.SUCCEEDED:
            return False
        payment = (
            OrderPayment.objects.select_for_update()
            .select_related("order", "checkout")
            .get(pk=refund.payment_id)
        )
        refund.status = Refund.Status.SUCCEEDED
        refund.settled_at = timezone.now()
        refund.save(update_fields=["status", "settled_at"])
        payment.refunded += refund.amount
        whole = payment.refunded >= payment.received  # a pre-order's deposit alone, all of it back
        payment.status = OrderPayment.Status.REFUNDED if whole else OrderPayment.Status.PARTLY_REFUNDED
        payment.save(update_fields=["refunded", "status"])
        event_type, _created = PaymentEventType.objects.get_or_create(
            code=order_status.REFUNDED, defaults={"name": _("Refunded")}
        )
        event = PaymentEvent.objects.create(
            order=payment.order, amount=refund.amount, event_type=event_type, reference=f"refund-{refund.pk}"
        )
        lines = list(stall_lines(payment.stall).filter(order=payment.order))
        PaymentEventQuantity.objects.bulk_create(
            PaymentEventQuantity(event=event, line=line, quantity=line.quantity) for line in lines
        )
        if whole:
            # Oscar's order status (its dashboard shows it) says so too; the lines keep their steps.
            Order.objects.filter(pk=payment.order_id).update(status=order_status.REFUNDED)
        amount, number, checkout = refund.amount, payment.order.number, payment.checkout
        transaction.on_commit(
            lambda: tell_buyer(
                checkout,
                _("Chợ OCOP: %(amount)s of order %(number)s was refunded to you.")
                % {"amount": format_vnd(amount), "number": number},
            )
        )
    return True


def fail(refund: Refund, *, error: str = "") -> bool:
    """A refund that did not happen: its amount is free again. True only the first time."""
    updated = Refund.objects.filter(
        pk=refund.pk, status__in=(Refund.Status.PENDING, Refund.Status.AWAITING_BUYER)
    ).update(status=Refund.Status.FAILED, error=error[:300])
    return bool(updated)
