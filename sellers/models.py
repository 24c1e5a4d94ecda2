from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField
from wagtail.models import Page

from sellers.banks import BANK_CHOICES, BANKS

account_number_validator = RegexValidator(
    r"^[0-9]{6,19}$", _("An account number has only digits (6 to 19 of them).")
)


# What a household fills in about its stall, in the order the form asks. "name" is its Oscar
# Partner's; the commune is handled apart (a new commune means that commune's review).
STALL_FORM_FIELDS = (
    "name",
    "kind",
    "commune",
    "village",
    "story",
    "show_phone",
    "bank_bin",
    "bank_account_number",
    "bank_account_name",
)

# How the stall is paid by transfer. After verification a change of these waits for the code sent to
# the household's own phone (PayoutChange); before, it applies at once.
PAYOUT_FIELDS = ("bank_bin", "bank_account_number", "bank_account_name")


def masked_account(number: str) -> str:
    """'0011001234567' -> '••••4567': enough to recognise an account, not to use it."""
    return f"••••{number[-4:]}" if number else ""


def payout_summary(bank_bin: str, account_number: str, account_name: str) -> dict:
    """Payout details as the log, the commune and a text may show them: the account masked."""
    return {
        "bank": BANKS.get(bank_bin, bank_bin),
        "account": masked_account(account_number),
        "holder": account_name,
    }


class StallQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(Stall.verified_q())


class Stall(models.Model):
    """A seller on the marketplace: a farm household, a cooperative or a local shop.

    The Oscar Partner carries the name and the stock records; the stall adds who, where,
    how it is paid, and where it is in the commune's verification.
    """

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", _("Farm household")
        COOPERATIVE = "cooperative", _("Cooperative")
        SHOP = "shop", _("Local shop")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for the commune")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Needs changes")
        SUSPENDED = "suspended", _("Suspended")

    partner = models.OneToOneField("partner.Partner", on_delete=models.CASCADE, related_name="stall")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="stalls",
        null=True,
        blank=True,
        verbose_name=_("owner"),
    )
    commune = models.ForeignKey("marketplace.Commune", on_delete=models.PROTECT, related_name="stalls")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.HOUSEHOLD)
    cooperative = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        limit_choices_to={"kind": "cooperative"},
        verbose_name=_("member of the cooperative"),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    village = models.CharField(_("village"), max_length=120, blank=True)
    story = models.TextField(_("story"), blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    show_phone = models.BooleanField(_("show my phone number to buyers"), default=False)
    bank_bin = models.CharField(_("bank"), max_length=6, choices=BANK_CHOICES, blank=True)
    bank_account_number = models.CharField(
        _("account number"), max_length=19, blank=True, validators=[account_number_validator]
    )
    bank_account_name = models.CharField(_("account holder"), max_length=80, blank=True)
    # Delivery, set by the stall: a fixed fee per order, free from an order amount; pickup is free.
    delivery_fee = models.PositiveIntegerField(_("delivery fee (đồng)"), default=30_000)
    free_delivery_from = models.PositiveIntegerField(
        _("free delivery for orders from (đồng)"), null=True, blank=True
    )
    pickup_point = models.CharField(
        _("pickup point in the commune"),
        max_length=160,
        blank=True,
        help_text=_("For example: the village hall."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.TextField(_("reason"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Average and count of the visible buyers' reviews of the stall (marketplace.feedback keeps them).
    rating = models.FloatField(_("rating"), null=True, blank=True, editable=False)
    rating_count = models.PositiveIntegerField(_("number of reviews"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["commune__name", "slug"]
        verbose_name = _("stall")
        verbose_name_plural = _("stalls")
        permissions = [
            ("manage_own_stall", "Can manage their own stall"),
            ("verify_stall", "Can verify stalls of their commune"),
            ("help_households", "Can open stalls for households as a digital helper"),
            ("manage_cooperative", "Can manage a cooperative's records and stamps"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.partner.name

    objects = StallQuerySet.as_manager()

    @classmethod
    def verified_q(cls, *, via: str = "") -> models.Q:
        """ "Sold by a verified stall" as a filter, for a query that reaches the stall through ``via``
        (``"partner__stall"`` from a stock record). The one place this rule is written."""
        return models.Q(**{f"{via}__status" if via else "status": cls.Status.VERIFIED})

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    @property
    def has_payout_account(self) -> bool:
        return bool(self.bank_bin and self.bank_account_number and self.bank_account_name)

    @property
    def payout_change_needs_code(self) -> bool:
        """Once verified, new payout details wait for the household's code (a PayoutChange)."""
        return self.status in (self.Status.VERIFIED, self.Status.SUSPENDED)


class StallPhoto(models.Model):
    stall = models.ForeignKey(Stall, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="stalls/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    display_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_order", "pk"]

    def __str__(self):
        return self.caption or self.image.name


class PhoneAccount(models.Model):
    """The verified Vietnamese mobile number a user signs in with (+84 and 9 digits)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_account"
    )
    phone = models.CharField(_("phone"), max_length=16, unique=True)
    # Staff who log in with a password may ask for a code to this phone each time (sellers/second_factor.py);
    # platform admins always get one.
    second_factor = models.BooleanField(
        _("code at each password log-in"),
        default=False,
        help_text=_("After the password, ask for a code sent to this phone."),
    )
    verified_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["phone"]
        verbose_name = _("phone account")
        verbose_name_plural = _("phone accounts")

    def __str__(self):
        return self.phone


class OneTimeCode(models.Model):
    """A code sent by SMS/Zalo. Only a keyed hash of it is stored; it expires and works once."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("sign-up")
        LOGIN = "login", _("log in")
        CONSENT = "consent", _("helper consent")
        STAFF_LOGIN = "staff_2fa", _("staff log-in check")  # the second step after a password
        PAYOUT = "payout", _("new bank details")

    phone = models.CharField(max_length=16, db_index=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.purpose} code for {self.phone}"


class HelperConsent(models.Model):
    """A household allows a digital helper to help with its stall, confirmed by its own code."""

    stall = models.ForeignKey(Stall, on_delete=models.CASCADE, related_name="helper_consents")
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_with = models.ForeignKey(OneTimeCode, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self):
        return f"{self.helper} helps {self.stall}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PayoutChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=PayoutChange.Status.PENDING)

    def pending_for(self, stall: Stall) -> "PayoutChange | None":
        return self.pending().filter(stall=stall).first()


class PayoutChange(models.Model):
    """New payout details of a verified stall, waiting for the code sent to the household's own phone.

    Until the code is entered the stall's details stay as they were and its new orders can be paid
    only in cash on delivery (card and VietQR are on hold); the orders already placed keep the
    account shown to their buyer. A stall has at most one change waiting."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the household's code")
        CONFIRMED = "confirmed", _("Confirmed by the household")
        CANCELLED = "cancelled", _("Not used")

    stall = models.ForeignKey(Stall, on_delete=models.CASCADE, related_name="payout_changes")
    bank_bin = models.CharField(_("bank"), max_length=6, choices=BANK_CHOICES, blank=True)
    bank_account_number = models.CharField(
        _("account number"), max_length=19, blank=True, validators=[account_number_validator]
    )
    bank_account_name = models.CharField(_("account holder"), max_length=80, blank=True)
    old_bank_bin = models.CharField(max_length=6, blank=True)
    old_bank_account_number = models.CharField(max_length=19, blank=True)
    old_bank_account_name = models.CharField(max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=16)  # the household's own number: the code goes here
    code = models.ForeignKey(OneTimeCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PayoutChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["stall"], condition=models.Q(status="pending"), name="one_pending_payout_change"
            )
        ]

    def __str__(self):
        return f"{self.stall} payout change {self.status}"

    def new_summary(self) -> dict:
        return payout_summary(self.bank_bin, self.bank_account_number, self.bank_account_name)

    def old_summary(self) -> dict:
        return payout_summary(self.old_bank_bin, self.old_bank_account_number, self.old_bank_account_name)


AUDIT_ACTIONS = {
    "stall_created": _("opened the stall"),
    "stall_updated": _("changed the stall"),
    "stall_submitted": _("sent the stall to the commune"),
    "stall_verified": _("verified the stall"),
    "stall_rejected": _("sent the stall back"),
    "stall_suspended": _("suspended the stall"),
    "helper_consent_given": _("agreed to be helped"),
    "helper_consent_revoked": _("stopped the helper"),
    "payout_change_requested": _("asked to change the bank account"),
    "payout_change_confirmed": _("confirmed the new bank account with the code"),
    "payout_change_cancelled": _("kept the old bank account"),
    "product_created": _("added a product"),
    "product_updated": _("changed a product"),
    "photo_added": _("added a photo"),
    "order_confirm": _("confirmed an order"),
    "order_ship": _("shipped an order"),
    "order_deliver": _("delivered an order"),
    "order_paid": _("marked an order paid"),
    "order_cancel": _("cancelled an order"),
    "plot_created": _("added a farm plot"),
    "certification_added": _("added a certificate"),
    "lot_created": _("added a harvest lot"),
    "stamps_ordered": _("ordered stamps"),
    "stamps_activated": _("activated stamps on the packages"),
    "stamps_voided": _("voided stamps"),
    "lot_recalled": _("recalled a harvest lot"),
    "review_answered": _("answered a buyer's review"),
    "review_hidden": _("hid a buyer's review"),
    "window_create": _("opened a sale window for pre-orders"),
    "window_edit": _("changed a sale window"),
    "window_close": _("closed a sale window"),
    "window_picking": _("started picking a sale window's pre-orders"),
    "window_cancel": _("cancelled a sale window"),
    "window_refund_recorded": _("recorded a refund of a cancelled pre-order"),
    "voucher_created": _("made a discount code"),
}


class StallAuditEntry(models.Model):
    """Who did what to a stall, and for whom when a helper acted for the household."""

    stall = models.ForeignKey(Stall, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "stall audit entries"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTIONS.get(self.action, self.action))

    @property
    def changed_fields(self) -> str:
        """ "bank account, village, story": what a "changed the stall" entry changed, in words."""
        fields = self.detail.get("fields") if isinstance(self.detail, dict) else None
        if not fields:
            return ""
        words = []
        if any(name in PAYOUT_FIELDS for name in fields):
            words.append(str(_("bank account")))
        for name in fields:
            if name in PAYOUT_FIELDS:
                continue
            if name == "name":
                words.append(str(_("stall name")))
            else:
                try:
                    words.append(str(Stall._meta.get_field(name).verbose_name))
                except FieldDoesNotExist:  # a field removed since the entry was written
                    words.append(name)
        return ", ".join(words)


class CommuneAssignment(models.Model):
    """Scopes a commune staff member or a digital helper to the communes they serve."""

    class Role(models.TextChoices):
        STAFF = "commune_staff", _("Commune staff")
        HELPER = "digital_helper", _("Digital helper")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commune_assignments"
    )
    commune = models.ForeignKey("marketplace.Commune", on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["commune__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "commune", "role"], name="unique_commune_assignment")
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.commune}"


class ProvinceAssignment(models.Model):
    """Scopes a province staff member to a province: every commune whose ``province_code`` it is."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="province_assignments"
    )
    province_code = models.PositiveSmallIntegerField(_("province code"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["province_code"]
        constraints = [
            models.UniqueConstraint(fields=["user", "province_code"], name="unique_province_assignment")
        ]

    def __str__(self):
        return f"{self.user} · {self.province_code}"


class StallPage(Page):
    """The stall's public page under its commune's storefront: story, photos, place, products."""

    stall = models.OneToOneField(Stall, on_delete=models.PROTECT, related_name="page")
    intro = RichTextField(_("introduction"), blank=True)

    parent_page_types = ["marketplace.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("stall page")

    def get_context(self, request, *args, **kwargs):
        from sellers.selectors import stall_page_context  # reads other apps' models: not while models load

        context = super().get_context(request, *args, **kwargs)
        context.update(stall_page_context(stall=self.stall))
        return context
