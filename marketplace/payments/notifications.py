"""Payment notifications: Stripe's events and a bank's transfer notices, each matched to one order's
payment and recorded once. The views hand over the body and the signature; each function answers
with the HTTP status and what to say, and runs in one transaction, so a failure forgets the
notification and the sender's retry is handled."""

import hmac
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from marketplace.payments import card, refunds
from marketplace.payments.models import OrderPayment, Refund
from marketplace.payments.services import bank_signature, first_time, mark_failed, money_arrived

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict = field(default_factory=dict)
    rejected: str = ""  # set when the notification itself is refused (said as plain text)


NOT_CONFIGURED = Answer(503, {"status": "not configured"})


def stripe_event_receive(*, body: bytes, signature: str | None) -> Answer:
    if not settings.STRIPE_WEBHOOK_SECRET:
        return NOT_CONFIGURED
    try:
        event = card.verify_webhook(body, signature)
    except ValueError as error:  # WebhookSignatureError included
        return Answer(400, rejected=f"Rejected: {error}")
    with transaction.atomic():
        return _stripe_event_handle(event)


def _stripe_event_handle(event: dict) -> Answer:
    if not first_time("stripe", event.get("id", "")):
        return Answer(200, {"status": "already processed"})
    kind = event.get("type", "")
    intent = event.get("data", {}).get("object", {})
    if kind in ("charge.refunded", "charge.refund.updated", "refund.updated", "refund.failed"):
        return _stripe_refund_events(kind, intent)
    if kind not in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        return Answer(200, {"status": "ignored", "type": kind})
    payment = _card_payment(intent)
    if payment is None:
        return Answer(404, {"status": "unknown order", "payment_intent": intent.get("id")})
    if kind == "payment_intent.succeeded":
        received = int(intent.get("amount_received") or intent.get("amount") or 0)
        # The deposit of a pre-order while one is due, else the whole amount.
        if money_arrived(payment, received, source="stripe", reference=intent.get("id", "")) is None:
            logger.error("Stripe amount %s differs from order %s", intent.get("amount"), payment.order.number)
            return Answer(400, {"status": "amount mismatch"})
    else:
        mark_failed(payment, reference=intent.get("id", ""))
    return Answer(200, {"status": "ok"})


def _stripe_refund_events(kind: str, thing: dict) -> Answer:
    """``charge.refunded`` carries the charge with its refunds; the others one refund. A refund we
    asked for is settled (or failed) once; one made in Stripe's own dashboard is recorded as well."""
    if kind == "charge.refunded":
        intent_id = thing.get("payment_intent") or ""
        stripe_refunds = (thing.get("refunds") or {}).get("data") or []
    else:
        intent_id = thing.get("payment_intent") or ""
        stripe_refunds = [thing]
    payment = _card_payment({"id": intent_id, "metadata": {}})
    if payment is None:
        return Answer(404, {"status": "unknown order", "payment_intent": intent_id})
    settled = 0
    for item in stripe_refunds:
        stripe_id, status, amount = item.get("id") or "", item.get("status"), int(item.get("amount") or 0)
        refund = Refund.objects.filter(stripe_id=stripe_id).first() if stripe_id else None
        left = payment.received - payment.refunded  # a deposit alone: up to it
        if refund is None and status == "succeeded" and min(amount, left) > 0 and stripe_id:
            # Refunded in Stripe's dashboard: Stripe never refunds more than was charged.
            refund = Refund.objects.create(
                payment=payment,
                amount=min(amount, left),
                method=Refund.Method.CARD,
                status=Refund.Status.PENDING,
                stripe_id=stripe_id,
                reason="Stripe",
            )
        if refund is None or refund.payment_id != payment.pk:
            continue
        if status == "succeeded":
            settled += refunds.settle(refund)
        elif status in ("failed", "canceled"):
            refunds.fail(refund, error=status)
    return Answer(200, {"status": "ok", "settled": settled})


def _card_payment(intent: dict) -> OrderPayment | None:
    payments = OrderPayment.objects.filter(method=OrderPayment.Method.CARD).select_related(
        "order", "checkout"
    )
    number = (intent.get("metadata") or {}).get("order_number")
    return payments.filter(reference=intent.get("id") or "-").first() or (
        payments.filter(order__number=number).first() if number else None
    )


def bank_notice_receive(*, body: bytes, signature: str) -> Answer:
    """A bank's notice of a transfer (the interface for an automatic VietQR confirmation):
    JSON {"id", "account", "amount", "content"} signed with HMAC-SHA256 of the body.
    The transfer must reach the stall's own account, with the exact amount, and its content must
    carry both the order number and the checkout reference (both are in the QR's content)."""
    if not settings.BANK_WEBHOOK_SECRET:
        return NOT_CONFIGURED
    if not hmac.compare_digest(bank_signature(body).encode(), signature.encode("ascii", "replace")):
        return Answer(400, rejected="Rejected: bad signature")
    try:
        notice = json.loads(body)
        transfer_id, account = str(notice["id"]), str(notice["account"])
        amount, content = notice["amount"], str(notice["content"])
    except (ValueError, KeyError, TypeError):
        return Answer(400, rejected="Rejected: expected JSON with id, account, amount and content")
    if type(amount) is not int or amount <= 0:  # đồng are whole: 100000.9 or "100000" is not an amount
        return Answer(400, rejected="Rejected: the amount must be a whole number of đồng")
    with transaction.atomic():
        if not first_time("bank", transfer_id):
            return Answer(200, {"status": "already processed"})
        return _bank_transfer_match(account=account, amount=amount, content=content, transfer_id=transfer_id)


def _bank_transfer_match(*, account: str, amount: int, content: str, transfer_id: str) -> Answer:
    words = content.upper().split()
    payments = list(
        OrderPayment.objects.filter(
            method=OrderPayment.Method.VIETQR, order__number__in=words, checkout__reference__in=words
        ).select_related("order", "checkout", "stall")[:2]
    )
    if len(payments) != 1:
        return Answer(404, {"status": "unknown order" if not payments else "ambiguous"})
    payment = payments[0]
    # The account the buyer was shown for this order (its snapshot), not the stall's details today.
    if not payment.payee_account_number or account != payment.payee_account_number:
        return Answer(409, {"status": "not the stall's account"})
    # The deposit of a pre-order while one is due, or the whole amount.
    if money_arrived(payment, amount, source="bank", reference=transfer_id) is None:
        return Answer(409, {"status": "amount mismatch", "expected": payment.due_now})
    return Answer(200, {"status": "ok", "order": payment.order.number})
