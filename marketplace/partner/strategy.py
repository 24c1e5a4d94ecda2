"""Pricing and availability per stall, for Oscar's basket and checkout (django-oscar's Strategy).

A product is bought from a stall: the cheapest verified stall that stocks it. Its price is the
stall's, in whole đồng, with no separate tax line (households are not VAT registered); it can be
bought while that stall is verified and has stock. A line whose stall was suspended meanwhile is
unavailable, whatever its stock.
"""

from oscar.apps.partner import availability, strategy


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return StallStrategy(request)


class StallStrategy(strategy.StockRequired, strategy.NoTax, strategy.Structured):
    def select_stockrecord(self, product):
        offers = [record for record in product.stockrecords.all() if _verified(record)]
        return min(
            offers, key=lambda record: (record.price is None, record.price or 0, record.pk), default=None
        )

    def fetch_for_line(self, line, stockrecord=None):
        # Oscar's default ignores the line's stock record and prices every line from the product's
        # "best" one: here a line is priced and checked at the stall it was put in the basket from.
        return self.fetch_for_product(line.product, stockrecord or line.stockrecord)

    def availability_policy(self, product, stockrecord):
        if stockrecord is not None and not _verified(stockrecord):
            return availability.Unavailable()
        return super().availability_policy(product, stockrecord)


def _verified(stockrecord) -> bool:
    stall = getattr(stockrecord.partner, "stall", None)
    return stall is not None and stall.is_verified
