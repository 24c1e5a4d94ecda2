"""A stall's side of the orders: only its own lines, its actions on them, and its takings."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from ground.money import to_dong
from sellers.access import acting_for
from sellers.models import Stall
from sellers.services import audit

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

PLACED, CONFIRMED, SHIPPED, DELIVERED, CANCELLED = "placed", "confirmed", "shipped", "delivered", "cancelled"
LINE_STATUS_LABELS = {
    PLACED: gettext_lazy("New: please confirm"),
    CONFIRMED: gettext_lazy("Confirmed"),
    SHIPPED: gettext_lazy("Shipped"),
    DELIVERED: gettext_lazy("Delivered"),
    CANCELLED: gettext_lazy("Cancelled"),
}
ACTIONS = {"confirm": CONFIRMED, "ship": SHIPPED, "deliver": DELIVERED}
PAID_EVENT = "paid"


def stall_lines(stall: Stall):
    return Line.objects.filter(partner=stall.partner)


def stall_orders(stall: Stall):
    """Orders with at least one line of this stall, each carrying only those lines (``stall_lines``)."""
    own_lines = stall_lines(stall).select_related("product").order_by("pk")
    paid = PaymentEvent.objects.filter(
        order=OuterRef("pk"), event_type__code=PAID_EVENT, lines__partner=stall.partner
    )
    return (
        Order.objects.filter(Exists(stall_lines(stall).filter(order=OuterRef("pk"))))
        .annotate(is_paid_to_stall=Exists(paid))
        .select_related("payment")
        .prefetch_related(Prefetch("lines", queryset=own_lines, to_attr="stall_lines"))
        .order_by("-date_placed")
    )


def stall_order_or_404(stall: Stall, pk) -> Order:
    try:
        return stall_orders(stall).get(pk=pk)
    except (Order.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


@transaction.atomic
def stall_order_advance(*, stall: Stall, order: Order, action: str, actor) -> None:
    """Confirm or ship the stall's lines of an order, or record that the stall was paid."""
    lines = list(stall_lines(stall).filter(order=order).select_for_update())
    payment = getattr(order, "payment", None)
    if action == "paid" and payment is not None:
        from marketplace.payments.services import mark_paid

        mark_paid(payment, source="stall", actor=actor)  # records the stall's payment event too
    elif action == "paid":
        _record_payment(order=order, lines=lines)
    else:
        new_status = ACTIONS[action]
        for line in lines:
            if line.status != CANCELLED:
                line.set_status(new_status)
        if payment is not None:
            from marketplace.payments.services import notify_status

            transaction.on_commit(lambda: notify_status(order, new_status))
    audit(
        stall=stall,
        actor=actor,
        action=f"order_{action}",
        on_behalf_of=acting_for(actor, stall),
        order=order.number,
    )


def record_stall_payment(order: Order, stall: Stall) -> None:
    _record_payment(order=order, lines=list(stall_lines(stall).filter(order=order)))


def _record_payment(*, order: Order, lines: list) -> None:
    event_type, _created = PaymentEventType.objects.get_or_create(
        code=PAID_EVENT, defaults={"name": _("Paid")}
    )
    if PaymentEvent.objects.filter(order=order, event_type=event_type, lines__in=lines).exists():
        return  # already recorded: pressing the button twice changes nothing
    amount = sum((line.line_price_incl_tax for line in lines), Decimal(0))
    event = PaymentEvent.objects.create(order=order, amount=amount, event_type=event_type)
    for line in lines:
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=line.quantity)


def stall_takings(stall: Stall, *, now: datetime.datetime | None = None) -> dict[str, int]:
    """Value of the stall's lines ordered today and this month (local time), cancelled ones left out."""
    now = timezone.localtime(now or timezone.now())
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = day_start.replace(day=1)
    lines = stall_lines(stall).exclude(status=CANCELLED)

    def total(since):
        value = lines.filter(order__date_placed__gte=since).aggregate(total=Sum("line_price_incl_tax"))[
            "total"
        ]
        return to_dong(value or 0)

    return {"today": total(day_start), "month": total(month_start)}
