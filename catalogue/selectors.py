"""Reads of the catalogue, shaped for product cards: one query per relation, never per card."""

from django.db.models import Exists, OuterRef, Prefetch
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Stall = get_model("sellers", "Stall")


def product_cards(*, communes=None, stall=None):
    """Public products of verified stalls (optionally of some communes or one stall), ready for cards."""
    selling = StockRecord.objects.filter(Stall.verified_q(via="partner__stall"), product=OuterRef("pk"))
    if communes is not None:
        selling = selling.filter(partner__stall__commune__in=communes)
    if stall is not None:
        selling = selling.filter(partner__stall=stall)
    stockrecords = StockRecord.objects.select_related("partner__stall__commune")
    return (
        Product.objects.browsable()
        .filter(Exists(selling))
        .select_related("product_class")
        .prefetch_related("images", Prefetch("stockrecords", queryset=stockrecords))
    )
