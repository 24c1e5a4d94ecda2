"""OCOP terms on a product: star ratings, units and harvest seasons."""

from django.db import models
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

OCOP_STAR_CHOICES = [(3, _("3 stars")), (4, _("4 stars")), (5, _("5 stars"))]


class Unit(models.TextChoices):
    KG = "kg", _("kg")
    BOX = "hop", _("box")
    BAG = "tui", _("bag")
    PIECE = "qua", _("piece")
    BOTTLE = "chai", _("bottle")
    JAR = "hu", _("jar")


def season_label(months: list[int]) -> str:
    """[6, 7] -> 'tháng 6, tháng 7' in Vietnamese, 'June, July' in English (Django's month names)."""
    return ", ".join(str(MONTHS[m]) for m in sorted(months) if 1 <= m <= 12)
