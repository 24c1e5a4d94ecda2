"""One checkout makes one order per stall; each order is paid on its own, to its own stall."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ground.phone import display_mobile
from ground.storage import private_storage


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
        # A pre-order's deposit arrived; the balance is paid on delivery (then "paid").
        DEPOSIT_PAID = "deposit_paid", _("Deposit paid")
        FAILED = "failed", _("Payment failed")
        # Money went back (marketplace/payments/refunds.py): such an order is never "paid" again.
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
        REFUNDED = "refunded", _("Refunded")

    # Statuses in which the stall has had the money (all or part of it may have gone back since).
    # A paid deposit is not among them (reports count the whole amount of these): it is money received
    # up to the deposit only, see ``received``.
    MONEY_RECEIVED = (Status.PAID, Status.PARTLY_REFUNDED, Status.REFUNDED)

    order = models.OneToOneField("order.Order", on_delete=models.CASCADE, related_name="payment")
    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="payments")
    stall = models.ForeignKey("sellers.Stall", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("payment method"), max_length=10, choices=Method.choices)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    refunded = models.PositiveBigIntegerField(_("refunded (đồng)"), default=0)
    # Pre-orders: đồng paid before the harvest (VietQR or card); 0 = the whole amount is due as usual.
    # The rest is paid on delivery.
    deposit = models.PositiveBigIntegerField(_("deposit (đồng)"), default=0)
    deposit_paid_at = models.DateTimeField(null=True, blank=True)
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

    class Meta:
        constraints = [
            # The last guard of "never more back than was paid" (refunds.py checks first, under a lock).
            models.CheckConstraint(
                condition=models.Q(refunded__lte=models.F("amount")), name="refunded_never_above_amount"
            ),
            models.CheckConstraint(
                condition=models.Q(deposit__lte=models.F("amount")), name="deposit_never_above_amount"
            ),
        ]

    def __str__(self):
        return f"{self.order} {self.method} {self.status}"

    @property
    def deposit_due(self) -> bool:
        """A deposit is asked for and not paid yet (nor the whole amount)."""
        return bool(self.deposit) and self.deposit_paid_at is None and self.paid_at is None

    @property
    def due_now(self) -> int:
        """What the buyer's transfer or card pays now: the deposit while it is due, else the whole."""
        return self.deposit if self.deposit_due else self.amount

    @property
    def balance(self) -> int:
        """What is left to pay on delivery once the deposit is paid."""
        return self.amount - self.deposit

    @property
    def received(self) -> int:
        """Đồng the stall has had for this order: all of it once paid, else the deposit if paid."""
        if self.paid_at is None and self.deposit_paid_at is not None:
            return self.deposit  # refunded since or not, only the deposit ever came
        return self.amount if self.paid_at is not None or self.status in self.MONEY_RECEIVED else 0


class Refund(models.Model):
    """Money given back to the buyer for one stall's order: through Stripe for a card, or handed back
    by the stall (a transfer or cash, with a photo as proof) and confirmed by the buyer. A refund
    that is not failed holds its amount: together they never exceed what was paid."""

    class Method(models.TextChoices):
        CARD = "card", _("Back to the card")
        TRANSFER = "transfer", _("Bank transfer")
        CASH = "cash", _("Cash")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being refunded")
        AWAITING_BUYER = "awaiting_buyer", _("Waiting for the buyer to confirm")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Refund failed")

    payment = models.ForeignKey(OrderPayment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    method = models.CharField(_("refund method"), max_length=10, choices=Method.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    stripe_id = models.CharField(max_length=80, null=True, blank=True, unique=True)  # re_...
    proof = models.FileField(
        _("proof of the refund"), storage=private_storage, upload_to="refunds/", blank=True, max_length=200
    )
    error = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")
        ]

    def __str__(self):
        return f"{self.payment.order} -{self.amount} {self.status}"


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
