"""What a storefront shows: which site the request is on, and the sections of its home page."""

from django.core.cache import cache
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.models import Site

from catalogue.selectors import product_cards

Stall = get_model("sellers", "Stall")

SECTION_SIZE = 8


def current_home(request):
    """The HomePage at the root of the request's Wagtail Site, or None.

    Kept on the request, and for a minute per host name in the cache: every page's header needs
    it, and sites change rarely."""
    if not hasattr(request, "_storefront_home"):
        key = f"storefront-home:{request.get_host()}"
        home_pk = cache.get(key)
        if home_pk is None:
            site = Site.find_for_request(request)
            home_pk = site.root_page_id if site is not None else 0
            cache.set(key, home_pk, 60)
        from marketplace.models import HomePage

        request._storefront_home = HomePage.objects.filter(pk=home_pk).first() if home_pk else None
    return request._storefront_home


def remember_home(request, page) -> None:
    """A HomePage being served at its site's root is that site's storefront: no need to look it up."""
    site = Site.find_for_request(request)
    if site is not None and site.root_page_id == page.pk:
        request._storefront_home = page


def current_communes(request):
    home = current_home(request)
    return home.get_communes() if home else None


def home_sections(*, communes) -> dict:
    products = product_cards(communes=communes)
    month = timezone.localdate().month
    return {
        "storefront_communes": communes,
        "stalls": Stall.objects.filter(commune__in=communes, status=Stall.Status.VERIFIED)
        .select_related("partner", "commune", "page")
        .order_by("commune__name", "partner__name"),
        "featured_products": products.filter(is_featured=True).order_by("title")[:SECTION_SIZE],
        "in_season_products": products.in_season(month).order_by("title")[:SECTION_SIZE],
        "newest_products": products.order_by("-date_created", "-pk")[:SECTION_SIZE],
    }
