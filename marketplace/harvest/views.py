"""The stall's sale windows: the list, a window's page (its pre-orders, the form to change it, the
refunds of a cancelled one), closing, picking, cancelling and the printable pick list. Every view goes
through ``with_stall``: another stall's window is a 404."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.harvest import services
from marketplace.harvest.forms import CancelForm, RefundRecordForm, WindowForm
from marketplace.harvest.models import WindowRefund
from marketplace.harvest.picklist import pick_list, pick_list_csv
from marketplace.harvest.tasks import close_due_soon
from seasons.models import SaleWindow
from sellers.access import with_stall


def _window_or_404(stall, window_pk) -> SaleWindow:
    try:
        return SaleWindow.objects.select_related("product", "stall").get(pk=window_pk, stall=stall)
    except SaleWindow.DoesNotExist as error:
        raise Http404 from error


def state_words(window: SaleWindow) -> str:
    """Where the window is, as the household says it: "Taking pre-orders until 20/06"."""
    closed = {
        SaleWindow.ClosedBecause.DATE: _("Closed: the closing date has passed"),
        SaleWindow.ClosedBecause.FULL: _("Closed: everything is pre-ordered"),
        SaleWindow.ClosedBecause.STALL: _("Closed by you"),
    }
    if window.state == SaleWindow.State.OPEN:
        today = timezone.localdate()
        if window.closes_on < today:
            return closed[SaleWindow.ClosedBecause.DATE]
        if window.remaining <= 0:
            return closed[SaleWindow.ClosedBecause.FULL]
        if window.opens_on > today:
            return _("Opens on %(date)s") % {
                "date": formats.date_format(window.opens_on, "SHORT_DATE_FORMAT")
            }
        return _("Taking pre-orders until %(date)s") % {
            "date": formats.date_format(window.closes_on, "SHORT_DATE_FORMAT")
        }
    if window.state == SaleWindow.State.CLOSED and window.closed_because in closed:
        return closed[window.closed_because]
    return window.get_state_display()


def _back(window):
    return redirect("sellers:window", stall_pk=window.stall_id, window_pk=window.pk)


@with_stall
def window_list(request, stall):
    close_due_soon()  # the windows past their date are closed in the background, once a day
    windows = list(
        SaleWindow.objects.filter(stall=stall).select_related("product").order_by("-opens_on", "-pk")
    )
    for window in windows:
        window.state_words = state_words(window)
    return render(request, "harvest/window_list.html", {"stall": stall, "windows": windows})


@with_stall
@require_http_methods(["GET", "POST"])
def window_create(request, stall):
    form = WindowForm(request.POST or None, stall=stall)
    if request.method == "POST" and form.is_valid():
        window = services.window_create(stall=stall, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The sale window is saved. Buyers can pre-order from its opening day."))
        return _back(window)
    return render(request, "harvest/window_form.html", {"stall": stall, "form": form})


@never_cache  # the buyers' names and phones: private, never kept by a shared cache
@with_stall
@require_http_methods(["GET", "POST"])
def window_detail(request, stall, window_pk):
    window = _window_or_404(stall, window_pk)
    editable = window.state != SaleWindow.State.CANCELLED
    form = WindowForm(request.POST or None, stall=stall, window=window) if editable else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This sale window is cancelled: it cannot be changed."))
            return _back(window)
        if form.is_valid():
            try:
                services.window_update(window=window, actor=request.user, **form.cleaned_data)
            except services.WindowProblem as problem:
                messages.error(request, problem.message)
            else:
                messages.success(request, _("The sale window is saved."))
            return _back(window)
    window.state_words = state_words(window)
    listing = pick_list(window)
    refunds = list(
        WindowRefund.objects.filter(window=window).select_related("payment__order", "payment__checkout")
    )
    context = {
        "stall": stall,
        "window": window,
        "form": form,
        "rows": [row for group in listing["groups"] for row in group["rows"]],
        "totals": listing["totals"],
        "refunds": refunds,
        "cards_failed": any(refund.status == WindowRefund.Status.FAILED for refund in refunds),
        "cancel_form": CancelForm(),
        "refund_form": RefundRecordForm(),
    }
    return render(request, "harvest/window_detail.html", context)


@with_stall
@require_POST
def window_close(request, stall, window_pk):
    window = _window_or_404(stall, window_pk)
    if services.window_close(window=window, actor=request.user):
        messages.success(request, _("Pre-orders are closed. Buyers can no longer order from this window."))
    else:
        messages.error(request, _("This sale window is not taking pre-orders."))
    return _back(window)


@with_stall
@require_POST
def window_picking(request, stall, window_pk):
    window = _window_or_404(stall, window_pk)
    try:
        told = services.window_picking(window=window, actor=request.user)
    except services.WindowProblem as problem:
        messages.error(request, problem.message)
        return _back(window)
    if told:
        messages.success(request, _("Picking has started: each buyer gets a text with the delivery dates."))
    else:
        messages.info(request, _("Picking had already started: the buyers were told then."))
    return redirect("sellers:window-picklist", stall_pk=stall.pk, window_pk=window.pk)


@with_stall
@require_POST
def window_cancel(request, stall, window_pk):
    window = _window_or_404(stall, window_pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return _back(window)
    try:
        window = services.window_cancel(window=window, actor=request.user, reason=form.cleaned_data["reason"])
    except services.WindowProblem as problem:
        messages.error(request, problem.message)
        return _back(window)
    messages.success(request, _("The sale window is cancelled. The buyers are told; their money goes back."))
    return _back(window)


@never_cache  # the buyers' names and phones: private, never kept by a shared cache
@with_stall
def window_picklist(request, stall, window_pk):
    window = _window_or_404(stall, window_pk)
    listing = pick_list(window)
    if request.GET.get("format") == "csv":
        response = HttpResponse(pick_list_csv(window, listing), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="soan-hang-{window.pk}.csv"'
        return response
    return render(request, "harvest/picklist.html", {"stall": stall, "window": window, **listing})


@with_stall
@require_POST
def window_refund(request, stall, window_pk, refund_pk):
    window = _window_or_404(stall, window_pk)
    try:
        row = WindowRefund.objects.get(pk=refund_pk, window=window)
    except WindowRefund.DoesNotExist as error:
        raise Http404 from error
    form = RefundRecordForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return _back(window)
    try:
        services.window_refund_record(
            window_refund=row,
            proof=form.cleaned_data["proof"],
            actor=request.user,
            method=form.cleaned_data["method"],
        )
    except services.WindowProblem as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, _("The refund is recorded. The buyer is asked to confirm it arrived."))
    return _back(window)


@with_stall
@require_POST
def window_card_retry(request, stall, window_pk):
    window = _window_or_404(stall, window_pk)
    if window.state != SaleWindow.State.CANCELLED:
        raise Http404
    services.window_card_refunds(window=window, actor=request.user)
    return _back(window)
