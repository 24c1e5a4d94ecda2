"""The stall moves its own lines of an order along, or says it was paid; each step is logged."""

from django.db import transaction
from oscar.core.loading import get_class, get_model

from ground import order_status
from marketplace.payments.models import OrderPayment
from marketplace.payments.services import notify_status, stall_paid
from seasons import preorders
from seasons.models import PreOrder
from sellers.access import acting_for
from sellers.models import Stall
from sellers.orders import stall_lines
from sellers.services import audit

InvalidLineStatus = get_class("order.exceptions", "InvalidLineStatus")
StockRecord = get_model("partner", "StockRecord")
ShippingEvent = get_model("order", "ShippingEvent")
ShippingEventType = get_model("order", "ShippingEventType")
ShippingEventQuantity = get_model("order", "ShippingEventQuantity")

# What a stall may do to its lines: the steps forward, and cancelling an order it cannot send
# (the order pipeline allows it before shipping).
STEP_STATUS = {**order_status.STALL_ACTIONS, "cancel": order_status.CANCELLED}


@transaction.atomic
def stall_order_advance(*, stall: Stall, order, action: str, actor) -> None:
    """Confirm, ship, deliver or cancel the stall's lines of an order, or record that the stall was
    paid. Each step that moves lines is kept as Oscar's shipping event: the buyer's timeline shows
    when it happened."""
    if action == "paid":
        stall_paid(order=order, stall=stall, actor=actor)
    else:
        new_status = STEP_STATUS[action]
        if new_status == order_status.CANCELLED and _money_in(order):
            raise InvalidLineStatus("a paid order is not cancelled here: the money must go back first")
        moved = []
        for line in stall_lines(stall).filter(order=order).select_for_update():
            if line.status not in (order_status.CANCELLED, new_status):
                line.set_status(new_status)
                moved.append(line)
        if moved:
            _record_step(order=order, lines=moved, status=new_status)
        if moved and new_status == order_status.CANCELLED:
            # Pre-order lines never took stock: they give their quantity back to their sale window,
            # locked after the stock records (the checkout's order of locks).
            pre_ordered = set(PreOrder.objects.filter(line__in=moved).values_list("line_id", flat=True))
            _release_stock([line for line in moved if line.pk not in pre_ordered])
            preorders.release(lines=moved)
        if getattr(order, "payment", None) is not None:
            transaction.on_commit(lambda: notify_status(order, new_status))
    audit(
        stall=stall,
        actor=actor,
        action=f"order_{action}",
        on_behalf_of=acting_for(actor, stall),
        order=order.number,
    )


# The one step a stall takes next, from where its lines are.
NEXT_STEP = {
    order_status.PLACED: "confirm",
    order_status.CONFIRMED: "ship",
    order_status.SHIPPED: "deliver",
}


def stall_order_next_steps(order) -> dict:
    """What the order page offers for one order (its lines of this stall prefetched as
    ``stall_lines``): the next step only, "paid" when the money can be there, cancel while allowed."""
    statuses = {line.status for line in order.stall_lines} - {order_status.CANCELLED}
    stage = min(statuses, key=order_status.BUYER_STEPS.index) if statuses else order_status.CANCELLED
    payment = getattr(order, "payment", None)
    method = payment.method if payment is not None else None
    # A card is confirmed by Stripe, cash only comes with the parcel, a transfer may come any time.
    money_may_be_there = method != OrderPayment.Method.CARD and (
        method != OrderPayment.Method.COD or stage in (order_status.SHIPPED, order_status.DELIVERED)
    )
    paid = _is_paid(order)
    return {
        "stage": stage,
        "next": NEXT_STEP.get(stage),
        "paid": stage != order_status.CANCELLED and not paid and money_may_be_there,
        "cancel": order_status.CANCELLED in order_status.PIPELINE[stage] and not _money_in(order),
    }


def _is_paid(order) -> bool:
    payment = getattr(order, "payment", None)
    return bool(getattr(order, "is_paid_to_stall", False)) or (
        payment is not None and payment.status in OrderPayment.MONEY_RECEIVED
    )


def _money_in(order) -> bool:
    """Whether the stall has had any money for the order, a pre-order's deposit included: such an order
    is not cancelled by a button, the money goes back first (marketplace/payments/refunds.py)."""
    payment = getattr(order, "payment", None)
    return _is_paid(order) or (payment is not None and payment.received > 0)


def _release_stock(lines: list) -> None:
    """A cancelled line's quantity goes back on sale (its stock records locked in primary-key order)."""
    records = StockRecord.objects.select_for_update().filter(
        pk__in={line.stockrecord_id for line in lines if line.stockrecord_id}
    )
    by_pk = {record.pk: record for record in records.order_by("pk")}
    for line in lines:
        if line.stockrecord_id in by_pk:
            by_pk[line.stockrecord_id].cancel_allocation(line.quantity)


def _record_step(*, order, lines: list, status: str) -> None:
    event_type, _created = ShippingEventType.objects.get_or_create(
        code=status, defaults={"name": f"Stall: {status}"}
    )
    event = ShippingEvent.objects.create(order=order, event_type=event_type)
    ShippingEventQuantity.objects.bulk_create(
        ShippingEventQuantity(event=event, line=line, quantity=line.quantity) for line in lines
    )
