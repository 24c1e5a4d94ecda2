"""Pricing and availability per stall, for Oscar's basket and checkout (django-oscar's Strategy).

A product is bought from a stall: the cheapest verified stall that stocks it. Its price is the
stall's, in whole đồng, with no separate tax line (households are not VAT registered); it can be
bought while that stall is verified and has stock. A line whose stall was suspended meanwhile is
unavailable, whatever its stock.

A pre-order line (taken from a sale window, seasons/preorders.py) is priced at the window's price and
can be bought while the window is open and has room: the product's stock plays no part.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from oscar.apps.partner import availability, prices, strategy
from oscar.apps.partner.strategy import PurchaseInfo

from seasons.models import SaleWindow
from seasons.preorders import amount, window_pk


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return StallStrategy(request)


class WindowAvailability(availability.Base):
    """Open while the sale window takes pre-orders, up to what is left of it."""

    def __init__(self, window: SaleWindow | None):
        self.window = window
        self.num_available = window.remaining if window is not None and window.is_open() else 0
        self.code = "preorder" if self.num_available else "unavailable"

    @property
    def message(self):
        return availability.Available.message if self.num_available else availability.Unavailable.message

    def is_purchase_permitted(self, quantity):
        if not self.num_available:
            return False, availability.Unavailable.message
        if quantity > self.num_available:
            return False, _only_left(self.window)
        return True, ""


def _only_left(window):
    return _("Only %(left)s left to pre-order.") % {"left": amount(window, window.remaining)}


class StallStrategy(strategy.StockRequired, strategy.NoTax, strategy.Structured):
    def __init__(self, request=None):
        super().__init__(request)
        self._windows: dict[int, SaleWindow | None] = {}

    def select_stockrecord(self, product):
        offers = [record for record in product.stockrecords.all() if _verified(record)]
        return min(
            offers, key=lambda record: (record.price is None, record.price or 0, record.pk), default=None
        )

    def fetch_for_line(self, line, stockrecord=None):
        # Oscar's default ignores the line's stock record and prices every line from the product's
        # "best" one: here a line is priced and checked at the stall it was put in the basket from.
        stockrecord = stockrecord or line.stockrecord
        pk = window_pk(line)
        if pk is None:
            return self.fetch_for_product(line.product, stockrecord)
        window = self.window(pk)
        if (
            window is None
            or not _verified(stockrecord)
            or window.product_id != line.product_id
            or window.stall.partner_id != stockrecord.partner_id
        ):
            return PurchaseInfo(
                price=prices.Unavailable(), availability=availability.Unavailable(), stockrecord=stockrecord
            )
        price = prices.FixedPrice(
            currency=stockrecord.price_currency, excl_tax=Decimal(window.price), tax=Decimal(0)
        )
        return PurchaseInfo(price=price, availability=WindowAvailability(window), stockrecord=stockrecord)

    def window(self, pk: int) -> SaleWindow | None:
        """The sale window ``pk``, read once per request whatever the number of lines asking."""
        if pk not in self._windows:
            self._windows[pk] = SaleWindow.objects.select_related("product", "stall").filter(pk=pk).first()
        return self._windows[pk]

    def use_windows(self, windows: dict[int, SaleWindow]) -> None:
        """Price and check from these windows from now on (the checkout's, read under their locks)."""
        self._windows.update(windows)

    def availability_policy(self, product, stockrecord):
        if stockrecord is not None and not _verified(stockrecord):
            return availability.Unavailable()
        return super().availability_policy(product, stockrecord)


def _verified(stockrecord) -> bool:
    stall = getattr(stockrecord.partner, "stall", None)
    return stall is not None and stall.is_verified
