from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    """Vouchers someone pays for: Oscar's vouchers and offers, with who funds each discount (the
    province, a cooperative or one stall) recorded on every order it lowered."""

    name = "marketplace.promotions"
    label = "promotions"
    verbose_name = _("Funded vouchers")
    default_auto_field = "django.db.models.BigAutoField"
