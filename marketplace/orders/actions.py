"""The stall moves its own lines of an order along, or says it was paid; each step is logged."""

from django.db import transaction

from ground import order_status
from marketplace.payments.services import notify_status, stall_paid
from sellers.access import acting_for
from sellers.models import Stall
from sellers.orders import stall_lines
from sellers.services import audit


@transaction.atomic
def stall_order_advance(*, stall: Stall, order, action: str, actor) -> None:
    """Confirm, ship or deliver the stall's lines of an order, or record that the stall was paid."""
    if action == "paid":
        stall_paid(order=order, stall=stall, actor=actor)
    else:
        new_status = order_status.STALL_ACTIONS[action]
        for line in stall_lines(stall).filter(order=order).select_for_update():
            if line.status != order_status.CANCELLED:
                line.set_status(new_status)
        if getattr(order, "payment", None) is not None:
            transaction.on_commit(lambda: notify_status(order, new_status))
    audit(
        stall=stall,
        actor=actor,
        action=f"order_{action}",
        on_behalf_of=acting_for(actor, stall),
        order=order.number,
    )
