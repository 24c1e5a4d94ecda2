from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """What buyers thought: reviews of products and stalls from real buyers, one-tap satisfaction."""

    name = "marketplace.feedback"
    label = "feedback"
    verbose_name = _("Reviews and satisfaction")
    default_auto_field = "django.db.models.BigAutoField"
