"""A stall's side of the orders: only its own lines, and its takings. What a stall does to its
orders (confirm, ship, deliver, paid) lives with the payments, in marketplace/orders/."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, Sum
from django.http import Http404
from django.utils import timezone
from oscar.core.loading import get_model

from ground import order_status
from ground.money import to_dong
from sellers.models import Stall

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")


def stall_lines(stall: Stall):
    return Line.objects.filter(partner=stall.partner)


def stall_orders(stall: Stall):
    """Orders with at least one line of this stall, each carrying only those lines (``stall_lines``)."""
    own_lines = stall_lines(stall).select_related("product").order_by("pk")
    paid = PaymentEvent.objects.filter(
        order=OuterRef("pk"), event_type__code=order_status.PAID_EVENT, lines__partner=stall.partner
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


def stall_takings(stall: Stall, *, now: datetime.datetime | None = None) -> dict[str, int]:
    """Value of the stall's lines ordered today and this month (local time), cancelled ones left out;
    money given back to buyers this month (Oscar's "refunded" payment events of its orders), and what
    the month leaves once it is taken off."""
    now = timezone.localtime(now or timezone.now())
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = day_start.replace(day=1)
    lines = (
        stall_lines(stall).exclude(status=order_status.CANCELLED).filter(order__date_placed__gte=month_start)
    )
    sums = lines.aggregate(
        today=Sum("line_price_incl_tax", filter=Q(order__date_placed__gte=day_start)),
        month=Sum("line_price_incl_tax"),
    )
    refund_events = PaymentEvent.objects.filter(
        event_type__code=order_status.REFUNDED, lines__partner=stall.partner, date_created__gte=month_start
    ).values("pk")
    refunded = PaymentEvent.objects.filter(pk__in=refund_events).aggregate(total=Sum("amount"))["total"]
    today, month, refunded = (to_dong(value or 0) for value in (sums["today"], sums["month"], refunded))
    return {"today": today, "month": month, "refunded": refunded, "month_net": month - refunded}
