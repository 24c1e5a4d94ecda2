from oscar.apps.catalogue.views import ProductDetailView as OscarProductDetailView

from catalogue.selectors import product_cards
from search.views import CatalogueView, ProductCategoryView  # noqa: F401  (loaded by Oscar's get_class)


class ProductDetailView(OscarProductDetailView):
    def get_queryset(self):
        return product_cards().prefetch_related("categories")
