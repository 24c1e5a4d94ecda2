from oscar.apps.catalogue.views import ProductDetailView as OscarProductDetailView

from catalogue.selectors import product_cards


class ProductDetailView(OscarProductDetailView):
    def get_queryset(self):
        return product_cards().prefetch_related("categories")
