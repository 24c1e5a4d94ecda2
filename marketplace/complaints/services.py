"""Complaints after delivery: who may do what, and when.

States of a complaint (``Complaint.State``) and who moves it:

- **open**: the buyer opened it, within ``settings.COMPLAINT_WINDOW_DAYS`` days of the order's
  "delivered" step, on one or more delivered lines of that stall's order. The stall answers:
  - **refunded**: all or part of the money went back (a card through Stripe's Refund API; a transfer or
    cash recorded by the stall with a proof photo, which then *waits for the buyer's confirmation*:
    the complaint says so until the buyer taps "I received the money");
  - **replaced**: the stall sends a replacement (recorded, with the stall's words);
  - **declined**: the stall says no, with a reason (required).
- **escalated**: the buyer asked the commune to step in, after a decline, or when the stall has not
  answered within ``STALL_ANSWER_DAYS`` days of an open complaint.
- **decided**: commune staff of the stall's commune ordered a refund (made through the same refund
  functions, acted by the staff member) or closed the complaint with a reason. Final.

"open", "declined" and "escalated" are *unsettled*: an order has at most one unsettled complaint (a
database constraint: a double submit makes one). Once refunded or replaced, the buyer may open another
one on the same order while the window lasts. Each step is a ``ComplaintStep`` row (who, when, what,
how much), the complaint's timeline shown to the buyer, the stall and the commune, and is texted to the
other party (a refund's own texts to the buyer come from marketplace/payments/refunds.py).

A step that moves money runs under a lock on the complaint: a failed refund (Stripe refusing, more than
is left, a missing proof) leaves the complaint as it was, with the reason in words.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ground import order_status
from ground.messaging import send_text
from ground.money import format_vnd, to_dong
from marketplace.complaints.models import Complaint, ComplaintPhoto, ComplaintStep
from marketplace.payments import refunds
from marketplace.payments.buyers import buyer_checkouts, order_link
from marketplace.payments.models import OrderPayment, Refund
from marketplace.payments.refunds import RefundProblem, refund_card, refund_confirm, refund_record
from marketplace.payments.services import step_times, tell_buyer
from sellers.access import managed_stalls, staff_communes
from sellers.models import CommuneAssignment, Stall

MAX_PHOTOS = 3
STALL_ANSWER_DAYS = 2
State = Complaint.State
Action = ComplaintStep.Action
Role = ComplaintStep.Role


class ComplaintProblem(Exception):
    """Why this step cannot be taken, in words for the person who asked; nothing was saved."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Reading --------------------------------------------------------------------------------------------


def delivered_at(payment: OrderPayment) -> datetime | None:
    """When the stall marked the order delivered (its shipping events prefetched or not)."""
    return step_times(payment.order).get(order_status.DELIVERED)


def window_end(payment: OrderPayment) -> datetime | None:
    start = delivered_at(payment)
    return start + timedelta(days=settings.COMPLAINT_WINDOW_DAYS) if start else None


def delivered_lines(payment: OrderPayment) -> list:
    return [line for line in payment.order.lines.all() if line.status == order_status.DELIVERED]


def within_window(payment: OrderPayment, *, now: datetime | None = None) -> bool:
    end = window_end(payment)
    return end is not None and (now or timezone.now()) <= end


def lines_value(lines) -> int:
    return sum(to_dong(line.line_price_incl_tax) for line in lines)


def can_escalate(complaint: Complaint, *, now: datetime | None = None) -> bool:
    """Once the stall has answered (declined, refunded, replaced: the buyer may not agree, or may not
    have received the money), or when it has not answered an open complaint in time."""
    if complaint.state in (State.DECLINED, State.REFUNDED, State.REPLACED):
        return True
    waited = (now or timezone.now()) - complaint.created_at
    return complaint.state == State.OPEN and waited >= timedelta(days=STALL_ANSWER_DAYS)


def awaiting_confirmation(complaint: Complaint) -> list[Refund]:
    """The complaint's refunds the buyer has still to confirm (steps and their refunds prefetched)."""
    return [
        step.refund
        for step in complaint.steps.all()
        if step.refund is not None and step.refund.status == Refund.Status.AWAITING_BUYER
    ]


def with_timeline(complaints):
    """Complaints with what their pages show, in a fixed number of queries."""
    return complaints.select_related(
        "payment__order", "payment__checkout", "stall__partner", "stall__commune"
    ).prefetch_related(
        Prefetch(
            "steps", queryset=ComplaintStep.objects.select_related("refund", "actor").order_by("at", "pk")
        ),
        "photos",
        "lines",
    )


def step_label(step: ComplaintStep) -> str:
    """What a step says on the timeline, in the buyer's words."""
    amount = format_vnd(step.amount) if step.amount else ""
    if step.action in (Action.REFUNDED, Action.DECIDED_REFUND) and step.refund is not None:
        who = _("The commune") if step.role == Role.STAFF else _("The stall")
        if step.refund.status == Refund.Status.AWAITING_BUYER:
            return _("%(who)s says %(amount)s was given back: waiting for the buyer to confirm") % {
                "who": who,
                "amount": amount,
            }
        if step.refund.status == Refund.Status.PENDING:
            return _("%(who)s is refunding %(amount)s to the card") % {"who": who, "amount": amount}
        if step.refund.status == Refund.Status.FAILED:
            return _("The refund of %(amount)s failed") % {"amount": amount}
        paid = step.complaint.payment.amount
        if step.amount < paid:
            return _("%(who)s refunded %(amount)s: partly refunded") % {"who": who, "amount": amount}
        return _("%(who)s refunded %(amount)s") % {"who": who, "amount": amount}
    if step.action == Action.CONFIRMED:
        return _("The buyer received the refund of %(amount)s") % {"amount": amount}
    return f"{step.get_role_display()}: {step.get_action_display()}"


@dataclass
class BuyerView:
    """What the buyer's order page shows under a delivered order (``payment.complaints``)."""

    payment: OrderPayment
    can_open: bool = False
    waiting: bool = False
    window_end: datetime | None = None
    complaints: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.window_end or self.complaints)


def annotate(payments: list, request) -> None:
    """Set ``payment.complaints`` on each of the checkout's payments (OrderPayment, order and lines loaded)
    that this request may act on as the buyer: what frontend/templates/complaints/_order_actions.html shows
    under the order. Left unset (falsy) when there is nothing to offer."""
    if not payments:
        return
    owned = set(
        buyer_checkouts(request)
        .filter(payments__in=[payment.pk for payment in payments])
        .values_list("payments", flat=True)
    )
    complaints = {}
    for complaint in with_timeline(Complaint.objects.filter(payment__in=owned)):
        complaints.setdefault(complaint.payment_id, []).append(complaint)
    now = timezone.now()
    for payment in payments:
        if payment.pk not in owned:
            continue
        view = BuyerView(payment=payment, complaints=complaints.get(payment.pk, []))
        for complaint in view.complaints:
            complaint.timeline = [(step, step_label(step)) for step in complaint.steps.all()]
            complaint.to_confirm = awaiting_confirmation(complaint)
            complaint.may_escalate = can_escalate(complaint, now=now)
        if delivered_lines(payment):
            view.window_end = window_end(payment)
            unsettled = any(not complaint.settled for complaint in view.complaints)
            view.can_open = within_window(payment, now=now) and not unsettled
            # While a refund waits for the buyer's word, the page asks for that word, not a new complaint.
            view.waiting = any(complaint.to_confirm for complaint in view.complaints)
        if view:
            payment.complaints = view


def buyer_payment_or_none(request, number: str) -> OrderPayment | None:
    """The stall's order of this number, if this request is its buyer (lines and steps loaded)."""
    return (
        OrderPayment.objects.filter(order__number=number, checkout__in=buyer_checkouts(request))
        .select_related("order", "checkout", "stall__partner")
        .prefetch_related("order__lines", "order__shipping_events__event_type")
        .first()
    )


def stall_complaints(stall: Stall):
    return with_timeline(Complaint.objects.filter(stall=stall))


def staff_complaints(user):
    """Complaints of the stalls of the communes this staff member serves."""
    return with_timeline(Complaint.objects.filter(stall__commune__in=staff_communes(user)))


def may_see(request, complaint: Complaint) -> bool:
    """The buyer, the stall's people and its commune's staff see a complaint (and its photos)."""
    user = request.user
    if user.is_authenticated and (
        managed_stalls(user).filter(pk=complaint.stall_id).exists()
        or staff_communes(user).filter(pk=complaint.stall.commune_id).exists()
    ):
        return True
    return buyer_checkouts(request).filter(payments=complaint.payment_id).exists()


def complaint_counts(*, stalls=None, communes=None, since=None, until=None) -> dict:
    """For the dashboards: complaints opened (in [since, until)), how many are in each state now, and
    the đồng refunded through them (refunds done or waiting for the buyer's confirmation)."""
    complaints = Complaint.objects.all()
    if stalls is not None:
        complaints = complaints.filter(stall__in=stalls)
    if communes is not None:
        complaints = complaints.filter(stall__commune__in=communes)
    if since is not None:
        complaints = complaints.filter(created_at__gte=since)
    if until is not None:
        complaints = complaints.filter(created_at__lt=until)
    by_state = dict.fromkeys(State.values, 0)
    for row in complaints.values("state").annotate(count=Count("pk")):
        by_state[row["state"]] = row["count"]
    refunded = (
        ComplaintStep.objects.filter(
            complaint__in=complaints,
            refund__status__in=(Refund.Status.SUCCEEDED, Refund.Status.AWAITING_BUYER),
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    return {"opened": sum(by_state.values()), "by_state": by_state, "refunded": refunded}


# Telling the other party ------------------------------------------------------------------------------


def stall_phone(stall: Stall) -> str:
    if stall.phone:
        return stall.phone
    account = getattr(stall.owner, "phone_account", None) if stall.owner_id else None
    return account.phone if account is not None else ""


def _stall_url(complaint: Complaint) -> str:
    return settings.SITE_URL + reverse(
        "sellers:complaint", kwargs={"stall_pk": complaint.stall_id, "pk": complaint.pk}
    )


def _tell_stall(complaint: Complaint, text: str) -> None:
    phone = stall_phone(complaint.stall)
    if phone:
        send_text(phone=phone, text=text)


def _tell_staff(complaint: Complaint, text: str) -> None:
    assignments = CommuneAssignment.objects.filter(
        commune=complaint.stall.commune_id, role=CommuneAssignment.Role.STAFF
    ).select_related("user__phone_account")
    for assignment in assignments:
        account = getattr(assignment.user, "phone_account", None)
        if account is not None:
            send_text(phone=account.phone, text=text)


def _tell_buyer(complaint: Complaint, text: str) -> None:
    checkout = complaint.payment.checkout
    transaction.on_commit(lambda: tell_buyer(checkout, text))


def _step(complaint: Complaint, action: str, *, role: str, actor, amount=None, words="", refund=None):
    return ComplaintStep.objects.create(
        complaint=complaint,
        action=action,
        role=role,
        actor=actor if actor is not None and actor.is_authenticated else None,
        amount=amount,
        words=words,
        refund=refund,
    )


# The buyer --------------------------------------------------------------------------------------------


def open_complaint(*, payment: OrderPayment, lines, reason: str, words: str, photos, actor) -> Complaint:
    """The buyer's complaint on ``lines`` (delivered lines of ``payment``'s order), with up to three
    cleaned photos. ComplaintProblem when it is too late, a line is not delivered, or one is open."""
    if not within_window(payment):
        raise ComplaintProblem(
            _("Complaints are possible for %(days)s days after delivery; this order was delivered earlier.")
            % {"days": settings.COMPLAINT_WINDOW_DAYS}
        )
    delivered = {line.pk for line in delivered_lines(payment)}
    lines = list(lines)
    if not lines or any(line.pk not in delivered for line in lines):
        raise ComplaintProblem(_("Choose the delivered products the complaint is about."))
    photos = list(photos)[:MAX_PHOTOS]
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                payment=payment,
                stall=payment.stall,
                reason=reason,
                words=words,
                value=lines_value(lines),
            )
            complaint.lines.set(lines)
            for photo in photos:
                ComplaintPhoto(complaint=complaint).image.save("photo.jpg", photo)
            _step(complaint, Action.OPENED, role=Role.BUYER, actor=actor, amount=complaint.value, words=words)
    except IntegrityError as error:
        raise ComplaintProblem(
            _("This order already has a complaint waiting for an answer: see it below.")
        ) from error
    _tell_stall(
        complaint,
        _(
            "Chợ OCOP: the buyer of order %(number)s has a complaint (%(reason)s). "
            "Please answer within %(days)s days: %(url)s"
        )
        % {
            "number": payment.order.number,
            "reason": complaint.get_reason_display(),
            "days": STALL_ANSWER_DAYS,
            "url": _stall_url(complaint),
        },
    )
    return complaint


def escalate(complaint: Complaint, *, actor, words: str = "") -> None:
    """The buyer asks the commune to step in (after a decline, or an open complaint left unanswered)."""
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update()
            .select_related("payment__order", "stall")
            .get(pk=complaint.pk)
        )
        if not can_escalate(complaint):
            raise ComplaintProblem(
                _(
                    "The commune can step in once the stall has answered, or when the stall has not "
                    "answered within %(days)s days."
                )
                % {"days": STALL_ANSWER_DAYS}
            )
        # A refund the buyer never confirmed does not count: its amount is free for the commune's decision.
        for step in complaint.steps.filter(refund__status=Refund.Status.AWAITING_BUYER).select_related(
            "refund"
        ):
            refunds.fail(step.refund, error="the buyer asked the commune instead of confirming it")
        complaint.state = State.ESCALATED
        try:
            with transaction.atomic():
                complaint.save(update_fields=["state", "updated_at"])
        except IntegrityError as error:
            raise ComplaintProblem(
                _("Another complaint on this order is still open: the commune looks at that one first.")
            ) from error
        _step(complaint, Action.ESCALATED, role=Role.BUYER, actor=actor, words=words)
        number = complaint.payment.order.number
        _tell_stall(
            complaint,
            _("Chợ OCOP: the buyer of order %(number)s asked the commune to decide on the complaint.")
            % {"number": number},
        )
        _tell_staff(
            complaint,
            _(
                "Chợ OCOP: a complaint on order %(number)s (%(stall)s) waits for the commune's "
                "decision: %(url)s"
            )
            % {
                "number": number,
                "stall": complaint.stall.name,
                "url": settings.SITE_URL + reverse("sellers:commune-complaint", kwargs={"pk": complaint.pk}),
            },
        )


def confirm_refund(refund: Refund, *, actor) -> bool:
    """The buyer says the refund arrived: it counts, and the stall hears of it. True the first time."""
    if not refund_confirm(refund):
        return False
    step = refund.complaint_steps.select_related(
        "complaint__stall__owner", "complaint__payment__order"
    ).first()
    if step is not None:
        complaint = step.complaint
        _step(complaint, Action.CONFIRMED, role=Role.BUYER, actor=actor, amount=refund.amount)
        _tell_stall(
            complaint,
            _("Chợ OCOP: the buyer of order %(number)s received the refund of %(amount)s.")
            % {"number": complaint.payment.order.number, "amount": format_vnd(refund.amount)},
        )
    return True


# The stall and the commune --------------------------------------------------------------------------


def _refund(complaint: Complaint, amount: int, *, proof, actor, reason: str) -> Refund:
    """Money back through the payments' refund functions (card: Stripe; else recorded with a proof)."""
    payment = complaint.payment
    if payment.method == OrderPayment.Method.CARD:
        return refund_card(payment, amount, actor=actor, reason=reason)
    method = Refund.Method.TRANSFER if payment.method == OrderPayment.Method.VIETQR else Refund.Method.CASH
    return refund_record(payment, amount, method=method, proof=proof, actor=actor, reason=reason)


def _locked(complaint: Complaint, states) -> Complaint:
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("payment__order", "payment__checkout", "stall__owner__phone_account")
        .get(pk=complaint.pk)
    )
    if complaint.state not in states:
        raise ComplaintProblem(_("This complaint was already answered: see its timeline."))
    return complaint


def stall_answer(
    complaint: Complaint, *, action: str, actor, amount=None, proof=None, words: str = ""
) -> None:
    """The stall answers an open complaint: "refund" (``amount`` đồng), "replace" or "decline"."""
    problem = None
    with transaction.atomic():
        complaint = _locked(complaint, (State.OPEN,))
        number, stall = complaint.payment.order.number, complaint.stall.name
        if action == "refund":
            try:
                refund = _refund(complaint, amount, proof=proof, actor=actor, reason=words or _("Complaint"))
            except RefundProblem as error:
                problem = error.message  # the failed card refund, if any, stays on record
            else:
                complaint.state = State.REFUNDED
                complaint.refunded += amount
                _step(
                    complaint,
                    Action.REFUNDED,
                    role=Role.STALL,
                    actor=actor,
                    amount=amount,
                    words=words,
                    refund=refund,
                )
        elif action == "replace":
            complaint.state = State.REPLACED
            _step(complaint, Action.REPLACED, role=Role.STALL, actor=actor, words=words)
            _tell_buyer(
                complaint,
                _("Chợ OCOP: %(stall)s is sending you a replacement for order %(number)s.")
                % {"stall": stall, "number": number},
            )
        elif action == "decline":
            if not words.strip():
                raise ComplaintProblem(_("Write why you decline: the buyer and the commune will read it."))
            complaint.state = State.DECLINED
            _step(complaint, Action.DECLINED, role=Role.STALL, actor=actor, words=words)
            _tell_buyer(
                complaint,
                _(
                    "Chợ OCOP: %(stall)s declined your complaint on order %(number)s: %(reason)s. "
                    "You can ask the commune to decide: %(url)s"
                )
                % {
                    "stall": stall,
                    "number": number,
                    # The stall's own words in a platform's text: short (the page has them whole).
                    "reason": Truncator(words.strip()).chars(120),
                    "url": order_link(complaint.payment.checkout, part=f"khieu-nai-{number}"),
                },
            )
        else:
            raise ComplaintProblem(_("Choose an answer."))
        if problem is None:
            complaint.save(update_fields=["state", "refunded", "updated_at"])
    if problem is not None:
        raise ComplaintProblem(problem)


def staff_decide(complaint: Complaint, *, action: str, actor, words: str, amount=None, proof=None) -> None:
    """Commune staff decide an escalated complaint: "refund" (``amount`` đồng) or "close"; both with a
    reason. Told to the buyer and to the stall."""
    if not words.strip():
        raise ComplaintProblem(_("Write the reason for the decision: the buyer and the stall will read it."))
    problem = None
    with transaction.atomic():
        complaint = _locked(complaint, (State.ESCALATED,))
        number = complaint.payment.order.number
        if action == "refund":
            try:
                refund = _refund(complaint, amount, proof=proof, actor=actor, reason=words)
            except RefundProblem as error:
                problem = error.message
            else:
                complaint.refunded += amount
                _step(
                    complaint,
                    Action.DECIDED_REFUND,
                    role=Role.STAFF,
                    actor=actor,
                    amount=amount,
                    words=words,
                    refund=refund,
                )
                text = _(
                    "Chợ OCOP: the commune decided on the complaint on order %(number)s: "
                    "refund %(amount)s. %(reason)s"
                ) % {
                    "number": number,
                    "amount": format_vnd(amount),
                    "reason": words,
                }
        elif action == "close":
            _step(complaint, Action.DECIDED_CLOSE, role=Role.STAFF, actor=actor, words=words)
            text = _("Chợ OCOP: the commune closed the complaint on order %(number)s: %(reason)s") % {
                "number": number,
                "reason": words,
            }
        else:
            raise ComplaintProblem(_("Choose a decision."))
        if problem is None:
            complaint.state = State.DECIDED
            complaint.save(update_fields=["state", "refunded", "updated_at"])
            _tell_buyer(complaint, text)
            _tell_stall(complaint, text)
    if problem is not None:
        raise ComplaintProblem(problem)
