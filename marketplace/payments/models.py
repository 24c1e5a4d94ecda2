"""One checkout makes one order per stall; each order is paid on its own, to its own stall."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ground.phone import display_mobile


class Checkout(models.Model):
    """One placing of a basket: what the buyer typed once, shared by the orders it made."""

    class Delivery(models.TextChoices):
        DELIVERY = "delivery", _("Delivery to my address")
        PICKUP = "pickup", _("Pickup at the commune point")

    reference = models.CharField(_("checkout reference"), max_length=20, unique=True)
    name = models.CharField(_("full name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=16, db_index=True)  # E.164: +84...
    email = models.EmailField(_("e-mail"), blank=True)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    province_code = models.PositiveSmallIntegerField(_("province"), null=True, blank=True)
    commune_code = models.PositiveIntegerField(_("commune"), null=True, blank=True)
    address = models.CharField(_("house number, street, village"), max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.reference

    @property
    def phone_display(self) -> str:
        return display_mobile(self.phone)


class OrderPayment(models.Model):
    """How one stall's order is paid, and whether the money was confirmed (never twice)."""

    class Method(models.TextChoices):
        COD = "cod", _("Cash on delivery")
        VIETQR = "vietqr", _("Bank transfer (VietQR)")
        CARD = "card", _("Card")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Payment failed")

    order = models.OneToOneField("order.Order", on_delete=models.CASCADE, related_name="payment")
    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="payments")
    stall = models.ForeignKey("sellers.Stall", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("payment method"), max_length=10, choices=Method.choices)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    paid_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(_("payment reference"), max_length=80, blank=True)  # Stripe / bank id
    announced = models.BooleanField(default=False)  # said aloud on the stall's dashboard
    # The stall's account as shown to the buyer when the order was placed: the order's VietQR and a
    # bank's notice use these, so a later change of the stall's bank details never moves its money.
    payee_bank_bin = models.CharField(_("bank"), max_length=6, blank=True)
    payee_account_number = models.CharField(_("account number"), max_length=19, blank=True)
    payee_account_name = models.CharField(_("account holder"), max_length=80, blank=True)

    def __str__(self):
        return f"{self.order} {self.method} {self.status}"


class WebhookEvent(models.Model):
    """A notification already handled (Stripe or a bank): the same event twice changes nothing."""

    source = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "event_id"], name="unique_webhook_event")]

    def __str__(self):
        return f"{self.source} {self.event_id}"


class TrackingAttempt(models.Model):
    """One order lookup without an account, counted per address and per order number (keyed hashes,
    see ground/client.py; the field keeps its old name): to limit guessing."""

    network = models.CharField(max_length=16)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["network", "at"], name="tracking_network_at")]

    def __str__(self):
        return f"{self.network} {self.at:%H:%M}"
