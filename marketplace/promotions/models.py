"""Who pays for a voucher, and who paid for each discount it gave.

Oscar's ``Voucher`` keeps the code, the dates and the name, and its offer records each discount on the
order (``OrderDiscount``). Beside it, ``VoucherFunding`` says who pays (a province, a cooperative, one
stall), which stalls' lines it lowers, how much, and its limits; ``DiscountFunding`` is the row per
order and voucher the payout reads: the stall still receives the full price, part of it from the funder.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from ground.money import format_vnd
from marketplace.promotions.offers import apply_funded_discount, covered_lines

Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")


class Funder(models.TextChoices):
    PROVINCE = "province", _("The province")
    COOPERATIVE = "cooperative", _("The cooperative")
    STALL = "stall", _("The stall")


class VoucherFunding(models.Model):
    """A voucher someone pays for. A stall's code lowers only that stall's lines, a cooperative's
    its own and its members' lines, a province's the lines of every stall in that province."""

    class Discount(models.TextChoices):
        PERCENT = "percent", _("A percentage")
        AMOUNT = "amount", _("A fixed amount")

    voucher = models.OneToOneField("voucher.Voucher", on_delete=models.CASCADE, related_name="funding")
    funder = models.CharField(_("paid by"), max_length=20, choices=Funder.choices)
    province_code = models.PositiveSmallIntegerField(_("province code"), null=True, blank=True)
    province_name = models.CharField(_("province"), max_length=100, blank=True)
    stall = models.ForeignKey(
        "sellers.Stall",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_vouchers",
        help_text=_("The stall that pays (for a cooperative: the cooperative's own stall)."),
    )
    discount = models.CharField(_("discount"), max_length=10, choices=Discount.choices)
    value = models.PositiveIntegerField(_("value"), help_text=_("Percent, or đồng off."))
    min_spend = models.PositiveIntegerField(_("minimum spend"), default=0)
    max_uses = models.PositiveIntegerField(_("maximum uses"), null=True, blank=True)
    once_per_phone = models.BooleanField(_("once per buyer phone"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("funded voucher")
        verbose_name_plural = _("funded vouchers")
        constraints = [
            models.CheckConstraint(
                condition=(Q(funder="province") & Q(province_code__isnull=False) & Q(stall__isnull=True))
                | (Q(funder__in=["cooperative", "stall"]) & Q(stall__isnull=False)),
                name="voucher_funding_funder_named",
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="voucher_funding_value_positive"),
            models.CheckConstraint(
                condition=~Q(discount="percent") | Q(value__lte=100), name="voucher_funding_percent_max_100"
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(max_uses__gt=0),
                name="voucher_funding_max_uses_positive",
            ),
        ]

    def __str__(self):
        return f"{self.voucher.code} · {self.payer_name}"

    @property
    def payer_name(self) -> str:
        """Who pays, as the stall reads it: "Tỉnh Bắc Ninh", "HTX Lục Ngạn", "Vườn vải Hùng Lan"."""
        if self.funder == Funder.PROVINCE:
            return _("%(province)s province") % {"province": self.province_name or self.province_code}
        return self.stall.name

    @property
    def discount_words(self) -> str:
        if self.discount == self.Discount.PERCENT:
            return _("%(percent)s%% off") % {"percent": self.value}
        return _("%(amount)s off") % {"amount": format_vnd(self.value)}

    def covers(self, stall) -> bool:
        """Whether this voucher lowers the lines of ``stall`` (its commune loaded for a province's)."""
        if self.funder == Funder.STALL:
            return stall.pk == self.stall_id
        if self.funder == Funder.COOPERATIVE:
            return self.stall_id in (stall.pk, stall.cooperative_id)
        return stall.commune.province_code == self.province_code


class DiscountFunding(models.Model):
    """One row per order and voucher: how many đồng of that order's discount the funder owes the stall
    (nothing to pay back when the stall funds it itself)."""

    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="fundings")
    voucher = models.ForeignKey(
        "voucher.Voucher", on_delete=models.SET_NULL, null=True, blank=True, related_name="fundings"
    )
    code = models.CharField(_("code"), max_length=128)
    stall = models.ForeignKey(
        "sellers.Stall", on_delete=models.PROTECT, related_name="discounts_received", verbose_name=_("stall")
    )
    funder = models.CharField(_("paid by"), max_length=20, choices=Funder.choices)
    province_code = models.PositiveSmallIntegerField(_("province code"), null=True, blank=True)
    province_name = models.CharField(_("province"), max_length=100, blank=True)
    funder_stall = models.ForeignKey(
        "sellers.Stall", on_delete=models.PROTECT, null=True, blank=True, related_name="discounts_given"
    )
    amount = models.PositiveIntegerField(_("amount (đồng)"))
    phone = models.CharField(max_length=20, blank=True)
    checkout_reference = models.CharField(max_length=20, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("discount funding")
        verbose_name_plural = _("discount fundings")
        constraints = [
            models.UniqueConstraint(fields=["order", "voucher"], name="discount_funding_once_per_order"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="discount_funding_amount_positive"),
        ]
        indexes = [models.Index(fields=["voucher", "phone"])]

    def __str__(self):
        return f"{self.code} · {self.amount}"

    @property
    def stall_bears_it(self) -> bool:
        """A stall's own code: the stall gives the discount; nobody pays it back."""
        return self.funder != Funder.PROVINCE and self.funder_stall_id == self.stall_id

    @property
    def payer_name(self) -> str:
        if self.funder == Funder.PROVINCE:
            return _("%(province)s province") % {"province": self.province_name or self.province_code}
        return self.funder_stall.name


class FundedCondition(Condition):
    """Met when the basket holds lines the voucher covers, worth at least its minimum spend."""

    class Meta:
        proxy = True

    @property
    def name(self):
        return _("Lines the voucher covers")

    def is_satisfied(self, offer, basket):
        voucher = offer.get_voucher()
        funding = getattr(voucher, "funding", None) if voucher else None
        if funding is None:
            return False
        total = sum(
            line.unit_price_incl_tax * line.quantity for line, _stall in covered_lines(funding, basket)
        )
        return total > 0 and total >= funding.min_spend

    def is_partially_satisfied(self, offer, basket):
        return False


class FundedBenefit(Benefit):
    """The funded discount: a percentage of each covered line, or a fixed amount given once, to the
    stall with the most covered goods (whole đồng)."""

    class Meta:
        proxy = True

    @property
    def name(self):
        return _("Funded discount")

    def apply(self, basket, condition, offer, **kwargs):
        return apply_funded_discount(offer, basket)
