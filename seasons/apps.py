from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeasonsConfig(AppConfig):
    """Harvest seasons: a stall's sale windows (pre-orders before the harvest) and the pre-orders in them."""

    name = "seasons"
    verbose_name = _("Harvest seasons")
    default_auto_field = "django.db.models.BigAutoField"
