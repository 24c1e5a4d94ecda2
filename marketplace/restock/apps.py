from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestockConfig(AppConfig):
    """ "Báo khi có hàng": a text to the buyer's phone when an out-of-stock product is back."""

    name = "marketplace.restock"
    label = "restock"
    verbose_name = _("Back in stock alerts")
    default_auto_field = "django.db.models.BigAutoField"
