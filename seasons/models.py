"""Sale windows: a stall takes orders for a harvest that has not happened yet.

A window sells one product of one stall between ``opens_on`` and ``closes_on`` (local dates, both
included), at its own price, up to its ``capacity`` in the product's unit (kg, boxes...). Each
pre-order takes its quantity from the window under the window's row lock (``reserved`` never passes
``capacity``: a constraint is the last guard), so a burst of buyers never oversells it. A window
closes by itself on the day after ``closes_on`` or when it is full; the stall may close it early,
start picking (buyers are told when to expect delivery) or cancel it (the deposits go back).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def today():
    return timezone.localdate()


class SaleWindowQuerySet(models.QuerySet):
    def open_on(self, day=None):
        """Windows a buyer can pre-order from on ``day`` (today): open, begun, not past, not full."""
        day = day or today()
        return self.filter(
            state=SaleWindow.State.OPEN, opens_on__lte=day, closes_on__gte=day, reserved__lt=F("capacity")
        )

    def coming(self, day=None):
        """Windows still to come or open now (not closed, cancelled or picking): "next season"."""
        day = day or today()
        return self.filter(state=SaleWindow.State.OPEN, closes_on__gte=day, reserved__lt=F("capacity"))


class SaleWindow(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Taking pre-orders")  # before opens_on: "opens on ..." (see is_open)
        CLOSED = "closed", _("Closed")
        PICKING = "picking", _("Harvesting and packing")
        CANCELLED = "cancelled", _("Cancelled")

    class ClosedBecause(models.TextChoices):
        DATE = "date", _("The closing date passed")
        FULL = "full", _("Every kilogram is ordered")
        STALL = "stall", _("Closed by the stall")

    stall = models.ForeignKey(
        "sellers.Stall", on_delete=models.PROTECT, related_name="sale_windows", verbose_name=_("stall")
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="sale_windows",
        verbose_name=_("product"),
    )
    opens_on = models.DateField(_("pre-orders open on"))
    closes_on = models.DateField(_("pre-orders close on"))
    harvest_from = models.DateField(_("harvest and delivery from"))
    harvest_to = models.DateField(_("harvest and delivery until"))
    capacity = models.PositiveIntegerField(_("quantity on offer"), help_text=_("In the product's unit."))
    reserved = models.PositiveIntegerField(_("quantity pre-ordered"), default=0)
    price = models.PositiveBigIntegerField(_("price (đồng per unit)"))
    min_per_buyer = models.PositiveIntegerField(_("least a buyer can order"), default=1)
    max_per_buyer = models.PositiveIntegerField(_("most a buyer can order"), null=True, blank=True)
    deposit_percent = models.PositiveSmallIntegerField(
        _("deposit (%)"), default=0, help_text=_("0: nothing is paid before the harvest.")
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    closed_because = models.CharField(max_length=10, choices=ClosedBecause.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    picking_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("why it is cancelled"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SaleWindowQuerySet.as_manager()

    class Meta:
        ordering = ["opens_on", "pk"]
        verbose_name = _("sale window")
        verbose_name_plural = _("sale windows")
        indexes = [models.Index(fields=["product", "state", "closes_on"], name="window_product_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="window_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(harvest_to__gte=F("harvest_from")), name="window_harvest_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="window_capacity_positive"),
            models.CheckConstraint(condition=Q(reserved__lte=F("capacity")), name="window_never_oversold"),
            models.CheckConstraint(condition=Q(price__gt=0), name="window_price_positive"),
            models.CheckConstraint(condition=Q(deposit_percent__lte=100), name="window_deposit_at_most_100"),
            models.CheckConstraint(condition=Q(min_per_buyer__gte=1), name="window_min_at_least_one"),
            models.CheckConstraint(
                condition=Q(max_per_buyer__isnull=True) | Q(max_per_buyer__gte=F("min_per_buyer")),
                name="window_max_not_below_min",
            ),
        ]

    def __str__(self):
        return f"{self.product} ({self.opens_on:%d/%m/%Y}–{self.closes_on:%d/%m/%Y})"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.reserved, 0)

    def is_open(self, day=None) -> bool:
        """Whether a buyer can pre-order today: the same rule as ``SaleWindow.objects.open_on``."""
        day = day or today()
        return self.state == self.State.OPEN and self.opens_on <= day <= self.closes_on and self.remaining > 0

    def deposit_for(self, amount: int) -> int:
        """The deposit on ``amount`` đồng of this window's goods, rounded up to the whole đồng."""
        return -(-amount * self.deposit_percent // 100)


class PreOrder(models.Model):
    """One order line taken from a sale window: what the pick list, the per-buyer limit and a cancelled
    window's refunds read. Its line is an ordinary Oscar order line of the stall's order."""

    window = models.ForeignKey(SaleWindow, on_delete=models.PROTECT, related_name="preorders")
    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="preorders")
    line = models.OneToOneField("order.Line", on_delete=models.CASCADE, related_name="preorder")
    quantity = models.PositiveIntegerField()
    phone = models.CharField(max_length=16, db_index=True)  # the buyer's, E.164: the per-buyer limit
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["window", "phone"], name="preorder_window_phone")]

    def __str__(self):
        return f"{self.order} × {self.quantity} ({self.window_id})"
