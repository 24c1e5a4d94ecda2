"""What a stall does with its sale windows: open and change one, close it, start picking (the buyers are
told when to expect delivery), cancel it (its orders cancelled, the money back). Each is one transaction
under the window's row lock, with its audit row; texts and Stripe calls come after the commit."""

import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from ground import order_status
from ground.money import format_vnd, to_dong
from marketplace.harvest.models import WindowRefund
from marketplace.payments.models import OrderPayment
from marketplace.payments.refunds import RefundProblem, refund_card, refund_record, refundable
from marketplace.payments.services import tell_buyer
from seasons.models import PreOrder, SaleWindow
from sellers.access import acting_for
from sellers.models import Stall
from sellers.services import audit

logger = logging.getLogger(__name__)
InvalidLineStatus = get_class("order.exceptions", "InvalidLineStatus")
Line = get_model("order", "Line")
ShippingEvent = get_model("order", "ShippingEvent")
ShippingEventType = get_model("order", "ShippingEventType")
ShippingEventQuantity = get_model("order", "ShippingEventQuantity")

# The fields a stall sets; price, deposit and product stay as they are once someone pre-ordered.
WINDOW_FIELDS = (
    "product",
    "opens_on",
    "closes_on",
    "harvest_from",
    "harvest_to",
    "capacity",
    "price",
    "min_per_buyer",
    "max_per_buyer",
    "deposit_percent",
)
FIXED_ONCE_ORDERED = ("product", "price", "deposit_percent")


class WindowProblem(Exception):
    """Why this cannot be done to the window, in words for the household; nothing was saved."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _locked(window: SaleWindow) -> SaleWindow:
    return SaleWindow.objects.select_for_update().select_related("product", "stall").get(pk=window.pk)


def _audit(window: SaleWindow, actor, action: str, **detail) -> None:
    audit(
        stall=window.stall,
        actor=actor,
        action=action,
        on_behalf_of=acting_for(actor, window.stall),
        window=window.pk,
        product=window.product.get_title(),
        **detail,
    )


def has_preorders(window: SaleWindow) -> bool:
    return window.reserved > 0 or window.preorders.filter(cancelled_at__isnull=True).exists()


@transaction.atomic
def window_create(*, stall: Stall, actor, **data) -> SaleWindow:
    window = SaleWindow.objects.create(stall=stall, created_by=actor, **data)
    _audit(window, actor, "window_create")
    return window


@transaction.atomic
def window_update(*, window: SaleWindow, actor, **data) -> SaleWindow:
    """Change a window; the form checked the same, this holds it under the lock (a pre-order may have
    come in meanwhile). The state is never changed here: a closed window is not reopened by editing."""
    window = _locked(window)
    if window.state == SaleWindow.State.CANCELLED:
        raise WindowProblem(_("This sale window is cancelled: it cannot be changed."))
    if has_preorders(window):
        for name in FIXED_ONCE_ORDERED:
            if name in data and data[name] != getattr(window, name):
                raise WindowProblem(
                    _("Buyers have already pre-ordered: the product, price and deposit stay as they were.")
                )
        if data.get("capacity", window.capacity) < window.reserved:
            raise WindowProblem(
                _("%(count)s are already pre-ordered: the quantity on offer cannot be less.")
                % {"count": window.reserved}
            )
    changed = [name for name in WINDOW_FIELDS if name in data and data[name] != getattr(window, name)]
    for name in changed:
        setattr(window, name, data[name])
    if changed:
        window.save(update_fields=[*changed, "updated_at"])
        _audit(window, actor, "window_edit", fields=changed)
    return window


@transaction.atomic
def window_close(*, window: SaleWindow, actor) -> bool:
    """The stall stops taking pre-orders before the closing date; True if it was open."""
    window = _locked(window)
    if window.state != SaleWindow.State.OPEN:
        return False
    window.state = SaleWindow.State.CLOSED
    window.closed_because = SaleWindow.ClosedBecause.STALL
    window.closed_at = timezone.now()
    window.save(update_fields=["state", "closed_because", "closed_at", "updated_at"])
    _audit(window, actor, "window_close")
    return True


def close_due(day=None) -> int:
    """Windows still open after their closing date are closed (the buyers' pages hide them already);
    how many. One statement: a window being cancelled or picked at the same time keeps that state."""
    day = day or timezone.localdate()
    return SaleWindow.objects.filter(state=SaleWindow.State.OPEN, closes_on__lt=day).update(
        state=SaleWindow.State.CLOSED,
        closed_because=SaleWindow.ClosedBecause.DATE,
        closed_at=timezone.now(),
        updated_at=timezone.now(),
    )


# What each order of a window has paid and still owes ------------------------------------------------


def active_preorders(window: SaleWindow):
    return (
        PreOrder.objects.filter(window=window, cancelled_at__isnull=True)
        .select_related("order__shipping_address", "order__payment__checkout", "line")
        .order_by("order__number", "pk")
    )


def order_rows(window: SaleWindow) -> list[dict]:
    """One row per order of the window (its pre-orders not cancelled), in one query: who, how many,
    what was paid, what is left to collect on delivery."""
    rows: dict[int, dict] = {}
    for preorder in active_preorders(window):
        order = preorder.order
        row = rows.get(order.pk)
        if row is None:
            payment = getattr(order, "payment", None)
            address = order.shipping_address
            row = rows[order.pk] = {
                "order": order,
                "payment": payment,
                "name": (payment.checkout.name if payment else "") or (address.last_name if address else ""),
                "phone": str(address.phone_number) if address and address.phone_number else preorder.phone,
                "pickup": _is_pickup(order, payment),
                "address": address.line1 if address else "",
                "commune": address.line4 if address else "",
                "province": address.state if address else "",
                "quantity": 0,
                "value": 0,
                "paid": payment.received if payment is not None else 0,  # a deposit alone, or all
            }
        row["quantity"] += preorder.quantity
        row["value"] += to_dong(preorder.line.line_price_incl_tax)
    for row in rows.values():
        total = row["payment"].amount if row["payment"] is not None else row["value"]
        row["balance"] = max(total - row["paid"], 0)
    return list(rows.values())


def _is_pickup(order, payment) -> bool:
    if payment is not None:
        return payment.checkout.delivery == payment.checkout.Delivery.PICKUP
    return order.shipping_code == "pickup"


# Picking --------------------------------------------------------------------------------------------


def window_picking(*, window: SaleWindow, actor) -> int:
    """Harvest and packing begin: the window stops taking pre-orders and each buyer (one phone) gets one
    text with the delivery dates and what is left to pay. How many buyers are told; 0 the second time."""
    with transaction.atomic():
        window = _locked(window)
        if window.state == SaleWindow.State.PICKING:
            return 0
        if window.state == SaleWindow.State.CANCELLED:
            raise WindowProblem(_("This sale window is cancelled."))
        rows = order_rows(window)
        if not rows:
            raise WindowProblem(_("Nobody has pre-ordered yet: there is nothing to pick."))
        window.state = SaleWindow.State.PICKING
        window.picking_at = timezone.now()
        window.save(update_fields=["state", "picking_at", "updated_at"])
        _audit(window, actor, "window_picking", orders=len(rows))
        buyers = _by_buyer(rows)
        for checkout, balance in buyers.values():
            text = _picking_text(window, balance)
            if checkout is not None:
                transaction.on_commit(lambda checkout=checkout, text=text: tell_buyer(checkout, text))
    return len(buyers)


def _by_buyer(rows: list[dict]) -> dict:
    """Rows by the buyer's phone: one of their checkouts (to text) and what they still owe in all."""
    buyers: dict[str, list] = {}
    for row in rows:
        checkout = row["payment"].checkout if row["payment"] is not None else None
        entry = buyers.setdefault(row["phone"], [checkout, 0])
        entry[0] = entry[0] or checkout
        entry[1] += row["balance"]
    return {phone: tuple(entry) for phone, entry in buyers.items()}


def _picking_text(window: SaleWindow, balance: int) -> str:
    values = {
        "product": window.product.get_title(),
        "stall": window.stall.name,
        "start": f"{window.harvest_from:%d/%m}",
        "end": f"{window.harvest_to:%d/%m}",
        "balance": format_vnd(balance),
    }
    if balance:
        return (
            _(
                "Chợ OCOP: the %(product)s you pre-ordered from %(stall)s is about to be harvested, "
                "delivery expected %(start)s–%(end)s. Pay %(balance)s more when you receive it."
            )
            % values
        )
    return (
        _(
            "Chợ OCOP: the %(product)s you pre-ordered from %(stall)s is about to be harvested, "
            "delivery expected %(start)s–%(end)s. It is paid in full."
        )
        % values
    )


# Cancelling -----------------------------------------------------------------------------------------


def window_cancel(*, window: SaleWindow, actor, reason: str) -> SaleWindow:
    """Cancel the window and its pre-orders in one transaction: an order made only of this window's
    pre-orders is cancelled, a mixed one keeps its other lines; every payment received is owed back
    (one ``WindowRefund`` per order). Then, after the commit, the card refunds go to Stripe; a refusal
    is kept on its row (the window page shows it, the stall tries again). A second cancel changes
    nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise WindowProblem(_("Say why the sale window is cancelled: the buyers will read it."))
    with transaction.atomic():
        window = _locked(window)
        if window.state == SaleWindow.State.CANCELLED:
            raise WindowProblem(_("This sale window is already cancelled."))
        now = timezone.now()
        # A pre-order already shipped or delivered stays as it is: its buyer has the goods, no money back.
        preorders = [p for p in active_preorders(window) if not _past_cancelling(p.line)]
        cancelling = {preorder.order_id for preorder in preorders}
        rows = [row for row in order_rows(window) if row["order"].pk in cancelling]
        window.state = SaleWindow.State.CANCELLED
        window.cancelled_at = now
        window.cancel_reason = reason[:300]
        window.save(update_fields=["state", "cancelled_at", "cancel_reason", "updated_at"])
        PreOrder.objects.filter(pk__in=[p.pk for p in preorders]).update(cancelled_at=now)
        cancelled_orders = _cancel_orders(window, preorders)
        owed = _owe_refunds(window, rows, whole_orders=cancelled_orders)
        _audit(window, actor, "window_cancel", reason=reason[:300], orders=len(rows), refunds=len(owed))
        for checkout, _balance in _by_buyer(rows).values():
            text = _(
                "Chợ OCOP: %(stall)s cancelled the pre-orders of %(product)s: %(reason)s. "
                "Any money you paid for it is given back to you."
            ) % {"stall": window.stall.name, "product": window.product.get_title(), "reason": reason[:160]}
            if checkout is not None:
                transaction.on_commit(lambda checkout=checkout, text=text: tell_buyer(checkout, text))
    window_card_refunds(window=window, actor=actor)
    return window


def _past_cancelling(line) -> bool:
    """A line the stall can no longer cancel (shipped, delivered): its goods are with the buyer."""
    return line.status != order_status.CANCELLED and order_status.CANCELLED not in order_status.PIPELINE.get(
        line.status, (order_status.CANCELLED,)
    )


def _cancel_orders(window: SaleWindow, preorders: list) -> set[int]:
    """Orders whose every line is a pre-order of this window are cancelled as the stall's cancel does
    it (each line's status, Oscar's shipping event); a line already delivered stays. The order ids."""
    window_lines = {preorder.line_id for preorder in preorders}
    order_ids = {preorder.order_id for preorder in preorders}
    lines_by_order = defaultdict(list)
    for line in Line.objects.filter(order_id__in=order_ids).select_for_update().order_by("pk"):
        lines_by_order[line.order_id].append(line)
    event_type = None
    cancelled = set()
    for order_id, lines in lines_by_order.items():
        if any(line.pk not in window_lines for line in lines):
            continue  # a mixed order: only its pre-order part is cancelled (PreOrder.cancelled_at)
        moved = []
        for line in lines:
            if line.status == order_status.CANCELLED:
                continue
            try:
                line.set_status(order_status.CANCELLED)
            except InvalidLineStatus:
                continue
            moved.append(line)
        if moved:
            if event_type is None:
                event_type, _created = ShippingEventType.objects.get_or_create(
                    code=order_status.CANCELLED, defaults={"name": f"Stall: {order_status.CANCELLED}"}
                )
            event = ShippingEvent.objects.create(order_id=order_id, event_type=event_type)
            ShippingEventQuantity.objects.bulk_create(
                ShippingEventQuantity(event=event, line=line, quantity=line.quantity) for line in moved
            )
        cancelled.add(order_id)
    return cancelled


def _owe_refunds(window: SaleWindow, rows: list[dict], *, whole_orders: set[int]) -> list[WindowRefund]:
    owed = []
    for row in rows:
        payment = row["payment"]
        if payment is None or not row["paid"]:
            continue
        if row["order"].pk in whole_orders:
            share = row["paid"]
        else:  # a mixed order: the window's part of what was paid
            deposit_only = payment.paid_at is None and payment.deposit_paid_at is not None
            share = min(row["paid"], window.deposit_for(row["value"]) if deposit_only else row["value"])
        amount = min(share, refundable(payment))
        if amount > 0:
            owed.append(WindowRefund(window=window, payment=payment, amount=amount))
    return WindowRefund.objects.bulk_create(owed)


def window_card_refunds(*, window: SaleWindow, actor) -> int:
    """Send the window's card refunds still owed (or refused before) to Stripe, each under its row's
    lock; how many went through. A refusal is written on the row, never raised."""
    done = 0
    pending = WindowRefund.objects.filter(
        window=window,
        status__in=(WindowRefund.Status.OWED, WindowRefund.Status.FAILED),
        payment__method=OrderPayment.Method.CARD,
    ).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            row = (
                WindowRefund.objects.select_for_update(of=("self",))
                .select_related("payment__order", "window")
                .filter(Q(status=WindowRefund.Status.OWED) | Q(status=WindowRefund.Status.FAILED), pk=pk)
                .first()
            )
            if row is None:
                continue
            reason = _("Sale window cancelled: %(reason)s") % {"reason": row.window.cancel_reason}
            try:
                refund = refund_card(row.payment, row.amount, actor=actor, reason=reason)
            except RefundProblem as problem:
                row.status, row.error = WindowRefund.Status.FAILED, problem.message[:300]
                row.save(update_fields=["status", "error", "updated_at"])
                logger.warning("window %s: card refund of order %s failed", window.pk, row.payment.order)
                continue
            row.status, row.refund, row.error = WindowRefund.Status.DONE, refund, ""
            row.save(update_fields=["status", "refund", "error", "updated_at"])
            done += 1
    return done


def window_refund_record(*, window_refund: WindowRefund, proof, actor, method: str) -> WindowRefund:
    """The stall gave a cancelled pre-order's money back itself (a transfer or cash) and shows the photo:
    the refund is recorded through the refund path (the buyer confirms it arrived). Once only."""
    with transaction.atomic():
        row = (
            WindowRefund.objects.select_for_update(of=("self",))
            .select_related("payment__order", "window__stall", "window__product")
            .get(pk=window_refund.pk)
        )
        if row.status != WindowRefund.Status.OWED or row.payment.method == OrderPayment.Method.CARD:
            raise WindowProblem(_("This refund is already recorded."))
        reason = _("Sale window cancelled: %(reason)s") % {"reason": row.window.cancel_reason}
        try:
            refund = refund_record(
                row.payment, row.amount, method=method, proof=proof, actor=actor, reason=reason
            )
        except RefundProblem as problem:
            raise WindowProblem(problem.message) from problem
        row.status, row.refund = WindowRefund.Status.DONE, refund
        row.save(update_fields=["status", "refund", "updated_at"])
        _audit(row.window, actor, "window_refund_recorded", order=row.payment.order.number, amount=row.amount)
    return row
