"""The words of an order's life, in one place: Oscar's status pipeline (settings), the stall's labels
for its lines, and the buyer's timeline. Each stall moves its own lines along this pipeline."""

from django.utils.translation import gettext_lazy as _

PLACED, CONFIRMED, SHIPPED, DELIVERED, CANCELLED = "placed", "confirmed", "shipped", "delivered", "cancelled"
# The order's status once all of its money went back; also Oscar's payment event type code for a refund.
REFUNDED = "refunded"
INITIAL = PLACED
PIPELINE = {
    PLACED: (CONFIRMED, CANCELLED),
    CONFIRMED: (SHIPPED, CANCELLED),
    SHIPPED: (DELIVERED,),
    DELIVERED: (),
    CANCELLED: (),
    REFUNDED: (),  # the order's own status once all its money went back (lines keep theirs)
}
# What a stall may do to its lines, and the status each step leads to.
STALL_ACTIONS = {"confirm": CONFIRMED, "ship": SHIPPED, "deliver": DELIVERED}
# Oscar's payment event type code for "this stall's lines are paid".
PAID_EVENT = "paid"

STALL_LABELS = {
    PLACED: _("New: please confirm"),
    CONFIRMED: _("Confirmed"),
    SHIPPED: _("Shipped"),
    DELIVERED: _("Delivered"),
    CANCELLED: _("Cancelled"),
}

# The buyer's timeline: these steps in this order, then "paid" (and "cancelled" when it is).
BUYER_STEPS = (PLACED, CONFIRMED, SHIPPED, DELIVERED)
BUYER_LABELS = {
    PLACED: _("Order placed"),
    CONFIRMED: _("Confirmed by the stall"),
    SHIPPED: _("On its way"),
    DELIVERED: _("Delivered"),
    PAID_EVENT: _("Paid"),
    CANCELLED: _("Cancelled"),
    REFUNDED: _("Refunded"),
}
