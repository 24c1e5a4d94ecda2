"""Reads for the public side of a stall."""

from oscar.core.loading import get_model

from catalogue.selectors import product_cards

Product = get_model("catalogue", "Product")


def stall_page_context(*, stall) -> dict:
    products = list(product_cards(stall=stall).order_by("-is_featured", "title"))
    certified = [product for product in products if product.ocop_stars]
    return {
        "stall": stall,
        "products": products,
        "certified_products": certified,
        "photos": list(stall.photos.all()),
    }
