from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BuyersConfig(AppConfig):
    """Buyers who come back: sign in with a one-time code to the phone,
    every order placed with that phone, buying again."""

    name = "marketplace.buyers"
    label = "buyers"
    verbose_name = _("Buyers")
    default_auto_field = "django.db.models.BigAutoField"
