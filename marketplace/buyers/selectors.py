"""Reads for buyers: their orders (every stall's order of every checkout they may act on)."""

from django.db.models import Prefetch
from oscar.core.loading import get_model

from ground import order_status
from marketplace.payments.buyers import buyer_checkouts
from marketplace.payments.models import OrderPayment

Line = get_model("order", "Line")


def buyer_orders(request):
    """Every stall's order this request may act on as the buyer, newest first, with what its list
    shows (stall, lines, amount) loaded in a fixed number of queries."""
    return (
        OrderPayment.objects.filter(checkout__in=buyer_checkouts(request))
        .select_related("order", "stall__partner", "checkout")
        .prefetch_related(Prefetch("order__lines", queryset=Line.objects.order_by("pk")))
        .order_by("-order__date_placed", "-pk")
    )


def current_step(payment) -> str:
    """Where the order is now, in the buyer's words (its lines loaded): the step every line has
    reached, "Cancelled" when all are; "Paid" is shown apart."""
    statuses = [line.status for line in payment.order.lines.all()]
    if statuses and all(status == order_status.CANCELLED for status in statuses):
        return order_status.BUYER_LABELS[order_status.CANCELLED]
    steps = order_status.BUYER_STEPS
    reached = min((steps.index(status) for status in statuses if status in steps), default=0)
    return order_status.BUYER_LABELS[steps[reached]]
