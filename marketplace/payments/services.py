"""What happens to an order's payment: confirmed once (by the stall, a bank notification or Stripe),
told to the buyer, said aloud at the stall; and how a buyer follows orders without an account.

This module owns "paid": ``mark_paid`` and ``stall_paid`` write our ``OrderPayment`` and Oscar's
payment event (which the stall's dashboard reads) in one transaction; nothing else writes either."""

import hashlib
import hmac
import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from ground import order_status
from ground.client import subject_key
from ground.limits import lock_keys
from ground.messaging import send_text
from ground.money import format_vnd, group_thousands
from marketplace.payments import card, vietqr
from marketplace.payments.buyers import order_link
from marketplace.payments.models import Checkout, OrderPayment, TrackingAttempt, WebhookEvent
from seasons.models import PreOrder
from sellers.banks import BANKS
from sellers.models import Stall
from sellers.orders import stall_lines

logger = logging.getLogger(__name__)
Order = get_model("order", "Order")

PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

# Nothing more to pay by transfer or card: paid (refunded since or not), or the deposit paid.
RECEIVED_OR_DEPOSIT = (*OrderPayment.MONEY_RECEIVED, OrderPayment.Status.DEPOSIT_PAID)
TRACKING_LIMIT = 10  # lookups per address, and per order number, each quarter hour
TRACKING_WINDOW = timedelta(minutes=15)


@transaction.atomic
def mark_paid(payment: OrderPayment, *, source: str, reference: str = "", actor=None) -> bool:
    """Record the money as received; True only the first time (a second confirmation changes nothing)."""
    payment = OrderPayment.objects.select_for_update().get(pk=payment.pk)
    # A refunded order is never "paid" again; but when only a pre-order's deposit came (and went back,
    # its window cancelled), the rest of the order can still be paid on delivery.
    only_deposit = payment.paid_at is None and payment.deposit_paid_at is not None
    if payment.status in OrderPayment.MONEY_RECEIVED and not only_deposit:
        return False
    payment.status = OrderPayment.Status.PARTLY_REFUNDED if payment.refunded else OrderPayment.Status.PAID
    payment.paid_at = timezone.now()
    payment.confirmed_by = actor if actor is not None and actor.is_authenticated else None
    payment.reference = reference or payment.reference or source
    payment.save(update_fields=["status", "paid_at", "confirmed_by", "reference"])
    _record_event(order=payment.order, lines=list(stall_lines(payment.stall).filter(order=payment.order)))
    # After a pre-order's deposit, what came now is the balance.
    number = payment.order.number
    amount = payment.balance if payment.deposit_paid_at is not None else payment.amount
    transaction.on_commit(
        lambda: tell_buyer(
            payment.checkout,
            _("Chợ OCOP: payment of %(amount)s for order %(number)s received.")
            % {"amount": format_vnd(amount), "number": number},
        )
    )
    return True


@transaction.atomic
def stall_paid(*, order, stall: Stall, actor) -> None:
    """The stall says it has the money (cash on delivery, a transfer it saw). An order placed outside
    our checkout has no ``OrderPayment``: Oscar's payment event alone records it."""
    payment = getattr(order, "payment", None)
    if payment is not None:
        mark_paid(payment, source="stall", actor=actor)
    else:
        _record_event(order=order, lines=list(stall_lines(stall).filter(order=order).select_for_update()))


def _record_event(*, order, lines: list) -> None:
    event_type, _created = PaymentEventType.objects.get_or_create(
        code=order_status.PAID_EVENT, defaults={"name": _("Paid")}
    )
    if PaymentEvent.objects.filter(order=order, event_type=event_type, lines__in=lines).exists():
        return  # already recorded: pressing the button twice changes nothing
    amount = sum((line.line_price_incl_tax for line in lines), Decimal(0))
    event = PaymentEvent.objects.create(order=order, amount=amount, event_type=event_type)
    for line in lines:
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=line.quantity)


@transaction.atomic
def mark_deposit_paid(payment: OrderPayment, *, source: str, reference: str = "") -> bool:
    """A pre-order's deposit arrived (a bank notice, Stripe): True only the first time. The balance
    is then paid on delivery, recorded by the stall's "paid" button (``mark_paid``)."""
    payment = OrderPayment.objects.select_for_update().get(pk=payment.pk)
    waiting = (OrderPayment.Status.PENDING, OrderPayment.Status.FAILED)
    if not payment.deposit_due or payment.status not in waiting:
        return False
    payment.status = OrderPayment.Status.DEPOSIT_PAID
    payment.deposit_paid_at = timezone.now()
    payment.reference = reference or payment.reference or source
    payment.save(update_fields=["status", "deposit_paid_at", "reference"])
    number, deposit, balance = payment.order.number, payment.deposit, payment.balance
    transaction.on_commit(
        lambda: tell_buyer(
            payment.checkout,
            _("Chợ OCOP: deposit of %(amount)s for order %(number)s received; pay %(balance)s on delivery.")
            % {"amount": format_vnd(deposit), "number": number, "balance": format_vnd(balance)},
        )
    )
    return True


def money_arrived(payment: OrderPayment, amount: int, *, source: str, reference: str = "") -> bool | None:
    """A transfer or card payment of ``amount`` đồng for ``payment``: the deposit while one is due, or
    the whole. None when the amount is neither (nothing recorded); else whether it was new."""
    if payment.deposit_due and amount == payment.deposit:
        return mark_deposit_paid(payment, source=source, reference=reference)
    if amount == payment.amount:
        return mark_paid(payment, source=source, reference=reference)
    return None


def mark_failed(payment: OrderPayment, *, reference: str = "") -> bool:
    updated = (
        OrderPayment.objects.filter(pk=payment.pk)
        .exclude(status__in=(*OrderPayment.MONEY_RECEIVED, OrderPayment.Status.DEPOSIT_PAID))
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
    """The transfer the buyer makes to the stall's own account, as it was when the order was placed
    (the order's snapshot: a later change of the stall's details never moves it): the QR and as text."""
    purpose = f"{payment.order.number} {payment.checkout.reference}"
    payload = vietqr.build_payload(
        bank_bin=payment.payee_bank_bin,
        account=payment.payee_account_number,
        amount=payment.due_now,
        purpose=purpose,
    )
    return {
        "payload": payload,
        "svg": vietqr.qr_svg(payload),
        "bank": BANKS.get(payment.payee_bank_bin, payment.payee_bank_bin),
        "account": payment.payee_account_number,
        "holder": payment.payee_account_name,
        "amount": payment.due_now,
        "purpose": vietqr.fold_purpose(purpose),
    }


def card_payments_start(*, checkout: Checkout) -> None:
    """One Stripe PaymentIntent per card order; an order whose intent cannot start is logged."""
    for payment in checkout.payments.filter(method=OrderPayment.Method.CARD).select_related("order"):
        try:
            intent = card.create_intent(
                amount_vnd=payment.due_now,  # the deposit of a pre-order, else the whole
                order_number=payment.order.number,
                idempotency_key=f"order-{payment.order.number}",
                email=checkout.email,
            )
        except card.CardError as error:
            logger.error("Card payment for order %s could not start: %s", payment.order.number, error)
            continue
        OrderPayment.objects.filter(pk=payment.pk).update(reference=intent["id"])


def card_form_secrets(payments: list[OrderPayment]) -> None:
    """Stripe's own card form (Payment Element) needs each open card order's client secret."""
    for payment in payments:
        if payment.method == OrderPayment.Method.CARD and payment.status not in RECEIVED_OR_DEPOSIT:
            try:
                payment.client_secret = card.retrieve_intent(payment.reference)["client_secret"]
            except (card.CardError, ValueError) as error:
                logger.error("Card form for order %s unavailable: %s", payment.order.number, error)


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


def tell_buyer(checkout: Checkout, text: str) -> None:
    """A text to the phone that placed the checkout (and an e-mail when it gave one), after commit."""
    send_text(phone=checkout.phone, text=text)
    if checkout.email:
        send_mail(text[:70], text, settings.DEFAULT_FROM_EMAIL, [checkout.email], fail_silently=True)


def notify_placed(checkout: Checkout) -> None:
    payments = list(checkout.payments.select_related("order", "stall"))
    orders = ", ".join(f"{p.order.number} ({p.stall.name}, {format_vnd(p.amount)})" for p in payments)
    tell_buyer(
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
    label = order_status.BUYER_LABELS.get(status, status)
    text = _("Chợ OCOP: order %(number)s is now: %(status)s.") % {"number": order.number, "status": label}
    if status == order_status.DELIVERED:
        # The way back to the order from any phone: rate it, say how it went, or complain.
        text += " " + _("Rate it or tell us about a problem: %(url)s") % {"url": order_link(payment.checkout)}
    tell_buyer(payment.checkout, text)


def checkout_payments(checkout: Checkout) -> list[OrderPayment]:
    """The checkout's orders as the buyer sees them: each with its timeline, and how to pay it."""
    payments = list(
        checkout.payments.select_related("order", "stall__partner")
        .prefetch_related(
            "order__lines",
            "order__shipping_events__event_type",
            "refunds",
            Prefetch("order__preorders", queryset=PreOrder.objects.select_related("window__product")),
        )
        .order_by("pk")
    )
    for payment in payments:
        payment.steps = timeline(payment)
        # Money the stall says it gave back, still to be confirmed by the buyer (refunds prefetched).
        payment.refund_waiting = sum(
            refund.amount for refund in payment.refunds.all() if refund.status == refund.Status.AWAITING_BUYER
        )
        payment.windows = preorder_windows(payment)
        # A pre-order arrives with its harvest (the windows' dates), not in the usual few days.
        payment.delivery_estimate = None if payment.windows else delivery_estimate(payment)
        if payment.method == OrderPayment.Method.VIETQR and payment.status not in RECEIVED_OR_DEPOSIT:
            try:
                payment.vietqr = vietqr_for(payment)
            except ValueError:  # no account was kept with this order: the page says to ask the stall
                payment.vietqr = None
    return payments


def preorder_windows(payment: OrderPayment) -> list:
    """The sale windows the order's pre-order lines come from (prefetched), each once."""
    windows = {preorder.window_id: preorder.window for preorder in payment.order.preorders.all()}
    return list(windows.values())


# Tracking without an account --------------------------------------------------------------------


def order_code(text: str) -> str:
    """What a buyer types for an order, as we store it: "#100005", " 100 005", "dh7k3m9p2q" and
    "ĐH7K3M9P2Q" all mean the order 100005 or the checkout DH7K3M9P2Q."""
    code = "".join(ch for ch in (text or "") if ch.isalnum()).upper()
    return code.replace("Đ", "D")


@transaction.atomic
def tracking_allowed(*, address: str, number: str) -> bool:
    """At most TRACKING_LIMIT lookups per address, and per order code (a phone guessed from many
    addresses), per window; counted in PostgreSQL under a lock per key, so a parallel burst gets no
    more than the limit either. "#100005" and "100005" are one code, with one limit."""
    keys = [address or "unknown"]
    if order_code(number):
        keys.append(subject_key("order", order_code(number)))
    lock_keys(*(f"tracking:{key}" for key in keys))
    since = timezone.now() - TRACKING_WINDOW
    TrackingAttempt.objects.filter(at__lt=since - TRACKING_WINDOW).delete()
    for key in keys:
        if TrackingAttempt.objects.filter(network=key, at__gte=since).count() >= TRACKING_LIMIT:
            return False
    TrackingAttempt.objects.bulk_create(TrackingAttempt(network=key) for key in keys)
    return True


def tracked_checkout(number: str, phone: str) -> Checkout | None:
    """The checkout of this order number or checkout reference, if the phone is the buyer's; None
    reveals nothing else (a code alone never shows an order: the phone must match too)."""
    code = order_code(number)
    if not code:
        return None
    if code.isdigit():
        payment = (
            OrderPayment.objects.filter(order__number=code, checkout__phone=phone)
            .select_related("checkout")
            .first()
        )
        return payment.checkout if payment else None
    return Checkout.objects.filter(reference=code, phone=phone).first()


def timeline(payment: OrderPayment) -> list[dict]:
    """placed → confirmed → shipped → delivered, and paid: each step with whether it is reached and
    when (the order's time, the stall's step recorded as Oscar's shipping event, the payment's)."""
    steps_in_order = order_status.BUYER_STEPS
    labels = order_status.BUYER_LABELS
    statuses = [line.status for line in payment.order.lines.all()]
    reached = min((steps_in_order.index(s) for s in statuses if s in steps_in_order), default=0)
    cancelled = bool(statuses) and all(s == order_status.CANCELLED for s in statuses)
    when = step_times(payment.order)
    steps = []
    for i, key in enumerate(steps_in_order):
        done = not cancelled and i <= reached
        steps.append({"key": key, "label": labels[key], "done": done, "at": when.get(key) if done else None})
    paid = order_status.PAID_EVENT
    # Paid once stays a step reached, even when money went back since (the refunds follow it).
    is_paid = payment.status in OrderPayment.MONEY_RECEIVED
    steps.append(
        {"key": paid, "label": labels[paid], "done": is_paid, "at": payment.paid_at if is_paid else None}
    )
    for refund in payment.refunds.all():  # prefetched by checkout_payments, oldest first
        if refund.status in (refund.Status.SUCCEEDED, refund.Status.AWAITING_BUYER):
            done = refund.status == refund.Status.SUCCEEDED
            label = (
                _("Refunded %(amount)s")
                if done
                else _("The stall says it gave back %(amount)s. Received it? Confirm below.")
            ) % {"amount": format_vnd(refund.amount)}
            steps.append(
                {"key": order_status.REFUNDED, "label": label, "done": done, "at": refund.settled_at}
            )
    if cancelled:
        cancel = order_status.CANCELLED
        steps.append({"key": cancel, "label": labels[cancel], "done": True, "at": when.get(cancel)})
    return steps


def step_times(order) -> dict:
    """When each step of the order was first reached (the prefetched shipping events, oldest first)."""
    times = {order_status.PLACED: order.date_placed}
    for event in sorted(order.shipping_events.all(), key=lambda event: event.date_created):
        times.setdefault(event.event_type.code, event.date_created)
    return times


# The rule while stalls have no delivery times of their own: a stall confirms and ships within
# DAYS_TO_SHIP days of the order; the parcel arrives DELIVERY_DAYS after it leaves.
DAYS_TO_SHIP = 2
DELIVERY_DAYS = (2, 4)


def delivery_estimate(payment: OrderPayment) -> tuple | None:
    """(earliest, latest) local dates the buyer can expect a delivered order, None when there is
    nothing to wait for (delivered, cancelled, or picked up at the commune point)."""
    if payment.checkout.delivery != Checkout.Delivery.DELIVERY:
        return None
    reached = {step["key"] for step in payment.steps if step["done"]}
    if order_status.DELIVERED in reached or order_status.CANCELLED in reached:
        return None
    times = step_times(payment.order)
    shipped = times.get(order_status.SHIPPED) if order_status.SHIPPED in reached else None
    start = shipped or payment.order.date_placed + timedelta(days=DAYS_TO_SHIP)
    start = timezone.localdate(start)
    return start + timedelta(days=DELIVERY_DAYS[0]), start + timedelta(days=DELIVERY_DAYS[1])
