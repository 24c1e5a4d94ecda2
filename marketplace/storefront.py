"""The sections of a storefront's home page (``STOREFRONT_HOME_SECTIONS`` points here)."""

from django.utils import timezone

from catalogue.selectors import product_cards
from search.models import ProductEntry
from sellers.models import Stall

SECTION_SIZE = 8


def home_sections(*, communes) -> dict:
    """``communes``: the storefront's, or None on the platform's own site (every commune).

    Each section's products are picked from the search index table (public products of verified
    stalls, an index for each order), then read as cards in one go. A product shows once: each
    section leaves out what an earlier one already shows."""
    entries = ProductEntry.objects.all()
    stalls = Stall.objects.verified()
    if communes is not None:
        entries = entries.filter(communes__overlap=[commune.code for commune in communes])
        stalls = stalls.filter(commune__in=communes)
    month = timezone.localdate().month
    # Orders with an index each (search/models.py): a section is the first rows of an index scan.
    best = ["-is_featured", "-popularity", "title", "product_id"]
    sections = {
        "featured_products": entries.filter(is_featured=True).order_by(*best),
        "in_season_products": entries.filter(season_months__contains=[month]).order_by(*best),
        "newest_products": entries.order_by("-created", "title", "product_id"),
    }
    picked: dict[str, list[int]] = {}
    shown: list[int] = []
    for name, section in sections.items():
        picked[name] = list(
            section.exclude(product_id__in=shown).values_list("product_id", flat=True)[:SECTION_SIZE]
        )
        shown += picked[name]
    cards = product_cards().in_bulk({pk for ids in picked.values() for pk in ids})
    return {
        "storefront_communes": communes,
        "stalls": stalls.select_related("partner", "commune", "page").order_by(
            "commune__name", "partner__name"
        ),
        **{name: [cards[pk] for pk in ids if pk in cards] for name, ids in picked.items()},
    }
