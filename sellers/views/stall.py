"""The seller's own dashboard: the stall, its status, takings, the household's consent, and new bank
details waiting for the household's code."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ground.client import client_address
from ground.phone import display_mobile
from ground.tenancy import current_communes
from sellers import otp, pending_photos, services
from sellers.access import (
    acting_for,
    helper_communes,
    managed_stalls,
    report_communes,
    seller_login_required,
    staff_communes,
    with_stall,
)
from sellers.forms import CodeForm, StallForm
from sellers.models import PAYOUT_FIELDS, HelperConsent, PayoutChange, Stall
from sellers.orders import stall_takings


@seller_login_required
def dashboard(request):
    stalls = list(managed_stalls(request.user))
    own = [stall for stall in stalls if stall.owner_id == request.user.pk]
    helped = [stall for stall in stalls if stall.owner_id != request.user.pk]
    if len(own) == 1 and not helped:
        return redirect("sellers:stall", stall_pk=own[0].pk)
    context = {
        "own_stalls": own,
        "helped_stalls": helped,
        "can_help": helper_communes(request.user).exists(),
        "can_review": staff_communes(request.user).exists(),
        "can_report": report_communes(request.user).exists(),
    }
    return render(request, "sellers/dashboard.html", context)


@seller_login_required
@require_http_methods(["GET", "POST"])
def stall_create(request):
    form = StallForm(request.POST or None, request.FILES or None, communes=current_communes(request))
    photo_key = "stall-new"
    if request.method == "GET":
        pending_photos.forget(request, photo_key)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo", None) or pending_photos.take(request, photo_key)
        phone = getattr(getattr(request.user, "phone_account", None), "phone", "")
        stall = services.stall_create(owner=request.user, actor=request.user, phone=phone, **data)
        messages.success(request, _("Your stall is saved. Add your products, then send it to the commune."))
        _store_photo(request, stall, photo)
        return redirect("sellers:stall", stall_pk=stall.pk)
    if request.method == "POST":
        pending_photos.keep_from_form(request, photo_key, form)
    context = {"form": form, "pending_photo": pending_photos.shown(request, photo_key, form)}
    return render(request, "sellers/stall_form.html", context)


@with_stall
def stall_home(request, stall):
    # Sales, orders and stamps mean something once the commune has verified the stall (a suspended
    # stall still has its orders); before that the page shows only what the household can do now.
    selling = stall.status in (Stall.Status.VERIFIED, Stall.Status.SUSPENDED)
    context = {
        "stall": stall,
        "selling": selling,
        "takings": stall_takings(stall) if selling else None,
        "acting_for": acting_for(request.user, stall),
        "consent": HelperConsent.objects.filter(stall=stall, revoked_at__isnull=True)
        .select_related("helper")
        .first(),
        "product_count": stall.partner.stockrecords.count(),
        **_payout_waiting(stall, CodeForm()),
    }
    return render(request, "sellers/stall_home.html", context)


def _payout_waiting(stall, code_form) -> dict:
    """New bank details waiting for the household's code, with the form to type it."""
    change = PayoutChange.objects.pending_for(stall)
    if change is None:
        return {"payout_change": None}
    return {"payout_change": change, "payout_phone": display_mobile(change.phone), "code_form": code_form}


@with_stall
@require_http_methods(["GET", "POST"])
def stall_edit(request, stall):
    waiting = PayoutChange.objects.pending_for(stall)
    # While new bank details wait for the code, the form shows them: saving other fields keeps them.
    initial = {field: getattr(waiting, field) for field in PAYOUT_FIELDS} if waiting else None
    form = StallForm(
        request.POST or None, request.FILES or None, instance=stall, editing=True, initial=initial
    )
    photo_key = f"stall-{stall.pk}"
    if request.method == "GET":
        pending_photos.forget(request, photo_key)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo", None) or pending_photos.take(request, photo_key)
        stall.refresh_from_db()  # the form wrote its values on the instance; the service compares them
        try:
            services.stall_update(stall=stall, actor=request.user, ip_address=client_address(request), **data)
        except ValidationError as error:
            form.add_error(None, error.messages)
            if photo:
                pending_photos.keep(request, photo_key, photo)
        else:
            _payout_saved(request, before=waiting, after=PayoutChange.objects.pending_for(stall))
            _store_photo(request, stall, photo)
            return redirect("sellers:stall", stall_pk=stall.pk)
    elif request.method == "POST":
        pending_photos.keep_from_form(request, photo_key, form)
    context = {
        "form": form,
        "stall": stall,
        "payout_change": waiting,
        "pending_photo": pending_photos.shown(request, photo_key, form),
    }
    return render(request, "sellers/stall_form.html", context)


@seller_login_required
def pending_photo(request, key):
    """The photo kept from a form sent with an error, shown back only to the session that sent it."""
    return pending_photos.preview(request, key)


def _payout_saved(request, *, before, after) -> None:
    if after is not None and (before is None or before.pk != after.pk):
        if after.code_id:
            messages.success(
                request,
                _(
                    "Saved. The new bank details are used once the household types the code sent to "
                    "its phone %(phone)s. Until then buyers pay you in cash on delivery."
                )
                % {"phone": display_mobile(after.phone)},
            )
        else:
            messages.error(
                request,
                _(
                    "Saved, but the code could not be sent now. "
                    "Wait 15 minutes, then press “Send the code again”."
                ),
            )
    elif before is not None and after is None:
        messages.success(request, _("Saved. The bank details in use stay as they were."))
    else:
        messages.success(request, _("Saved."))


def _store_photo(request, stall, photo) -> None:
    if photo and not services.stall_photo_add(stall=stall, actor=request.user, photo=photo):
        messages.error(
            request, _("The stall is saved, but the photo could not be stored. Please send it again.")
        )


@with_stall
@require_POST
def stall_submit(request, stall):
    try:
        services.stall_submit(stall=stall, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("Sent. The commune will check your stall and text you its answer; it also shows here."),
        )
    return redirect("sellers:stall", stall_pk=stall.pk)


@with_stall
def stall_log(request, stall):
    entries = stall.audit_entries.select_related("actor", "on_behalf_of")[:200]
    return render(request, "sellers/stall_log.html", {"stall": stall, "entries": entries})


@with_stall
@require_POST
def consent_revoke(request, stall):
    services.helper_consent_revoke(stall=stall, household=request.user)  # a helper gets 403
    messages.success(request, _("The helper can no longer change your stall."))
    return redirect("sellers:stall", stall_pk=stall.pk)


@with_stall
@require_http_methods(["GET", "POST"])
def payout_confirm(request, stall):
    """The household types the code sent to its own phone (on its phone or the helper's), or asks
    for a new one."""
    if PayoutChange.objects.pending_for(stall) is None:
        return redirect("sellers:stall", stall_pk=stall.pk)
    if request.method == "POST" and "resend" in request.POST:
        try:
            change = services.payout_code_resend(stall=stall, ip_address=client_address(request))
        except (otp.CodeError, ValidationError) as error:
            messages.error(request, error.messages[0] if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(
                request, _("A new code was sent to %(phone)s.") % {"phone": display_mobile(change.phone)}
            )
        return redirect("sellers:payout-confirm", stall_pk=stall.pk)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payout_change_confirm(stall=stall, actor=request.user, code=form.cleaned_data["code"])
        except otp.CodeError as error:
            form.add_error("code", str(error))
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("sellers:stall", stall_pk=stall.pk)
        else:
            messages.success(
                request,
                _("Done. New orders are paid to the new bank account; buyers can pay by transfer again."),
            )
            return redirect("sellers:stall", stall_pk=stall.pk)
    context = {"stall": stall, **_payout_waiting(stall, form)}
    return render(request, "sellers/payout_confirm.html", context)
