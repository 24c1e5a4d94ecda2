"""Commune staff review the stalls of their own commune: verify, or send back with a reason; and see
which stalls changed their payout bank details lately."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ground.phone import display_mobile
from sellers import services
from sellers.access import seller_login_required, staff_communes
from sellers.forms import ReasonForm
from sellers.models import PayoutChange, Stall, payout_summary
from sellers.products import stall_products

PAYOUT_CHANGES_SHOWN = timedelta(days=30)


def _reviewable(user):
    return Stall.objects.filter(commune__in=staff_communes(user)).select_related(
        "partner", "commune", "owner__phone_account"
    )


@seller_login_required
def review_list(request):
    communes = staff_communes(request.user)
    if not communes.exists():
        raise PermissionDenied
    stalls = _reviewable(request.user)
    waiting = list(
        stalls.filter(status=Stall.Status.SUBMITTED).order_by("submitted_at").prefetch_related("photos")
    )
    context = {
        "communes": communes,
        "waiting": [_review_card(stall) for stall in waiting],
        "verified": stalls.verified().select_related("partner", "page").order_by("partner__name"),
        "payout_changes": PayoutChange.objects.filter(
            stall__commune__in=communes, requested_at__gte=timezone.now() - PAYOUT_CHANGES_SHOWN
        ).select_related("stall__partner")[:50],
        "form": ReasonForm(),
    }
    return render(request, "sellers/review_list.html", context)


def _review_card(stall: Stall) -> dict:
    """Everything the commune vouches for when it verifies: who, where, the phone buyers may call,
    who is paid (bank, holder, the account's last digits), the photos, and each product with its
    price, photo and OCOP claim."""
    account = getattr(stall.owner, "phone_account", None) if stall.owner_id else None
    phone = stall.phone or (account.phone if account else "")
    return {
        "stall": stall,
        "phone": display_mobile(phone) if phone else "",
        "payout": payout_summary(stall.bank_bin, stall.bank_account_number, stall.bank_account_name),
        "photos": list(stall.photos.all()),
        "products": [
            {"product": product, "record": product.stockrecords.all()[0]} for product in stall_products(stall)
        ],
    }


@seller_login_required
@require_POST
def review_decide(request, stall_pk, decision):
    if decision not in ("verify", "reject"):
        raise Http404
    stall = get_object_or_404(_reviewable(request.user), pk=stall_pk)
    try:
        if decision == "verify":
            services.stall_verify(stall=stall, staff=request.user)
            messages.success(
                request, _("“%(name)s” is verified and now open to buyers.") % {"name": stall.name}
            )
        else:
            services.stall_reject(stall=stall, staff=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("“%(name)s” was sent back to the household.") % {"name": stall.name})
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("sellers:review")
