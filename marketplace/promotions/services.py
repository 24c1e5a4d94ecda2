"""Funded vouchers: making one, a buyer adding its code to the basket, and checkout using it.

Checkout (``marketplace.payments.checkout``) calls two things here for each stall's order, inside its
one transaction: ``part_vouchers_apply`` before the order's totals (the stall's share of the basket's
discounts, the vouchers' rows locked and their limits checked), ``order_funding_record`` after the
order is placed (who pays each discount). The checkout's own error class is handed down (``problem``):
this layer cannot import it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from ground.money import format_vnd, to_dong
from marketplace.promotions.models import (
    DiscountFunding,
    FundedBenefit,
    FundedCondition,
    Funder,
    VoucherFunding,
)
from marketplace.promotions.offers import covered_lines, stalls_by_partner

Voucher = get_model("voucher", "Voucher")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Applicator = get_class("offer.applicator", "Applicator")
BasketDiscount = get_class("offer.results", "BasketDiscount")


class VoucherRefused(Exception):
    """Why this code cannot be used, in words for the buyer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Making a voucher -------------------------------------------------------------------------------


def voucher_create(
    *,
    code: str,
    funder: str,
    discount: str,
    value: int,
    starts_on: date,
    ends_on: date,
    created_by,
    stall=None,
    province_code: int | None = None,
    province_name: str = "",
    min_spend: int = 0,
    max_uses: int | None = None,
    once_per_phone: bool = False,
) -> VoucherFunding:
    """A code and its offer (Oscar's), with who pays for it. The forms check the funder is the user's."""
    code = code.strip().upper()
    with transaction.atomic():
        condition = FundedCondition.objects.create(proxy_class=_path(FundedCondition))
        benefit = FundedBenefit.objects.create(proxy_class=_path(FundedBenefit), value=value)
        offer = ConditionalOffer.objects.create(
            name=_("Code %(code)s") % {"code": code},
            offer_type=ConditionalOffer.VOUCHER,
            condition=condition,
            benefit=benefit,
            max_basket_applications=1,
            exclusive=True,
        )
        voucher = Voucher.objects.create(
            name=code,
            code=code,
            usage=Voucher.MULTI_USE,
            start_datetime=_local(starts_on, time.min),
            end_datetime=_local(ends_on, time.max),
        )
        voucher.offers.add(offer)
        funding = VoucherFunding(
            voucher=voucher,
            funder=funder,
            stall=stall,
            province_code=province_code,
            province_name=province_name,
            discount=discount,
            value=value,
            min_spend=min_spend,
            max_uses=max_uses,
            once_per_phone=once_per_phone,
            created_by=created_by,
        )
        funding.full_clean(exclude=["voucher"])
        funding.save()
    return funding


def _path(klass) -> str:
    return f"{klass.__module__}.{klass.__name__}"


def _local(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


# The buyer's basket -----------------------------------------------------------------------------


def uses(funding: VoucherFunding) -> int:
    """Checkouts that used the code (a checkout of three stalls is one use)."""
    return (
        DiscountFunding.objects.filter(voucher_id=funding.voucher_id)
        .values("checkout_reference")
        .distinct()
        .count()
    )


def voucher_add(*, basket, code: str) -> VoucherFunding:
    """Adds the code to the basket, or says why not (``VoucherRefused``)."""
    code = (code or "").strip().upper()
    if not code:
        raise VoucherRefused(_("Type the code first."))
    funding = (
        VoucherFunding.objects.select_related("voucher", "stall__partner").filter(voucher__code=code).first()
    )
    if funding is None:
        raise VoucherRefused(_("There is no code %(code)s. Check the letters and numbers.") % {"code": code})
    voucher = funding.voucher
    _refuse_unusable(funding)
    if basket.vouchers.filter(pk=voucher.pk).exists():
        raise VoucherRefused(_("The code %(code)s is already in your basket.") % {"code": code})
    covered = covered_lines(funding, basket)
    if not covered:
        raise VoucherRefused(_not_applicable(funding))
    spent = to_dong(sum(line.unit_price_incl_tax * line.quantity for line, _stall in covered))
    if spent < funding.min_spend:
        raise VoucherRefused(
            _("The code %(code)s needs %(minimum)s of goods it covers; you have %(spent)s.")
            % {"code": code, "minimum": format_vnd(funding.min_spend), "spent": format_vnd(spent)}
        )
    basket.vouchers.add(voucher)
    Voucher.objects.filter(pk=voucher.pk).update(num_basket_additions=F("num_basket_additions") + 1)
    basket.reset_offer_applications()
    return funding


def voucher_remove(*, basket, voucher_pk) -> None:
    voucher = basket.vouchers.filter(pk=voucher_pk).first()
    if voucher is not None:
        basket.vouchers.remove(voucher)
        basket.reset_offer_applications()


def _refuse_unusable(funding: VoucherFunding, *, phone: str = "") -> None:
    voucher, code, now = funding.voucher, funding.voucher.code, timezone.now()
    if voucher.start_datetime > now:
        raise VoucherRefused(
            _("The code %(code)s can be used from %(day)s.")
            % {"code": code, "day": timezone.localtime(voucher.start_datetime).strftime("%d/%m/%Y")}
        )
    if voucher.end_datetime < now:
        raise VoucherRefused(
            _("The code %(code)s ended on %(day)s.")
            % {"code": code, "day": timezone.localtime(voucher.end_datetime).strftime("%d/%m/%Y")}
        )
    if funding.max_uses is not None and uses(funding) >= funding.max_uses:
        raise VoucherRefused(_("The code %(code)s has been used up.") % {"code": code})
    if (
        phone
        and funding.once_per_phone
        and DiscountFunding.objects.filter(voucher_id=voucher.pk, phone=phone).exists()
    ):
        raise VoucherRefused(
            _("The code %(code)s can be used once per phone number, and this number has used it.")
            % {"code": code}
        )


def _not_applicable(funding: VoucherFunding) -> str:
    code = funding.voucher.code
    if funding.funder == Funder.PROVINCE:
        return _("The code %(code)s is only for goods from stalls in %(province)s.") % {
            "code": code,
            "province": funding.province_name,
        }
    if funding.funder == Funder.COOPERATIVE:
        return _("The code %(code)s is only for goods from %(stall)s and its member households.") % {
            "code": code,
            "stall": funding.stall.name,
        }
    return _("The code %(code)s is only for goods from %(stall)s.") % {
        "code": code,
        "stall": funding.stall.name,
    }


@dataclass
class VoucherLine:
    """What one code takes off one stall's order, for the basket and checkout pages."""

    code: str
    stall: object
    amount: int
    payer: str
    voucher_pk: int


@dataclass
class BasketVouchers:
    codes: list = field(default_factory=list)  # (voucher pk, code, what it gives)
    lines: list = field(default_factory=list)  # VoucherLine, per code and stall
    to_pay: int = 0  # what the buyer pays after the discounts (set by the basket page's tag)

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def basket_vouchers(basket) -> BasketVouchers:
    """The codes in the basket and, per stall, what each takes off (Oscar applied them to the lines)."""
    summary = BasketVouchers()
    if not basket.id:
        return summary
    vouchers = list(basket.vouchers.select_related("funding__stall__partner").prefetch_related("offers"))
    if not vouchers:
        return summary
    stalls = stalls_by_partner(basket)
    by_offer = {}
    for voucher in vouchers:
        funding = getattr(voucher, "funding", None)
        summary.codes.append((voucher.pk, voucher.code, funding.discount_words if funding else ""))
        for offer in voucher.offers.all():
            by_offer[offer.pk] = (voucher, funding)
    amounts: dict[tuple, int] = {}
    for line in basket.all_lines():
        stall = stalls.get(line.stockrecord.partner_id)
        for applied in line.discounts.all():
            if applied.offer is not None and applied.offer.pk in by_offer and stall is not None:
                key = (applied.offer.pk, stall.pk)
                amounts[key] = amounts.get(key, 0) + to_dong(applied.amount)
    for (offer_pk, stall_pk), amount in amounts.items():
        voucher, funding = by_offer[offer_pk]
        stall = next(stall for stall in stalls.values() if stall.pk == stall_pk)
        summary.lines.append(
            VoucherLine(voucher.code, stall, amount, funding.payer_name if funding else "", voucher.pk)
        )
    summary.lines.sort(key=lambda line: (line.stall.name, line.code))
    return summary


# Checkout ---------------------------------------------------------------------------------------


def part_vouchers_apply(*, basket, part, checkout, phone: str, problem) -> None:
    """Give this stall's order (``part``) its share of the basket's discounts. The basket's vouchers
    are locked (by primary key, once per checkout) and their limits checked; a code that can no longer
    be used raises ``problem`` (the checkout's error: nothing is placed)."""
    plan = _checkout_plan(basket, checkout, phone, problem)
    if not plan:
        return
    by_reference = {line.line_reference: line for line in part.all_lines()}
    for offer, shares in plan:
        total = 0
        for reference, amount, quantity in shares:
            line = by_reference.get(reference)
            if line is not None:
                line.discount(amount, quantity, incl_tax=True, offer=offer)
                total += amount
        if total:
            # Not in ``part.vouchers``: Oscar's usage record needs an account (guests check out too);
            # the funding rows count the uses.
            part.offer_applications.add(offer, BasketDiscount(total))


def order_funding_record(*, order, part, checkout, phone: str) -> list[DiscountFunding]:
    """A row per voucher that lowered this order: who pays how much of it, for the stall's payout."""
    rows = []
    for application in part.offer_applications:
        voucher = application["voucher"]
        funding = getattr(voucher, "funding", None) if voucher else None
        if funding is None or application["discount"] <= 0:
            continue
        rows.append(
            DiscountFunding(
                order=order,
                voucher=voucher,
                code=voucher.code,
                stall_id=_order_stall_pk(part),
                funder=funding.funder,
                province_code=funding.province_code,
                province_name=funding.province_name,
                funder_stall_id=funding.stall_id,
                amount=to_dong(application["discount"]),
                phone=phone,
                checkout_reference=checkout.reference,
            )
        )
    Voucher.objects.filter(pk__in=[row.voucher_id for row in rows]).update(num_orders=F("num_orders") + 1)
    return DiscountFunding.objects.bulk_create(rows)


def _order_stall_pk(part) -> int:
    line = part.all_lines()[0]
    return stalls_by_partner(part)[line.stockrecord.partner_id].pk


def _checkout_plan(basket, checkout, phone, problem) -> list:
    """Once per checkout: lock the basket's vouchers, check them, apply them to the whole basket (as
    its page showed) and keep each line's share: [(offer, [(line reference, đồng, quantity)])]."""
    cached = getattr(basket, "_promotions_plan", None)
    if cached is not None and cached[0] == checkout.pk:
        return cached[1]
    voucher_pks = list(basket.vouchers.values_list("pk", flat=True))
    plan = []
    if voucher_pks:
        locked = {
            voucher.pk: voucher
            for voucher in Voucher.objects.select_for_update(of=("self",))
            .filter(pk__in=voucher_pks)
            .select_related("funding__stall__partner")
            .prefetch_related("offers")
            .order_by("pk")
        }
        # Applied in the basket page's order (Oscar's ``basket.vouchers.all()``): a line takes the
        # first code's discount there, so it must here too.
        vouchers = [locked[pk] for pk in voucher_pks if pk in locked]
        refusals, offers = [], []
        for voucher in vouchers:
            funding = getattr(voucher, "funding", None)
            if funding is None:
                continue
            try:
                _refuse_unusable(funding, phone=phone)
            except VoucherRefused as refused:
                refusals.append(refused.message + " " + _("Remove it from your basket to order without it."))
                continue
            for offer in voucher.offers.all():
                offer.set_voucher(voucher)
                offers.append(offer)
        if refusals:
            raise problem(refusals)
        basket.reset_offer_applications()
        Applicator().apply_offers(basket, sorted(offers, key=lambda offer: offer.priority, reverse=True))
        for offer in offers:
            shares = [
                (line.line_reference, applied.amount, applied.quantity)
                for line in basket.all_lines()
                for applied in line.discounts.all()
                if applied.offer is offer
            ]
            if shares:
                plan.append((offer, shares))
    basket._promotions_plan = (checkout.pk, plan)
    return plan
