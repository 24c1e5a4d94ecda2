"""What happens to an order's payment: confirmed once (by the stall, a bank notification or Stripe),
told to the buyer, said aloud at the stall; and how a buyer follows orders without an account."""

import hashlib
import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from ground.messaging import send_text
from ground.money import format_vnd, group_thousands
from marketplace.payments import vietqr
from marketplace.payments.models import Checkout, OrderPayment, TrackingAttempt, WebhookEvent
from sellers.banks import BANKS

logger = logging.getLogger(__name__)
Order = get_model("order", "Order")

TRACKING_LIMIT = 10  # lookups per network and quarter hour
TRACKING_WINDOW = timedelta(minutes=15)
STEPS = ("placed", "confirmed", "shipped", "delivered")
STEP_LABELS = {
    "placed": gettext_lazy("Order placed"),
    "confirmed": gettext_lazy("Confirmed by the stall"),
    "shipped": gettext_lazy("On its way"),
    "delivered": gettext_lazy("Delivered"),
    "paid": gettext_lazy("Paid"),
    "cancelled": gettext_lazy("Cancelled"),
}


@transaction.atomic
def mark_paid(payment: OrderPayment, *, source: str, reference: str = "", actor=None) -> bool:
    """Record the money as received; True only the first time (a second confirmation changes nothing)."""
    payment = OrderPayment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == OrderPayment.Status.PAID:
        return False
    payment.status = OrderPayment.Status.PAID
    payment.paid_at = timezone.now()
    payment.confirmed_by = actor if actor is not None and actor.is_authenticated else None
    payment.reference = reference or payment.reference or source
    payment.save(update_fields=["status", "paid_at", "confirmed_by", "reference"])
    from sellers.orders import record_stall_payment

    record_stall_payment(payment.order, payment.stall)
    number, amount = payment.order.number, payment.amount
    transaction.on_commit(
        lambda: _tell(
            payment.checkout,
            _("Chợ OCOP: payment of %(amount)s for order %(number)s received.")
            % {"amount": format_vnd(amount), "number": number},
        )
    )
    return True


def mark_failed(payment: OrderPayment, *, reference: str = "") -> bool:
    updated = (
        OrderPayment.objects.filter(pk=payment.pk)
        .exclude(status=OrderPayment.Status.PAID)
        .update(status=OrderPayment.Status.FAILED, reference=reference or payment.reference)
    )
    return bool(updated)


def first_time(source: str, event_id: str) -> bool:
    """Whether this notification is new (then it is remembered)."""
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(source=source, event_id=event_id)
    except IntegrityError:
        return False
    return True


def vietqr_for(payment: OrderPayment) -> dict:
    """The transfer the buyer makes to the stall's own account: the QR and the same as text."""
    stall = payment.stall
    purpose = f"{payment.order.number} {payment.checkout.reference}"
    payload = vietqr.build_payload(
        bank_bin=stall.bank_bin, account=stall.bank_account_number, amount=payment.amount, purpose=purpose
    )
    return {
        "payload": payload,
        "svg": vietqr.qr_svg(payload),
        "bank": BANKS.get(stall.bank_bin, stall.bank_bin),
        "account": stall.bank_account_number,
        "holder": stall.bank_account_name,
        "amount": payment.amount,
        "purpose": vietqr.fold_purpose(purpose),
    }


def bank_signature(body: bytes) -> str:
    return hmac.new(settings.BANK_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


def announcements(stall) -> list[str]:
    """Payments confirmed since the stall last looked, as the shop speaker says them (once each)."""
    fresh = list(
        OrderPayment.objects.filter(stall=stall, status=OrderPayment.Status.PAID, announced=False)
        .select_related("order")
        .order_by("paid_at")
    )
    OrderPayment.objects.filter(pk__in=[p.pk for p in fresh]).update(announced=True)
    return [
        _("Received %(amount)s đồng for order %(number)s")
        % {"amount": group_thousands(p.amount), "number": p.order.number}
        for p in fresh
    ]


# Telling the buyer --------------------------------------------------------------------------------


def _tell(checkout: Checkout, text: str) -> None:
    send_text(phone=checkout.phone, text=text)
    if checkout.email:
        send_mail(text[:70], text, settings.DEFAULT_FROM_EMAIL, [checkout.email], fail_silently=True)


def notify_placed(checkout: Checkout) -> None:
    payments = list(checkout.payments.select_related("order", "stall"))
    orders = ", ".join(f"{p.order.number} ({p.stall.name}, {format_vnd(p.amount)})" for p in payments)
    _tell(
        checkout,
        _(
            "Chợ OCOP: thank you, %(name)s. Your orders: %(orders)s. "
            "Track them with your phone number at %(url)s"
        )
        % {"name": checkout.name, "orders": orders, "url": settings.SITE_URL + "/shop/track/"},
    )


def notify_status(order, status: str) -> None:
    payment = getattr(order, "payment", None)
    if payment is None:
        return
    label = STEP_LABELS.get(status, status)
    _tell(
        payment.checkout,
        _("Chợ OCOP: order %(number)s is now: %(status)s.") % {"number": order.number, "status": label},
    )


# Tracking without an account --------------------------------------------------------------------


def tracking_allowed(network: str) -> bool:
    """At most TRACKING_LIMIT lookups per network per window, counted in PostgreSQL."""
    since = timezone.now() - TRACKING_WINDOW
    TrackingAttempt.objects.filter(at__lt=since - TRACKING_WINDOW).delete()
    if TrackingAttempt.objects.filter(network=network, at__gte=since).count() >= TRACKING_LIMIT:
        return False
    TrackingAttempt.objects.create(network=network)
    return True


def tracked_checkout(number: str, phone: str) -> Checkout | None:
    """The checkout of this order number, if the phone is the buyer's; None reveals nothing else."""
    payment = (
        OrderPayment.objects.filter(order__number=number.strip().upper(), checkout__phone=phone)
        .select_related("checkout")
        .first()
    )
    return payment.checkout if payment else None


def timeline(payment: OrderPayment) -> list[dict]:
    """placed → confirmed → shipped → delivered, and paid: each step with whether it is reached."""
    statuses = [line.status for line in payment.order.lines.all()]
    reached = min((STEPS.index(s) for s in statuses if s in STEPS), default=0)
    cancelled = bool(statuses) and all(s == "cancelled" for s in statuses)
    labels = STEP_LABELS
    steps = [
        {"key": key, "label": labels[key], "done": not cancelled and i <= reached}
        for i, key in enumerate(STEPS)
    ]
    steps.append({"key": "paid", "label": labels["paid"], "done": payment.status == OrderPayment.Status.PAID})
    if cancelled:
        steps.append({"key": "cancelled", "label": labels["cancelled"], "done": True})
    return steps
