"""The sections of a storefront's home page (``STOREFRONT_HOME_SECTIONS`` points here)."""

from django.utils import timezone

from catalogue.selectors import product_cards
from sellers.models import Stall

SECTION_SIZE = 8


def home_sections(*, communes) -> dict:
    products = product_cards(communes=communes)
    month = timezone.localdate().month
    return {
        "storefront_communes": communes,
        "stalls": Stall.objects.verified()
        .filter(commune__in=communes)
        .select_related("partner", "commune", "page")
        .order_by("commune__name", "partner__name"),
        "featured_products": products.filter(is_featured=True).order_by("title")[:SECTION_SIZE],
        "in_season_products": products.in_season(month).order_by("title")[:SECTION_SIZE],
        "newest_products": products.order_by("-date_created", "-pk")[:SECTION_SIZE],
    }
