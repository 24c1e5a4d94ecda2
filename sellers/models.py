from django.db import models
from django.utils.translation import gettext_lazy as _


class Stall(models.Model):
    """A seller on the marketplace: a farm household, a cooperative or a local shop.

    The Oscar Partner carries the name and the stock records; the stall adds who and where.
    """

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", _("Farm household")
        COOPERATIVE = "cooperative", _("Cooperative")
        SHOP = "shop", _("Local shop")

    partner = models.OneToOneField("partner.Partner", on_delete=models.CASCADE, related_name="stall")
    commune = models.ForeignKey("marketplace.Commune", on_delete=models.PROTECT, related_name="stalls")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.HOUSEHOLD)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    village = models.CharField(_("village"), max_length=120, blank=True)
    story = models.TextField(_("story"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["commune__name", "slug"]
        verbose_name = _("stall")
        verbose_name_plural = _("stalls")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.partner.name
