"""What a cancelled window owes its buyers: one row per paid order, written in the same transaction as
the cancelling, so a second cancel (or a burst of them) can never owe, or give back, the money twice."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WindowRefund(models.Model):
    """Money to give back for one order of a cancelled sale window. A card goes back through Stripe
    (``marketplace.payments.refunds.refund_card``); a transfer or cash is owed by the stall until it
    records the transfer with a photo (``refund_record``), which the buyer then confirms."""

    class Status(models.TextChoices):
        OWED = "owed", _("To give back")
        DONE = "done", _("Given back")
        FAILED = "failed", _("Card refund failed")

    window = models.ForeignKey("seasons.SaleWindow", on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey("payments.OrderPayment", on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OWED)
    refund = models.ForeignKey(
        "payments.Refund", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["window", "payment"], name="window_refund_once_per_order"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="window_refund_positive"),
        ]

    def __str__(self):
        return f"{self.window_id} {self.payment_id} {self.amount} {self.status}"
