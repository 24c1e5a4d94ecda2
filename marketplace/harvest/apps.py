from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HarvestConfig(AppConfig):
    """The stall's side of a season: its sale windows, picking, the pick list, cancelling with refunds."""

    name = "marketplace.harvest"
    label = "harvest"
    verbose_name = _("Sale windows")
    default_auto_field = "django.db.models.BigAutoField"
