"""Complaints after delivery and how they end: refund, replacement, decline, the commune's decision.

The states and who moves a complaint between them are documented in marketplace/complaints/services.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ground.storage import private_storage, random_name


class Complaint(models.Model):
    """A buyer's complaint about delivered lines of one stall's order."""

    class Reason(models.TextChoices):
        DAMAGED = "damaged", _("Damaged or crushed goods")
        MISSING = "missing", _("Items missing")
        NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
        LATE = "late", _("Delivered too late")
        OTHER = "other", _("Another reason")

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for the stall's answer")
        REFUNDED = "refunded", _("Refunded by the stall")
        REPLACED = "replaced", _("Replacement sent by the stall")
        DECLINED = "declined", _("Declined by the stall")
        ESCALATED = "escalated", _("Waiting for the commune's decision")
        DECIDED = "decided", _("Decided by the commune")

    # Not settled yet: the order has at most one complaint in these states (a double submit makes one).
    UNSETTLED = (State.OPEN, State.DECLINED, State.ESCALATED)

    payment = models.ForeignKey(
        "payments.OrderPayment",
        on_delete=models.CASCADE,
        related_name="complaint_records",
        verbose_name=_("order"),
    )
    stall = models.ForeignKey("sellers.Stall", on_delete=models.PROTECT, related_name="complaints")
    lines = models.ManyToManyField("order.Line", related_name="complaints", verbose_name=_("products"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    words = models.TextField(_("what happened"), max_length=2000, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    value = models.PositiveBigIntegerField(_("value of the products (đồng)"))
    refunded = models.PositiveBigIntegerField(_("refunded (đồng)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(state__in=["open", "declined", "escalated"]),
                name="one_unsettled_complaint_per_order",
            )
        ]

    def __str__(self):
        return f"{self.payment_id} {self.state}"

    @property
    def settled(self) -> bool:
        return self.state not in self.UNSETTLED


def _photo_name(instance, filename: str) -> str:
    return random_name("complaints", "jpg")


class ComplaintPhoto(models.Model):
    """A photo of the buyer's complaint: private, served only to the buyer, the stall and its commune."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(storage=private_storage, upload_to=_photo_name, max_length=200)

    def __str__(self):
        return self.image.name


class ComplaintStep(models.Model):
    """One step of a complaint (who, when, what, how much): its timeline, shown to every party."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Complaint opened")
        REFUNDED = "refunded", _("Refund")
        REPLACED = "replaced", _("Replacement sent")
        DECLINED = "declined", _("Declined")
        ESCALATED = "escalated", _("Commune asked to step in")
        DECIDED_REFUND = "decided_refund", _("Commune decided: refund")
        DECIDED_CLOSE = "decided_close", _("Commune closed the complaint")
        CONFIRMED = "confirmed", _("Buyer received the refund")

    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        STALL = "stall", _("Stall")
        STAFF = "staff", _("Commune")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=20, choices=Action.choices)
    role = models.CharField(max_length=10, choices=Role.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount = models.PositiveBigIntegerField(null=True, blank=True)
    words = models.TextField(blank=True)
    refund = models.ForeignKey(
        "payments.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="complaint_steps"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.complaint_id} {self.action}"
