"""Reads for the public side of a stall."""

from catalogue.selectors import product_cards


def stall_page_context(*, stall) -> dict:
    products = list(product_cards(stall=stall).order_by("-is_featured", "title"))
    certified = [product for product in products if product.ocop_stars]
    return {
        "stall": stall,
        "products": products,
        "certified_products": certified,
        "photos": list(stall.photos.all()),
    }
