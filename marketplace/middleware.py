from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from oscar.apps.basket.middleware import BasketMiddleware as OscarBasketMiddleware


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
    from oscar.core.loading import get_class

    strategy = get_class("partner.strategy", "Selector")().strategy()
    for line in basket.lines.select_related("product", "stockrecord__partner__stall"):
        record = line.stockrecord
        if record is None or not strategy.fetch_for_line(line, record).availability.is_available_to_buy:
            chosen = strategy.fetch_for_product(line.product).stockrecord
            if chosen is None or basket.lines.filter(stockrecord=chosen).exclude(pk=line.pk).exists():
                continue  # nothing better, or that stall's line is already there: checkout will say so
            line.stockrecord = record = chosen
        if record.price is not None:
            line.price_excl_tax = line.price_incl_tax = record.price
        line.save(update_fields=["stockrecord", "price_excl_tax", "price_incl_tax"])
