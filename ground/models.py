import functools

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, Site


@functools.cache
def home_sections():
    """The function that fills a home page: products and stalls live in the layers above, which name
    it in ``STOREFRONT_HOME_SECTIONS`` (a hook, so this ground floor imports none of them)."""
    return import_string(settings.STOREFRONT_HOME_SECTIONS)


class Commune(models.Model):
    """A commune or ward of the two-level administrative units in use since 1 July 2025."""

    code = models.PositiveIntegerField(_("commune code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    province_code = models.PositiveSmallIntegerField(_("province code"), db_index=True)
    province_name = models.CharField(_("province"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    # The commune's centre: where its products come from on a map, and "near me" in search.
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["province_name", "name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self):
        return f"{self.name}, {self.province_name}"


class HomePage(Page):
    """The storefront of one Wagtail Site.

    Bound to communes (a commune site), to a province (a province site that aggregates
    every commune of the province), or to neither (the whole platform).
    """

    communes = ParentalManyToManyField(Commune, blank=True, related_name="home_pages")
    province_code = models.PositiveSmallIntegerField(
        _("province code"),
        null=True,
        blank=True,
        help_text=_("Set for a province storefront: it shows every commune of the province."),
    )
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("communes"),
        FieldPanel("province_code"),
    ]
    subpage_types = [
        "marketplace.HomePage",
        "marketplace.ContentPage",
        "campaigns.CampaignPage",
        "campaigns.GuidePage",
    ]
    max_count = None

    class Meta:
        verbose_name = _("storefront home page")

    def scope_communes(self) -> list[Commune] | None:
        """The communes this storefront is limited to; None on the platform's own site, which limits
        nothing (no filter at all, rather than one naming every commune)."""
        if self.province_code:
            return list(Commune.objects.filter(province_code=self.province_code))
        return list(self.communes.all()) or None

    def get_context(self, request, *args, **kwargs):
        site = Site.find_for_request(request)
        if site is not None and site.root_page_id == self.pk:
            request._storefront_home = self  # the site's own storefront: ground.tenancy need not look it up
        context = super().get_context(request, *args, **kwargs)
        context.update(home_sections()(communes=self.scope_communes()))
        return context


class ContentPage(Page):
    """News and guides: plain content under a storefront."""

    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["marketplace.HomePage", "marketplace.ContentPage"]
    subpage_types = ["marketplace.ContentPage"]

    class Meta:
        verbose_name = _("content page")


class WorkerHeartbeat(models.Model):
    """A running ``manage.py db_worker``: which queues it serves and when it last said it was alive.

    A worker beats every few seconds (ground/worker.py). A task left RUNNING by a worker whose beat
    stopped (killed, machine gone) is queued again or failed by the next worker that looks; /readyz
    reports each worker's age."""

    worker_id = models.CharField(max_length=64, unique=True)
    queues = models.CharField(max_length=200)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    beat_at = models.DateTimeField(db_index=True)
    # The DBTaskResult id it is running, if any.
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("background worker")

    def __str__(self):
        return f"{self.worker_id} ({self.queues}) on {self.hostname}:{self.pid}"
