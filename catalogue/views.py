from django.utils.decorators import method_decorator
from oscar.apps.catalogue.views import ProductDetailView as OscarProductDetailView

from catalogue.selectors import product_cards
from ground.page_cache import cached_page


@method_decorator(cached_page(params=None), name="get")
class ProductDetailView(OscarProductDetailView):
    """Oscar's product page, cached whole for visitors without cookies (ground.page_cache).

    It sends no ``product_viewed`` signal: Oscar's receivers would write a view counter row on every
    visit and set a "recently viewed" cookie, and this site shows neither (its popularity is what
    sold)."""

    def get_queryset(self):
        return product_cards().prefetch_related("categories")

    def send_signal(self, request, response, product):
        pass
