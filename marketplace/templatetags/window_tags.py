"""Sale windows for buyers: the pre-order card (``{% sale_window_card window %}``), a product's
windows, and the words a pre-order line carries in the basket and the checkout.

The tags never query per window: a list of windows comes with ``select_related("product",
"stall__partner")``; a basket line's window is the one its strategy already read."""

from django import template
from django.utils.translation import gettext as _

from seasons.models import SaleWindow, today

register = template.Library()


@register.inclusion_tag("frontend/partials/sale_window.html", takes_context=True)
def sale_window_card(context, window: SaleWindow):
    day = today()
    return {
        "window": window,
        "open": window.is_open(day),
        "opens_later": window.state == SaleWindow.State.OPEN and window.opens_on > day,
        "unit": window.product.get_unit_display(),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }


@register.simple_tag
def product_windows(product) -> dict:
    """The product's windows a buyer can pre-order from today, and the next one to open (one query)."""
    day = today()
    windows = list(
        SaleWindow.objects.coming(day).filter(product=product).select_related("product", "stall__partner")
    )
    return {
        "open": [window for window in windows if window.opens_on <= day],
        "next": next((window for window in windows if window.opens_on > day), None),
    }


@register.filter
def line_window(line):
    """The sale window of a basket line (read by the basket's strategy), None for an in-stock line."""
    return getattr(line.purchase_info.availability, "window", None)


@register.filter
def preorder_note(window) -> str:
    """ "Pre-order · expected delivery 05/06–20/07/2027" """
    if window is None:
        return ""
    return _("Pre-order · expected delivery %(first)s–%(last)s") % {
        "first": window.harvest_from.strftime("%d/%m"),
        "last": window.harvest_to.strftime("%d/%m/%Y"),
    }
