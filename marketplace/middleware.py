from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from oscar.apps.basket.middleware import BasketMiddleware as OscarBasketMiddleware
from oscar.core.loading import get_class

from marketplace.payments.checkout import refresh_prices


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the visitor chose English with the language button.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones
    in Vietnam are set to English: our users still expect the market in Vietnamese.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class BasketMiddleware(OscarBasketMiddleware):
    """Oscar's basket middleware, plus: after a buyer logs in and the baskets merge, every line is
    re-priced and moved to a stall that still sells it (django-oscar issue 4164), so the basket
    shows what checkout will charge."""

    def merge_baskets(self, master, slave):
        super().merge_baskets(master, slave)
        reprice(master)


def reprice(basket) -> None:
    """Move each line whose stall can no longer sell it to one that can, then bring every line to
    its stall's current price (the checkout's own re-pricing)."""
    strategy = get_class("partner.strategy", "Selector")().strategy()
    for line in basket.lines.select_related("product", "stockrecord__partner__stall"):
        record = line.stockrecord
        if record is not None and strategy.fetch_for_line(line, record).availability.is_available_to_buy:
            continue
        chosen = strategy.fetch_for_product(line.product).stockrecord
        if chosen is None or basket.lines.filter(stockrecord=chosen).exclude(pk=line.pk).exists():
            continue  # nothing better, or that stall's line is already there: checkout will say so
        line.stockrecord = chosen
        line.save(update_fields=["stockrecord"])
    basket._lines = None  # the cached lines predate the merge and the moves
    refresh_prices(basket)
