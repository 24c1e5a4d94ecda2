""" "Báo khi có hàng": a text to the buyer's phone when an out-of-stock product is back."""

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class RestockConfig(AppConfig):
    """ "Báo khi có hàng": a text to the buyer's phone when an out-of-stock product is back."""

    name = "marketplace.restock"
    label = "restock"
    verbose_name = _("Back in stock alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The stall's product form, cancellations and the dashboard all save stock records: a lower
        # layer (partner) must not know about alerts, so they listen here.
        post_save.connect(
            _stock_saved, sender=self.apps.get_model("partner", "StockRecord"), dispatch_uid="restock"
        )


def _stock_saved(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures load rows as they are: nobody is waiting on them
        return
    from marketplace.restock.services import stock_saved  # it loads Oscar's classes: not while apps load

    stock_saved(stockrecord=instance)
