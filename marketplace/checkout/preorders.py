"""Putting a pre-order in the basket: a line tied to its sale window (seasons/preorders.py), priced at
the window's price. What the buyer may take is checked here for a clear answer at once, and again
under the window's lock when the basket is placed (marketplace/payments/checkout.py)."""

from django.utils.translation import gettext as _

from seasons import preorders
from seasons.models import SaleWindow


class PreorderProblem(Exception):
    """Why the pre-order was not added, in words for the buyer; the basket is unchanged."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def preorder_line_add(*, basket, window: SaleWindow, quantity: int):
    """Add ``quantity`` of ``window`` to ``basket`` (one line per window: a second add raises it)."""
    stall = window.stall
    record = window.product.stockrecords.filter(partner_id=stall.partner_id).first()
    # A product taken off sale (unpublished) is not sold through its window either.
    if record is None or not stall.is_verified or not window.product.is_public:
        raise PreorderProblem(
            _("Pre-orders for %(product)s are closed.") % {"product": window.product.get_title()}
        )
    if basket.id is None:
        basket.save()
    line = basket.lines.filter(line_reference=preorders.line_reference(window)).first()
    total = quantity + (line.quantity if line else 0)
    if problem := preorders.quantity_problem(window, total):
        raise PreorderProblem(problem)
    if line is None:
        line = basket.lines.create(
            line_reference=preorders.line_reference(window),
            product=window.product,
            stockrecord=record,
            quantity=quantity,
            price_currency=record.price_currency,
            price_excl_tax=window.price,
            price_incl_tax=window.price,
        )
    else:
        line.quantity = total
        line.save(update_fields=["quantity"])
    basket.reset_offer_applications()
    basket._lines = None  # Oscar caches the basket's lines: the next read sees this one
    return line
