"""Reads of the catalogue, shaped for product cards: one query per relation, never per card."""

from django.db.models import Prefetch
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")


def product_cards(*, communes=None):
    """Browsable products with everything a card shows (image, price, stall, commune) prefetched."""
    stockrecords = StockRecord.objects.select_related("partner__stall__commune")
    products = (
        Product.objects.browsable()
        .select_related("product_class")
        .prefetch_related("images", Prefetch("stockrecords", queryset=stockrecords))
    )
    if communes is not None:
        products = products.sold_in(communes)
    return products
