from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    """The site wiring: settings, URLs, demo data, template tags. It holds no models (those of the
    old ``marketplace`` label live in ``ground``, which kept the label)."""

    name = "marketplace"
    label = "marketplace_site"
    verbose_name = _("Marketplace")
