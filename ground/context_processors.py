from django.utils.functional import SimpleLazyObject

from ground.tenancy import current_home


def storefront(request):
    """The storefront (site root page) in every template, for the header's commune name."""
    return {"storefront": SimpleLazyObject(lambda: current_home(request))}


MAX_NEXT_LENGTH = 500


def language_next(request):
    """Where the language button returns to: this page, or only its path when its query string is
    padded (the button sits on every page, so a 30 KB URL must not be written into each one)."""
    path = request.get_full_path()
    return {"language_next": path if len(path) <= MAX_NEXT_LENGTH else request.path}
