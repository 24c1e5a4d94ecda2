from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroundConfig(AppConfig):
    """The ground floor every other app stands on: communes and the storefront pages bound to them,
    money, photos, phone numbers, text messages, GS1 codes, Vietnamese text folding.

    Its label stays ``marketplace``: these models lived in the ``marketplace`` app before the layers
    were drawn, and keeping the label keeps their tables, content types and migration history."""

    name = "ground"
    label = "marketplace"
    verbose_name = _("Communes and storefronts")
