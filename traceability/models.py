from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ground.gs1 import short_code, validate_code
from ground.storage import private_storage, random_name


class FarmPlot(models.Model):
    """An orchard or field of a household or cooperative, where a lot was harvested."""

    owner = models.ForeignKey("sellers.Stall", on_delete=models.CASCADE, related_name="plots")
    name = models.CharField(_("name"), max_length=120)
    commune = models.ForeignKey("marketplace.Commune", on_delete=models.PROTECT, related_name="plots")
    area_m2 = models.PositiveIntegerField(_("area (m²)"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(8), MaxValueValidator(24)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(102), MaxValueValidator(110)],
    )
    crops = models.CharField(_("crops"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["owner", "name"]
        verbose_name = _("farm plot")

    def __str__(self):
        return self.name

    @property
    def coordinates(self) -> str:
        """The plot's point as anyone reads it, whatever the language's decimal comma: "21.3811° N,
        106.6124° E" (never "(21,38110, 106,61240)")."""
        lat, lon = float(self.latitude), float(self.longitude)
        return f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"

    @property
    def geo_uri(self) -> str:
        """RFC 5870: a phone opens its own map app on it (no third-party page in ours)."""
        return f"geo:{float(self.latitude):.5f},{float(self.longitude):.5f}"

    @property
    def map_url(self) -> str:
        """OpenStreetMap in the browser, for phones with no map app taking geo: links."""
        lat, lon = f"{float(self.latitude):.5f}", f"{float(self.longitude):.5f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=15/{lat}/{lon}"


def certificate_scan_name(certification, filename: str) -> str:
    return random_name("certificates", "pdf" if filename.lower().endswith(".pdf") else "jpg")


class Certification(models.Model):
    class Kind(models.TextChoices):
        VIETGAP = "vietgap", "VietGAP"
        GLOBALGAP = "globalgap", "GlobalGAP"
        ORGANIC = "organic", _("Organic")
        OCOP = "ocop", "OCOP"

    holder = models.ForeignKey("sellers.Stall", on_delete=models.CASCADE, related_name="certifications")
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, null=True, blank=True, related_name="certifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    stars = models.PositiveSmallIntegerField(
        _("OCOP stars"), null=True, blank=True, validators=[MinValueValidator(3), MaxValueValidator(5)]
    )
    number = models.CharField(_("certificate number"), max_length=64)
    issuer = models.CharField(_("issued by"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    # Public media (a buyer may open it), under a random name with the extension of its checked kind.
    scan = models.FileField(_("scan of the certificate"), upload_to=certificate_scan_name, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-valid_from"]
        verbose_name = _("certification")

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_valid(self) -> bool:
        today = timezone.localdate()
        return self.valid_from <= today and (self.valid_to is None or today <= self.valid_to)


class HarvestLot(models.Model):
    """What was harvested together; its code is printed on every stamp (GS1 AI 10)."""

    product = models.ForeignKey("catalogue.Product", on_delete=models.PROTECT, related_name="lots")
    owner = models.ForeignKey("sellers.Stall", on_delete=models.PROTECT, related_name="lots")
    plots = models.ManyToManyField(FarmPlot, related_name="lots", blank=True)
    code = models.CharField(_("lot code"), max_length=20, validators=[validate_code])
    harvest_date = models.DateField(_("harvest date"))
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, default="kg")
    best_before = models.DateField(_("best before"), null=True, blank=True)
    recalled_at = models.DateTimeField(null=True, blank=True)
    recall_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Also touched by every event and recall: the key of the trace page's cached part.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-harvest_date", "code"]
        verbose_name = _("harvest lot")
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="unique_lot_code_per_product")
        ]

    def __str__(self):
        return self.code

    @property
    def sellable(self) -> bool:
        """Neither recalled nor past its best-before date: a buyer may be offered it again."""
        return self.recalled_at is None and (
            self.best_before is None or self.best_before >= timezone.localdate()
        )


class LotEvent(models.Model):
    """What happened to a lot: EPCIS 2.0 ObjectEvent with a CBV business step. Append-only."""

    class Step(models.TextChoices):
        COMMISSIONING = "commissioning", _("Harvested")
        SORTING = "sorting", _("Sorted")
        PACKING = "packing", _("Packed")
        SHIPPING = "shipping", _("Shipped")
        RECEIVING = "receiving", _("Received")
        RETAIL_SELLING = "retail_selling", _("On sale")

    lot = models.ForeignKey(HarvestLot, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    place = models.CharField(_("where"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="lot-events/%Y/%m/", blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("lot event")

    def __str__(self):
        return f"{self.lot} {self.step} {self.occurred_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Lot events cannot be changed; record a correction instead."))
        super().save(*args, **kwargs)
        HarvestLot.objects.filter(pk=self.lot_id).update(updated_at=timezone.now())

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Lot events cannot be deleted; record a correction instead."))

    @property
    def date_only(self) -> bool:
        """A harvest recorded with a date and no time (stored at noon, local): shown as the date alone."""
        noon = timezone.localtime(self.occurred_at).time() == time(12)
        return noon and self.step == self.Step.COMMISSIONING

    @property
    def epcis_business_step(self) -> str:
        return f"https://ref.gs1.org/cbv/BizStep-{CBV_STEPS[self.step][0]}"


# Our steps as CBV 2.0 business steps, with the disposition each leaves the lot in.
CBV_STEPS = {
    LotEvent.Step.COMMISSIONING: ("commissioning", "active"),
    # CBV 2.0 has no "sorting" (ref.gs1.org/cbv/BizStep-sorting does not exist): grading a harvest is
    # checking it against a standard, the CBV's "inspecting".
    LotEvent.Step.SORTING: ("inspecting", "in_progress"),
    LotEvent.Step.PACKING: ("packing", "in_progress"),
    LotEvent.Step.SHIPPING: ("shipping", "in_transit"),
    LotEvent.Step.RECEIVING: ("receiving", "in_progress"),
    # "On sale": the lot is on the shelf and sold package by package, so "sellable_accessible" rather
    # than "retail_sold".
    LotEvent.Step.RETAIL_SELLING: ("retail_selling", "sellable_accessible"),
}


def stamp_sheet_name(run, filename: str) -> str:
    return random_name("stamps", "pdf")


class StampRun(models.Model):
    """N stamps ordered for a lot, their print-ready sheet and where its production stands."""

    class Layout(models.TextChoices):
        A4_3X8 = "a4-3x8", _("A4, 3 × 8 labels (70 × 36 mm)")
        A4_4X10 = "a4-4x10", _("A4, 4 × 10 labels (48.5 × 27 mm)")
        ROLL_50X30 = "roll-50x30", _("Thermal roll, 50 × 30 mm")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Printing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    lot = models.ForeignKey(HarvestLot, on_delete=models.PROTECT, related_name="stamp_runs")
    count = models.PositiveIntegerField(_("number of stamps"))
    layout = models.CharField(_("layout"), max_length=20, choices=Layout.choices, default=Layout.A4_3X8)
    cut_marks = models.BooleanField(_("cut marks"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveIntegerField(default=0)
    # Private: the sheet's QR codes reveal every serial (see ground/storage.py).
    pdf = models.FileField(upload_to=stamp_sheet_name, storage=private_storage, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stamp run")

    def __str__(self):
        return f"{self.lot} × {self.count}"

    @property
    def percent(self) -> int:
        return round(100 * self.progress / self.count) if self.count else 100

    @property
    def unfinished(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


# A sheet still waiting or printing this long after it was (last) queued is stuck: the cooperative is
# told so and may print it again. 10,000 stamps print in about 10 s (README, "Stamps from order to PDF"),
# and a dead worker's run is taken up again within a minute.
STAMP_RUN_STUCK_AFTER = timedelta(minutes=10)


class Stamp(models.Model):
    class Status(models.TextChoices):
        INACTIVE = "inactive", _("Not yet activated")
        ACTIVE = "active", _("Active")
        VOIDED = "voided", _("Voided")

    run = models.ForeignKey(StampRun, on_delete=models.PROTECT, related_name="stamps")
    lot = models.ForeignKey(HarvestLot, on_delete=models.PROTECT, related_name="stamps")
    number = models.PositiveIntegerField(_("number in the run"))
    serial = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INACTIVE)
    activated_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    scan_count = models.PositiveIntegerField(default=0)
    first_scanned_at = models.DateTimeField(null=True, blank=True)
    # When its scans first came from more places than one package travels through (ScanCounts.looks_copied),
    # set once by the scan that tipped it over (traceability.services.scan_record).
    copied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="unique_stamp_number_in_run")]
        # The reports count stamps by when these happened; most stamps never are, so only those that are
        # are indexed.
        indexes = [
            models.Index(
                fields=["activated_at"], name="stamp_activated_at", condition=Q(activated_at__isnull=False)
            ),
            models.Index(
                fields=["first_scanned_at"],
                name="stamp_first_scanned_at",
                condition=Q(first_scanned_at__isnull=False),
            ),
            models.Index(fields=["copied_at"], name="stamp_copied_at", condition=Q(copied_at__isnull=False)),
        ]

    def __str__(self):
        return self.serial

    @property
    def short_code(self) -> str:
        return short_code(self.serial)


class Scan(models.Model):
    """One opening of a trace page. No IP address is kept: only a keyed hash of its /16 network."""

    class Agent(models.TextChoices):
        PHONE = "phone", _("phone")
        DESKTOP = "desktop", _("computer")
        BOT = "bot", _("robot")
        OTHER = "other", _("other")

    stamp = models.ForeignKey(Stamp, on_delete=models.CASCADE, related_name="scans")
    scanned_at = models.DateTimeField(default=timezone.now, db_index=True)
    region = models.CharField(max_length=64, blank=True)
    network = models.CharField(max_length=16, blank=True)
    agent = models.CharField(max_length=10, choices=Agent.choices, default=Agent.OTHER)

    class Meta:
        ordering = ["-scanned_at"]
        # Counting the distinct networks of a stamp's scans (the "copied stamp" warning) reads only this.
        indexes = [models.Index(fields=["stamp", "network"], name="scan_stamp_network")]

    def __str__(self):
        return f"{self.stamp_id} {self.scanned_at:%Y-%m-%d %H:%M}"
