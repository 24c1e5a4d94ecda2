""" "Báo khi có hàng": a text to the buyer's phone when an out-of-stock product is back."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RestockAlert(models.Model):
    """One phone waiting for one product. It gets one text when the product is back, then it is done
    (``notified_at``); alerts older than RETENTION (services) are forgotten, texted or not."""

    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="restock_alerts",
        verbose_name=_("product"),
    )
    phone = models.CharField(_("phone"), max_length=16)  # +84 and 9 digits (ground.phone)
    language = models.CharField(max_length=8, default="vi")  # the text is written in the page's language
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("back in stock alert")
        verbose_name_plural = _("back in stock alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "phone"], condition=Q(notified_at__isnull=True), name="restock_one_pending"
            )
        ]
        indexes = [models.Index(fields=["phone", "created_at"], name="restock_phone_created")]

    def __str__(self):
        return f"{self.product_id} → {self.phone}"


class RestockRequest(models.Model):
    """Each sign-up try, counted per visitor's address (a keyed hash, ground.client.address_key) so a
    burst from one place can neither flood phones nor probe who waits for what."""

    address = models.CharField(max_length=32)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["address", "at"], name="restock_request_address_at")]

    def __str__(self):
        return f"{self.address} {self.at:%Y-%m-%d %H:%M}"
