"""Which storefront a request is on: the HomePage at the root of its Wagtail Site, and its communes."""

from django.core.cache import cache
from wagtail.models import Site

from ground.models import HomePage


def current_home(request) -> HomePage | None:
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
        request._storefront_home = HomePage.objects.filter(pk=home_pk).first() if home_pk else None
    return request._storefront_home


def current_communes(request):
    """The communes the request's storefront is limited to; None for the platform's site (everywhere)."""
    home = current_home(request)
    return home.scope_communes() if home else None
