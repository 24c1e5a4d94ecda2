"""Reads for the voucher pages: codes with their uses, and who owes whom for the discounts."""

from django.db.models import Count, Q, Sum

from marketplace.promotions.models import DiscountFunding, Funder, VoucherFunding


def _with_uses(fundings):
    return fundings.select_related("voucher", "stall__partner").annotate(
        uses=Count("voucher__fundings__checkout_reference", distinct=True),
        given=Sum("voucher__fundings__amount"),
    )


def stall_vouchers(stall):
    """The codes this stall pays for (a cooperative's: its own and those it pays for its members)."""
    return _with_uses(VoucherFunding.objects.filter(stall=stall))


def province_vouchers(province_codes: list[int]):
    return _with_uses(VoucherFunding.objects.filter(funder=Funder.PROVINCE, province_code__in=province_codes))


def stall_discounts(stall) -> dict:
    """What others owe this stall for codes they paid for, and what the stall gave itself."""
    received = DiscountFunding.objects.filter(stall=stall)
    owed = (
        received.exclude(funder_stall=stall)
        .values("funder", "province_name", "funder_stall__partner__name")
        .annotate(amount=Sum("amount"), orders=Count("order", distinct=True))
        .order_by("funder", "province_name")
    )
    given = DiscountFunding.objects.filter(funder_stall=stall).aggregate(
        amount=Sum("amount", default=0), orders=Count("order", distinct=True)
    )
    return {"owed": list(owed), "given": given}


def province_owes(province_codes: list[int]):
    """What the province owes each stall for its codes: đồng and orders per stall."""
    return (
        DiscountFunding.objects.filter(Q(funder=Funder.PROVINCE) & Q(province_code__in=province_codes))
        .values("stall__pk", "stall__partner__name", "province_name")
        .annotate(amount=Sum("amount"), orders=Count("order", distinct=True))
        .order_by("stall__partner__name")
    )
