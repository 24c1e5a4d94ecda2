from datetime import date
from types import SimpleNamespace

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import LPad
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractCategory, AbstractProduct
from oscar.apps.catalogue.managers import ProductQuerySet as OscarProductQuerySet

from catalogue.ocop import OCOP_STAR_CHOICES, Unit, season_label
from ground.gs1 import validate_gtin


def gtin14_expression():
    """A product's GTIN as the 14 digits of a Digital Link (left-padded with zeros)."""
    return LPad("gtin", 14, models.Value("0"))


class ProductQuerySet(OscarProductQuerySet):
    def with_gtin(self, gtin14: str):
        """The product of a Digital Link's GTIN-14 (uses the unique index on the padded GTIN)."""
        return self.exclude(gtin="").alias(gtin14=gtin14_expression()).filter(gtin14=gtin14)

    def in_season(self, month: int | None = None):
        month = month or timezone.localdate().month
        return self.filter(season_months__contains=[month])


class Category(AbstractCategory):
    """Oscar's category with its name in English too (`name` is the Vietnamese one)."""

    name_en = models.CharField(
        _("name in English"),
        max_length=255,
        blank=True,
        help_text=_("Shown to visitors who chose English. Empty: they see the Vietnamese name."),
    )

    def __str__(self):
        """The path in the visitor's language, e.g. "Trái cây > Vải thiều" or "Fruit > Lychees"."""
        return self._full_name_separator.join(c.localized_name for c in self.get_ancestors_and_self())

    @property
    def localized_name(self) -> str:
        """The name in the language of the request: English when chosen and known, else Vietnamese."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Product(AbstractProduct):
    ocop_stars = models.PositiveSmallIntegerField(
        _("OCOP stars"), choices=OCOP_STAR_CHOICES, null=True, blank=True
    )
    ocop_certificate_number = models.CharField(_("OCOP certificate number"), max_length=64, blank=True)
    ocop_certificate_expiry = models.DateField(_("OCOP certificate valid until"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.KG)
    season_months = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(12)]),
        verbose_name=_("harvest season (months)"),
        default=list,
        blank=True,
        help_text=_("Months of the harvest, 1 to 12."),
    )
    is_featured = models.BooleanField(_("featured on the storefront"), default=False)
    gtin = models.CharField(
        _("GTIN (barcode number)"),
        max_length=14,
        blank=True,
        validators=[validate_gtin],
        help_text=_("Only if the product has a GS1 barcode (Vietnam: starts with 893)."),
    )
    # Retired: a pre-order is taken from a sale window (preorder_windows below); nothing reads or writes
    # this box any more (the seller's form dropped it), kept only until a migration drops the column.
    available_for_preorder = models.BooleanField(
        _("available for pre-order"),
        default=False,
        help_text=_("Buyers may order before the harvest; the stall delivers in season."),
    )

    # The stalls' sale windows (seasons.SaleWindow) still to come or open, as cards and the trace page read
    # them without a query: [{"id", "stall", "opens", "closes"}] (ISO dates, by opening date). Written by
    # search.windows whenever a window is created, changed, fills, closes or is cancelled; read against
    # today's date, so a window past its closing date stops showing that day, saved or not.
    preorder_windows = models.JSONField(
        _("open pre-order windows"), default=list, db_default=[], blank=True, editable=False
    )

    # Oscar's ``rating`` is the average of the visible buyers' reviews (marketplace.feedback); this is
    # how many there are, kept in step in the same transaction.
    rating_count = models.PositiveIntegerField(_("number of reviews"), default=0, editable=False)

    def update_rating(self):
        """Oscar's reviews would overwrite ``rating`` from its own review table (its dashboard still
        lists them): here the rating is only ever written by marketplace.feedback, from buyers'
        reviews of delivered orders."""

    objects = ProductQuerySet.as_manager()

    class Meta(AbstractProduct.Meta):
        constraints = [
            # One product per GTIN, however many digits it was typed with (8 to 14): the resolver looks
            # /01/{GTIN-14} up through this index (see gtin14_expression).
            models.UniqueConstraint(
                gtin14_expression(),
                condition=~models.Q(gtin=""),
                name="unique_product_gtin14",
                violation_error_message=_("Another product already has this GTIN."),
            )
        ]

    def get_missing_image(self):
        """Oscar symlinks its placeholder into MEDIA_ROOT on first use, and raises when two requests
        race to do it; our templates draw their own placeholder, so a name is all that is needed."""
        try:
            return super().get_missing_image()
        except ImproperlyConfigured:
            return SimpleNamespace(name=settings.OSCAR_MISSING_IMAGE_URL)

    @property
    def is_in_season(self) -> bool:
        return timezone.localdate().month in self.season_months

    def preorder_windows_on(self, day: date | None = None, *, stall_id: int | None = None) -> list[dict]:
        """The windows open on ``day`` (today), with their dates as dates; only ``stall_id``'s if given."""
        day = (day or timezone.localdate()).isoformat()
        return [
            _window_dates(window)
            for window in self.preorder_windows
            if window["opens"] <= day <= window["closes"] and stall_id in (None, window["stall"])
        ]

    @property
    def preorder_until(self) -> date | None:
        """Until when a buyer can pre-order it (the last closing date of the windows open today)."""
        return max((window["closes"] for window in self.preorder_windows_on()), default=None)

    def next_window(self, *, stall_id: int | None = None, day: date | None = None) -> dict | None:
        """The window open on ``day`` (today) or the next to open (of ``stall_id`` if given): its dates
        and whether it is open (the trace page's "next season" link)."""
        day = day or timezone.localdate()
        for window in map(_window_dates, self.preorder_windows):
            if window["closes"] >= day and stall_id in (None, window["stall"]):
                return {**window, "open": window["opens"] <= day}
        return None

    @property
    def season_display(self) -> str:
        return season_label(self.season_months)

    @property
    def ocop_certificate_valid(self) -> bool:
        expiry = self.ocop_certificate_expiry
        return bool(self.ocop_stars) and (expiry is None or expiry >= timezone.localdate())


def _window_dates(window: dict) -> dict:
    return {
        **window,
        "opens": date.fromisoformat(window["opens"]),
        "closes": date.fromisoformat(window["closes"]),
    }


from oscar.apps.catalogue.models import *  # noqa: E402,F403  (the rest of Oscar's catalogue)
