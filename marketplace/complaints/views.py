"""The complaint pages: the buyer's (on their order), the stall's (seller area) and the commune's.

Who reaches what: a complaint page and its photos answer only the order's buyer (payments.buyers),
the people of the stall (sellers.access.with_stall) and staff of the stall's commune
(sellers.access.staff_communes); anyone else gets a 404, a guessed number included."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ground.storage import private_download
from marketplace.complaints import services
from marketplace.complaints.forms import (
    ComplaintForm,
    DeclineForm,
    EscalateForm,
    ReplaceForm,
    StaffCloseForm,
    StaffRefundForm,
    StallRefundForm,
)
from marketplace.complaints.models import Complaint, ComplaintPhoto
from marketplace.payments.buyers import buyer_checkouts
from marketplace.payments.models import Refund
from marketplace.payments.refunds import refundable
from sellers.access import seller_login_required, staff_communes, with_stall

Line = Complaint.lines.field.related_model


def _order_url(payment) -> str:
    """The buyer's order page (buyers app), at this order's complaints."""
    url = reverse("buyers:checkout", kwargs={"reference": payment.checkout.reference})
    return f"{url}#khieu-nai-{payment.order.number}"


# The buyer --------------------------------------------------------------------------------------------


def order_complaints(request, number: str):
    """The buyer's complaints on one stall's order, and the form to open one while the window lasts."""
    payment = services.buyer_payment_or_none(request, number)
    if payment is None:
        raise Http404
    services.annotate([payment], request)
    view = getattr(payment, "complaints", None)
    lines = services.delivered_lines(payment)
    form = None
    if view is not None and view.can_open:
        queryset = Line.objects.filter(pk__in=[line.pk for line in lines]).order_by("pk")
        if request.method == "POST":
            form = ComplaintForm(request.POST, request.FILES, lines=queryset)
            if form.is_valid():
                try:
                    services.open_complaint(
                        payment=payment,
                        lines=form.cleaned_data["lines"],
                        reason=form.cleaned_data["reason"],
                        words=form.cleaned_data["words"],
                        photos=form.cleaned_data["photos"],
                        actor=request.user,
                    )
                except services.ComplaintProblem as problem:
                    messages.error(request, problem.message)
                else:
                    messages.success(
                        request, _("Complaint sent. The stall has 2 days to answer; we text you.")
                    )
                return redirect(_order_url(payment))
        else:
            form = ComplaintForm(lines=queryset)
    elif request.method == "POST":
        messages.error(request, _("A complaint cannot be opened on this order now."))
        return redirect(_order_url(payment))
    status = 400 if form is not None and form.is_bound else 200
    context = {"payment": payment, "view": view, "form": form, "escalate_form": EscalateForm()}
    return render(request, "complaints/order.html", context, status=status)


def _buyer_complaint(request, pk) -> Complaint:
    complaint = (
        Complaint.objects.filter(pk=pk, payment__checkout__in=buyer_checkouts(request))
        .select_related("payment__order", "payment__checkout")
        .first()
    )
    if complaint is None:
        raise Http404
    return complaint


@require_POST
def escalate(request, pk: int):
    complaint = _buyer_complaint(request, pk)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Your words are too long: at most 1000 characters."))
    else:
        try:
            services.escalate(complaint, actor=request.user, words=form.cleaned_data["words"])
        except services.ComplaintProblem as problem:
            messages.error(request, problem.message)
        else:
            messages.success(request, _("The commune will look at your complaint; we text you its decision."))
    return redirect(_order_url(complaint.payment))


@require_POST
def confirm_refund(request, refund_pk: int):
    refund = (
        Refund.objects.filter(pk=refund_pk, payment__checkout__in=buyer_checkouts(request))
        .select_related("payment__order", "payment__checkout")
        .first()
    )
    if refund is None:
        raise Http404
    if services.confirm_refund(refund, actor=request.user):
        messages.success(request, _("Thank you: the refund is confirmed."))
    return redirect(_order_url(refund.payment))


def photo(request, pk: int):
    """A complaint photo, for the buyer, the stall and its commune's staff only."""
    found = ComplaintPhoto.objects.filter(pk=pk).select_related("complaint__stall").first()
    if found is None or not services.may_see(request, found.complaint):
        raise Http404
    response = private_download(found.image, filename=f"khieu-nai-{found.complaint_id}-{found.pk}.jpg")
    response["Cache-Control"] = "private, no-store"
    return response


def proof(request, refund_pk: int):
    """The stall's proof of a refund of a complaint, for the same people."""
    step = (
        services.ComplaintStep.objects.filter(refund__pk=refund_pk)
        .select_related("refund", "complaint__stall")
        .first()
    )
    if step is None or not step.refund.proof or not services.may_see(request, step.complaint):
        raise Http404
    response = private_download(step.refund.proof, filename=f"hoan-tien-{refund_pk}.jpg")
    response["Cache-Control"] = "private, no-store"
    return response


# The stall --------------------------------------------------------------------------------------------


@with_stall
def stall_list(request, stall):
    complaints = list(services.stall_complaints(stall)[:100])
    for complaint in complaints:
        complaint.timeline = [(step, services.step_label(step)) for step in complaint.steps.all()]
    return render(request, "complaints/stall_list.html", {"stall": stall, "complaints": complaints})


ANSWER_FORMS = {"refund": StallRefundForm, "replace": ReplaceForm, "decline": DeclineForm}
ANSWER_DONE = {
    "refund": gettext_lazy("Refund recorded. The buyer gets a message."),
    "replace": gettext_lazy("Replacement recorded. The buyer gets a message."),
    "decline": gettext_lazy("Answer sent. The buyer may ask the commune to decide."),
}


def _refund_kwargs(complaint) -> dict:
    left = refundable(complaint.payment)
    return {"payment": complaint.payment, "left": left}


def _answer(request, complaint, form_classes: dict, act) -> tuple[dict, str | None, int]:
    """The answer forms of a complaint page (a refund form prefilled with what can go back, and the
    others), and a POST's outcome: ``act(action, cleaned_data)`` does it (a ComplaintProblem is said
    on the form). Returns the forms, the action done (None when nothing was) and the status."""
    refund_kwargs = _refund_kwargs(complaint)
    initial = {"amount": min(complaint.value, refund_kwargs["left"]) or ""}
    forms = {
        action: form_class(
            initial=initial if action == "refund" else None,
            auto_id=f"{action}_%s",
            **(refund_kwargs if action == "refund" else {}),
        )
        for action, form_class in form_classes.items()
    }
    if request.method != "POST":
        return forms, None, 200
    action = request.POST.get("action")
    if action not in form_classes:
        raise Http404
    kwargs = refund_kwargs if action == "refund" else {}
    form = forms[action] = form_classes[action](request.POST, request.FILES, auto_id=f"{action}_%s", **kwargs)
    if form.is_valid():
        try:
            act(action, form.cleaned_data)
        except services.ComplaintProblem as problem:
            form.add_error(None, problem.message)
        else:
            return forms, action, 200
    return forms, None, 400


@with_stall
def stall_complaint(request, stall, pk: int):
    complaint = get_object_or_404(services.stall_complaints(stall), pk=pk)

    def act(action, data):
        services.stall_answer(
            complaint,
            action=action,
            actor=request.user,
            amount=data.get("amount"),
            proof=data.get("proof"),
            words=data.get("words", ""),
        )

    forms, done, status = _answer(request, complaint, ANSWER_FORMS, act)
    if done:
        messages.success(request, str(ANSWER_DONE[done]))
        return redirect("sellers:complaint", stall_pk=stall.pk, pk=complaint.pk)
    complaint.timeline = [(step, services.step_label(step)) for step in complaint.steps.all()]
    context = {"stall": stall, "complaint": complaint, "forms": forms, "left": refundable(complaint.payment)}
    return render(request, "complaints/stall_complaint.html", context, status=status)


# The commune --------------------------------------------------------------------------------------------


def _staff_only(request):
    if not staff_communes(request.user).exists():
        raise PermissionDenied


@seller_login_required
def staff_list(request):
    _staff_only(request)
    complaints = list(services.staff_complaints(request.user).order_by("-updated_at")[:100])
    for complaint in complaints:
        complaint.timeline = [(step, services.step_label(step)) for step in complaint.steps.all()]
    return render(request, "complaints/staff_list.html", {"complaints": complaints})


DECISION_FORMS = {"refund": StaffRefundForm, "close": StaffCloseForm}


@seller_login_required
def staff_complaint(request, pk: int):
    _staff_only(request)
    complaint = get_object_or_404(services.staff_complaints(request.user), pk=pk)

    def act(action, data):
        services.staff_decide(
            complaint,
            action=action,
            actor=request.user,
            words=data["words"],
            amount=data.get("amount"),
            proof=data.get("proof"),
        )

    forms, done, status = _answer(request, complaint, DECISION_FORMS, act)
    if done:
        messages.success(request, _("Decision recorded. The buyer and the stall get a message."))
        return redirect("sellers:commune-complaint", pk=complaint.pk)
    complaint.timeline = [(step, services.step_label(step)) for step in complaint.steps.all()]
    context = {"complaint": complaint, "forms": forms, "left": refundable(complaint.payment)}
    return render(request, "complaints/staff_complaint.html", context, status=status)
