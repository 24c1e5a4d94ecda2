from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SellersConfig(AppConfig):
    name = "sellers"
    verbose_name = _("Stalls")

    def ready(self):
        from sellers import second_factor  # noqa: F401  (connects the receiver of user_logged_in)
