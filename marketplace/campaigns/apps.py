from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """The commune's and province's Wagtail pages for a season (CampaignPage) and the helpers' guides
    (GuidePage), edited by the commune's staff within their own site."""

    name = "marketplace.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns and guides")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from marketplace.campaigns import signals  # noqa: F401 (connects the editors' sync)
