"""The stall's orders: only its own lines, the next thing a household does with each, and cancelling
one it cannot send."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from oscar.core.loading import get_class

from ground import order_status
from ground.phone import display_mobile
from marketplace.orders.actions import stall_order_advance, stall_order_next_steps
from marketplace.payments.services import announcements
from sellers.access import with_stall
from sellers.orders import stall_order_or_404, stall_orders

InvalidLineStatus = get_class("order.exceptions", "InvalidLineStatus")

ACTION_MESSAGES = {
    "confirm": gettext_lazy("Order confirmed."),
    "ship": gettext_lazy("Marked as shipped."),
    "deliver": gettext_lazy("Marked as delivered."),
    "paid": gettext_lazy("Marked as paid."),
    "cancel": gettext_lazy("Order cancelled: the buyer gets a message."),
}


@with_stall
def order_list(request, stall):
    orders = list(stall_orders(stall).select_related("shipping_address")[:100])
    for order in orders:
        order.steps = stall_order_next_steps(order)
        address = order.shipping_address
        if address is not None:
            phone = str(address.phone_number or "")
            # Written as on a shop sign (0912 345 678), dialled as the household would type it.
            order.buyer_phone = display_mobile(phone) if phone.startswith("+84") else phone
            order.buyer_phone_dial = order.buyer_phone.replace(" ", "")
            order.buyer_address = ", ".join(
                part for part in (address.line1, address.line4, address.state) if part
            )
    context = {
        "stall": stall,
        "orders": orders,
        "labels": order_status.STALL_LABELS,
        # Said aloud by the browser, like the shop speakers that announce a transfer.
        "announcements": announcements(stall),
    }
    return render(request, "sellers/order_list.html", context)


@with_stall
def order_announcements(request, stall):
    """Payments confirmed since the page last asked (the order page polls this to say them aloud)."""
    response = JsonResponse(
        {"announcements": announcements(stall)}, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-store"
    return response


@with_stall
@require_POST
def order_action(request, stall, order_pk, action):
    if action not in ACTION_MESSAGES:
        raise Http404
    order = stall_order_or_404(stall, order_pk)
    try:
        stall_order_advance(stall=stall, order=order, action=action, actor=request.user)
    except InvalidLineStatus:
        messages.error(request, _("This step is not possible now."))
    else:
        messages.success(request, str(ACTION_MESSAGES[action]))
    return redirect("sellers:orders", stall_pk=stall.pk)
