from django.utils.functional import SimpleLazyObject

from ground.page_cache import next_path
from ground.tenancy import current_home


def storefront(request):
    """The storefront (site root page) in every template, for the header's commune name."""
    return {"storefront": SimpleLazyObject(lambda: current_home(request))}


def language_next(request):
    return {"language_next": next_path(request)}
