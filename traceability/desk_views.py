"""The cooperative's traceability desk, inside the seller dashboard: plots, lots, events, stamps, scans."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ground.storage import private_download
from sellers.access import with_stall
from traceability import services
from traceability.forms import CertificationForm, EventForm, LotForm, PlotForm, RangeForm, StampRunForm
from traceability.models import Certification, FarmPlot, StampRun
from traceability.printing import run_csv
from traceability.selectors import (
    cooperative_stalls,
    lots_of,
    scans_per_day,
    stamp_runs_of,
    suspicious_stamps,
)


def _lot_or_404(stall, lot_pk):
    lot = lots_of(stall).filter(pk=lot_pk).first()
    if lot is None:
        raise Http404
    return lot


def _run_or_404(stall, run_pk) -> StampRun:
    run = (
        StampRun.objects.select_related("lot__product", "lot__owner__partner")
        .filter(pk=run_pk, lot__owner__in=cooperative_stalls(stall))
        .first()
    )
    if run is None:
        raise Http404
    return run


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@with_stall
def desk(request, stall):
    posted = request.POST if request.method == "POST" else None
    forms = {
        "plot": PlotForm(posted, stall=stall, prefix="plot"),
        "lot": LotForm(posted, stall=stall, prefix="lot"),
        "cert": CertificationForm(posted, request.FILES or None, stall=stall, prefix="cert"),
    }
    if posted is not None:
        kind = next((name for name in forms if f"{name}-submit" in posted), "lot")
        form = forms[kind]
        # Only the submitted form is validated; the others are shown empty again.
        forms = {
            name: other if name == kind else type(other)(stall=stall, prefix=name)
            for name, other in forms.items()
        }
        if form.is_valid():
            try:
                return _save_desk_form(request, stall, kind, dict(form.cleaned_data))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
    stalls = cooperative_stalls(stall)
    context = {
        "stall": stall,
        "plots": FarmPlot.objects.filter(owner__in=stalls).select_related("owner__partner"),
        "certifications": Certification.objects.filter(holder__in=stalls).select_related("product"),
        "lots": lots_of(stall),
        "suspicious": suspicious_stamps(stall),
        "plot_form": forms["plot"],
        "lot_form": forms["lot"],
        "cert_form": forms["cert"],
    }
    response = render(request, "traceability/desk.html", context)
    # The plot form's "Use my location" asks the phone where it is: the site switches geolocation off
    # everywhere (settings.PERMISSIONS_POLICY) but on this page, for the page itself and no frame.
    features = {**settings.PERMISSIONS_POLICY, "geolocation": ["self"]}
    response["Permissions-Policy"] = ", ".join(
        f"{feature}=({' '.join(origins)})" for feature, origins in features.items()
    )
    return response


def _save_desk_form(request, stall, kind: str, data: dict):
    if kind == "plot":
        services.plot_create(manager_stall=stall, owner=data.pop("owner"), actor=request.user, **data)
        messages.success(request, _("Plot saved."))
    elif kind == "cert":
        services.certification_add(manager_stall=stall, holder=data.pop("holder"), actor=request.user, **data)
        messages.success(request, _("Certificate saved."))
    else:
        lot = services.lot_create(manager_stall=stall, actor=request.user, **data)
        messages.success(request, _("Lot %(code)s saved.") % {"code": lot.code})
        return redirect("sellers:trace-lot", stall_pk=stall.pk, lot_pk=lot.pk)
    return redirect("sellers:trace-desk", stall_pk=stall.pk)


@with_stall
def lot_detail(request, stall, lot_pk):
    lot = _lot_or_404(stall, lot_pk)
    event_form = EventForm(request.POST or None, request.FILES or None, lot=lot, prefix="event")
    run_form = StampRunForm(request.POST or None, prefix="run")
    if request.method == "POST":
        try:
            if "event-step" in request.POST and event_form.is_valid():
                services.lot_event_record(lot=lot, actor=request.user, **event_form.cleaned_data)
                messages.success(request, _("Saved in the lot's journey."))
                return redirect("sellers:trace-lot", stall_pk=stall.pk, lot_pk=lot.pk)
            if "run-count" in request.POST and run_form.is_valid():
                run = services.stamp_run_create(lot=lot, actor=request.user, **run_form.cleaned_data)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s stamp ordered. The sheet is being prepared.",
                        "%(count)s stamps ordered. The sheet is being prepared.",
                        run.count,
                    )
                    % {"count": run.count},
                )
                return redirect("sellers:trace-lot", stall_pk=stall.pk, lot_pk=lot.pk)
        except ValidationError as error:
            (run_form if "run-count" in request.POST else event_form).add_error(None, error)
    runs = stamp_runs_of(lot)
    context = {
        "stall": stall,
        "lot": lot,
        "events": lot.events.select_related("recorded_by"),
        "runs": runs,
        # While a sheet is being printed the page reloads itself every 3 s: live progress, no JavaScript
        # (not for a stuck one: that says so and waits for "Try printing again").
        "printing": any(run.unfinished and not run.stuck for run in runs),
        "scans": scans_per_day(lot),
        "event_form": event_form,
        "run_form": run_form,
        "range_form": RangeForm(),
    }
    return render(request, "traceability/lot.html", context)


@with_stall
@require_POST
def run_action(request, stall, run_pk, action):
    run = _run_or_404(stall, run_pk)
    form = RangeForm(request.POST)
    if not form.is_valid():  # "12x" or 0 is a mistake to show, never "every stamp"
        messages.error(request, _("Stamp numbers go from 1 to %(count)s.") % {"count": run.count})
        return redirect("sellers:trace-lot", stall_pk=stall.pk, lot_pk=run.lot_id)
    first, last, reason = (form.cleaned_data.get(key) for key in ("first", "last", "reason"))
    try:
        if action == "activate":
            count = services.stamps_activate(run=run, actor=request.user, first=first, last=last)
            messages.success(
                request,
                ngettext("%(count)s stamp activated.", "%(count)s stamps activated.", count)
                % {"count": count},
            )
        elif action == "void":
            count = services.stamps_void(run=run, actor=request.user, reason=reason, first=first, last=last)
            messages.success(
                request,
                ngettext("%(count)s stamp voided.", "%(count)s stamps voided.", count) % {"count": count},
            )
        elif action == "retry":
            stuck = next((r.stuck for r in stamp_runs_of(run.lot) if r.pk == run.pk), False)
            if stuck:  # waiting for nothing: it failed, and is printed again like any failed sheet
                StampRun.objects.filter(
                    pk=run.pk, status__in=[run.Status.PENDING, run.Status.RUNNING]
                ).update(status=StampRun.Status.FAILED, error="stuck")
                run.refresh_from_db()
            services.stamp_run_retry(run=run)
            messages.success(request, _("Printing again."))
        else:
            raise Http404
    except ValidationError as error:
        _errors(request, error)
    return redirect("sellers:trace-lot", stall_pk=stall.pk, lot_pk=run.lot_id)


@with_stall
@require_POST
def lot_recall(request, stall, lot_pk):
    lot = _lot_or_404(stall, lot_pk)
    try:
        count = services.lot_recall(lot=lot, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(
            request,
            ngettext(
                "Lot recalled; %(count)s stamp now warns buyers.",
                "Lot recalled; %(count)s stamps now warn buyers.",
                count,
            )
            % {"count": count},
        )
    except ValidationError as error:
        _errors(request, error)
    return redirect("sellers:trace-lot", stall_pk=stall.pk, lot_pk=lot.pk)


@with_stall
def run_download(request, stall, run_pk, kind):
    run = _run_or_404(stall, run_pk)
    if kind == "csv":
        response = HttpResponse(run_csv(run), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tem-{run.lot.code}-{run.pk}.csv"'
        return response
    if kind != "pdf" or not run.pdf:
        raise Http404
    return private_download(run.pdf, filename=f"tem-{run.lot.code}-{run.pk}.pdf")
