"""The sections of a storefront's home page (``STOREFRONT_HOME_SECTIONS`` points here)."""

from django.utils import timezone

from catalogue.selectors import product_cards
from sellers.models import Stall

SECTION_SIZE = 8


def home_sections(*, communes) -> dict:
    """``communes``: the storefront's, or None on the platform's own site (every commune)."""
    products = product_cards(communes=communes)
    month = timezone.localdate().month
    stalls = Stall.objects.verified()
    if communes is not None:
        stalls = stalls.filter(commune__in=communes)
    return {
        "storefront_communes": communes,
        "stalls": stalls.select_related("partner", "commune", "page").order_by(
            "commune__name", "partner__name"
        ),
        "featured_products": products.filter(is_featured=True).order_by("title")[:SECTION_SIZE],
        "in_season_products": products.in_season(month).order_by("title")[:SECTION_SIZE],
        "newest_products": products.order_by("-date_created", "-pk")[:SECTION_SIZE],
    }
