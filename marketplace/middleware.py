from csp.constants import SELF
from csp.middleware import CSPMiddleware
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
    A link may name its language with ``?hl=en`` (the GS1 resolver's English links do): that page is
    in that language, and the visitor's choice is not changed.
    """

    def process_request(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.GET.get("hl")
        if chosen not in supported:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (CONTENT_SECURITY_POLICY), with the two scopes the site needs.

    - The back office (settings.CSP_BACK_OFFICE_PREFIXES: Wagtail's and Django's admin, Oscar's
      dashboard) gets CSP_BACK_OFFICE_DIRECTIVES instead: those projects' pages need inline code that we
      cannot give a nonce, and their views cannot carry our decorators (see the settings' comment).
    - Wagtail's preview panel frames the page it renders through the middleware (a dummy request for
      the page's own URL): that response may be framed by the site itself.
    - With a Stripe publishable key set, the pages named in CSP_STRIPE_PAGES (the page after checkout)
      may also load Stripe.js and its frames (CSP_STRIPE_SOURCES); no other page may.

    A view's own @csp/@csp_replace/@csp_update decorator still applies on top.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if parts.config is None and request.path_info.startswith(tuple(settings.CSP_BACK_OFFICE_PREFIXES)):
            parts.config = settings.CSP_BACK_OFFICE_DIRECTIVES
        if getattr(request, "is_dummy", False):  # Wagtail rendering a page for its preview panel
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        match = getattr(request, "resolver_match", None)
        stripe_page = match is not None and match.view_name in settings.CSP_STRIPE_PAGES
        if settings.STRIPE_PUBLISHABLE_KEY and stripe_page:
            update = dict(parts.update or {})
            for directive, sources in settings.CSP_STRIPE_SOURCES.items():
                update[directive] = [*update.get(directive, ()), *sources]
            parts.update = update
        return parts


class PermissionsPolicyMiddleware:
    """Sends Permissions-Policy, which Django has no setting for: every feature listed in
    settings.PERMISSIONS_POLICY is allowed only to the origins listed with it (none: switched off)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
