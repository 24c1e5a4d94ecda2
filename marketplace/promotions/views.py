"""Thin views: the buyer's code on the basket, a stall's own codes, the province's codes."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ground.models import Commune
from marketplace.promotions import selectors, services
from marketplace.promotions.forms import ProvinceVoucherForm, VoucherCodeForm, VoucherForm
from marketplace.promotions.models import Funder
from sellers import roles
from sellers.access import acting_for, seller_login_required, with_stall
from sellers.models import ProvinceAssignment, Stall
from sellers.services import audit


@require_POST
def voucher_add(request):
    form = VoucherCodeForm(request.POST)
    if not form.is_valid() or request.basket.id is None or request.basket.is_empty:
        messages.error(request, _("Put goods in your basket first, then type the code."))
        return redirect("basket:summary")
    try:
        funding = services.voucher_add(basket=request.basket, code=form.cleaned_data["code"])
    except services.VoucherRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("Code %(code)s added: %(discount)s, paid by %(payer)s.")
            % {"code": funding.voucher.code, "discount": funding.discount_words, "payer": funding.payer_name},
        )
    return redirect("basket:summary")


@require_POST
def voucher_remove(request, voucher_pk: int):
    if request.basket.id is not None:
        services.voucher_remove(basket=request.basket, voucher_pk=voucher_pk)
    messages.info(request, _("The code was removed."))
    return redirect("basket:summary")


@with_stall
def stall_vouchers(request, stall):
    """A stall's own codes (a cooperative's may be paid by the cooperative for its members too)."""
    funders = [Funder.STALL, Funder.COOPERATIVE] if stall.kind == Stall.Kind.COOPERATIVE else [Funder.STALL]
    form = VoucherForm(request.POST or None, funders=funders)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        funding = services.voucher_create(
            **_fields(data), funder=data["funder"], stall=stall, created_by=request.user
        )
        audit(
            stall=stall,
            actor=request.user,
            action="voucher_created",
            on_behalf_of=acting_for(request.user, stall),
            code=funding.voucher.code,
        )
        messages.success(request, _("Code %(code)s is ready.") % {"code": funding.voucher.code})
        return redirect("sellers:vouchers", stall_pk=stall.pk)
    context = {
        "stall": stall,
        "form": form,
        "vouchers": selectors.stall_vouchers(stall),
        "fundings": selectors.stall_discounts(stall),
    }
    return render(request, "promotions/stall_vouchers.html", context, status=400 if form.errors else 200)


@seller_login_required
def province_vouchers(request):
    """Province staff: their province's codes, and what the province owes each stall for them."""
    provinces = _staff_provinces(request.user)
    if not provinces:
        raise Http404
    form = ProvinceVoucherForm(request.POST or None, funders=[Funder.PROVINCE], provinces=provinces)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        funding = services.voucher_create(
            **_fields(data),
            funder=Funder.PROVINCE,
            province_code=data["province"],
            province_name=provinces[data["province"]],
            created_by=request.user,
        )
        messages.success(request, _("Code %(code)s is ready.") % {"code": funding.voucher.code})
        return redirect("promotions:province")
    context = {
        "form": form,
        "vouchers": selectors.province_vouchers(list(provinces)),
        "owed": selectors.province_owes(list(provinces)),
    }
    return render(request, "promotions/province_vouchers.html", context, status=400 if form.errors else 200)


def _fields(data) -> dict:
    return {
        key: data[key]
        for key in (
            "code",
            "discount",
            "value",
            "starts_on",
            "ends_on",
            "min_spend",
            "max_uses",
            "once_per_phone",
        )
    }


def _staff_provinces(user) -> dict[int, str]:
    """The provinces a province staff member is assigned to: code -> name."""
    if not user.groups.filter(name=roles.PROVINCE_STAFF).exists():
        return {}
    codes = ProvinceAssignment.objects.filter(user=user).values("province_code")
    return dict(
        Commune.objects.filter(province_code__in=codes)
        .values_list("province_code", "province_name")
        .order_by("province_code")
        .distinct()
    )
