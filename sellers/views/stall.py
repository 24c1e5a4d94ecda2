"""The seller's own dashboard: the stall, its status, takings, and the household's consent."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sellers import services
from sellers.access import (
    acting_for,
    helper_communes,
    managed_stalls,
    seller_login_required,
    staff_communes,
    with_stall,
)
from sellers.forms import StallForm
from sellers.models import HelperConsent
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
    }
    return render(request, "sellers/dashboard.html", context)


@seller_login_required
@require_http_methods(["GET", "POST"])
def stall_create(request):
    form = StallForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo", None)
        phone = getattr(getattr(request.user, "phone_account", None), "phone", "")
        stall = services.stall_create(owner=request.user, actor=request.user, phone=phone, **data)
        messages.success(request, _("Your stall is saved. Add your products, then send it to the commune."))
        _store_photo(request, stall, photo)
        return redirect("sellers:stall", stall_pk=stall.pk)
    return render(request, "sellers/stall_form.html", {"form": form})


@with_stall
def stall_home(request, stall):
    context = {
        "stall": stall,
        "takings": stall_takings(stall),
        "acting_for": acting_for(request.user, stall),
        "consent": HelperConsent.objects.filter(stall=stall, revoked_at__isnull=True)
        .select_related("helper")
        .first(),
        "product_count": stall.partner.stockrecords.count(),
    }
    return render(request, "sellers/stall_home.html", context)


@with_stall
@require_http_methods(["GET", "POST"])
def stall_edit(request, stall):
    form = StallForm(request.POST or None, request.FILES or None, instance=stall, editing=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo", None)
        stall.refresh_from_db()  # the form wrote its values on the instance; the service compares them
        services.stall_update(stall=stall, actor=request.user, **data)
        messages.success(request, _("Saved."))
        _store_photo(request, stall, photo)
        return redirect("sellers:stall", stall_pk=stall.pk)
    return render(request, "sellers/stall_form.html", {"form": form, "stall": stall})


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
        messages.success(request, _("Sent. The commune will check your stall and reply here."))
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
