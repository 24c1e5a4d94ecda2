"""A season's campaign page and the digital helpers' how-to guides, under a commune's or province's
storefront (ground.models.HomePage), edited by that site's staff (``editors.py``)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from ground.models import HomePage
from marketplace.campaigns import selectors
from marketplace.campaigns.blocks import RICH_TEXT_FEATURES, CampaignBody, GuideBody
from marketplace.campaigns.forms import CampaignPageForm
from marketplace.campaigns.maps import stall_map, stalls_by_place

# Blocks whose value is read in bulk by ``CampaignPage.sections`` from the stored ids.
CHOOSER_BLOCKS = {"products": "products", "windows": "products", "stalls": "stalls"}


class EditorGroup(models.Model):
    """The Wagtail group whose members edit one storefront's pages: its commune's (or province's)
    staff, kept in step with their assignments (``editors.page_editors_sync``)."""

    home = models.OneToOneField(HomePage, on_delete=models.CASCADE, related_name="editor_group")
    group = models.OneToOneField("auth.Group", on_delete=models.CASCADE, related_name="editor_of")
    collection = models.ForeignKey(
        "wagtailcore.Collection", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["home_id"]
        verbose_name = _("page editors of a site")

    def __str__(self):
        return self.group.name


class CampaignPage(Page):
    """A season's page: what is on offer, who sells it, when the harvest comes."""

    starts_on = models.DateField(_("campaign starts on"))
    ends_on = models.DateField(_("campaign ends on"))
    intro = models.TextField(_("introduction"), max_length=600, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("large photo at the top"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = StreamField(CampaignBody(), verbose_name=_("content"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("starts_on"), FieldPanel("ends_on")], heading=_("Dates")),
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
    ]
    base_form_class = CampaignPageForm
    parent_page_types = ["marketplace.HomePage"]
    subpage_types = []
    template = "campaigns/campaign_page.html"

    class Meta:
        verbose_name = _("campaign page")

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        communes = selectors.site_communes(page=self)
        context["sections"] = self.sections(communes=communes)
        context["today"] = timezone.localdate()
        return context

    def sections(self, *, communes, day=None) -> list[dict]:
        """The body's blocks, each with what it shows: one query per kind of block, whatever their number."""
        day = day or timezone.localdate()
        raw = list(self.body.raw_data)
        chosen = {"products": [], "stalls": []}
        for item in raw:
            if item["type"] in CHOOSER_BLOCKS:
                chosen[CHOOSER_BLOCKS[item["type"]]] += _ids(item["value"].get(CHOOSER_BLOCKS[item["type"]]))
        kinds = {item["type"] for item in raw}
        products = {p.pk: p for p in selectors.products(communes=communes, ids=chosen["products"])}
        stalls = {s.pk: s for s in selectors.stalls(communes=communes, ids=chosen["stalls"])}
        windows = list(selectors.open_windows(communes=communes, day=day)) if "windows" in kinds else []
        codes = [item["value"].get("code", "") for item in raw if item["type"] == "voucher"]
        vouchers = {code: selectors.active_voucher(code=code) for code in codes}
        taking_part = (
            selectors.stalls_taking_part(
                communes=communes, stall_ids=chosen["stalls"], product_ids=chosen["products"], day=day
            )
            if "stall_map" in kinds
            else []
        )
        sections = []
        for index, item in enumerate(raw):
            kind, value = item["type"], item["value"]
            section = {"kind": kind, "id": item.get("id") or index}
            if kind == "products":
                section["products"] = [products[pk] for pk in _ids(value.get("products")) if pk in products]
                section["heading"] = value.get("heading", "")
            elif kind == "stalls":
                section["stalls"] = [stalls[pk] for pk in _ids(value.get("stalls")) if pk in stalls]
                section["heading"] = value.get("heading", "")
            elif kind == "windows":
                only = set(_ids(value.get("products")))
                section["windows"] = [w for w in windows if not only or w.product_id in only]
                section["heading"] = value.get("heading", "")
            elif kind == "stall_map":
                section["heading"] = value.get("heading", "")
                section["map"] = stall_map(taking_part)
                section["places"] = stalls_by_place(taking_part)
            elif kind == "voucher":
                section["voucher"] = vouchers.get(value.get("code", ""))
                section["text"] = value.get("text", "")
            else:
                section["value"] = self.body[index].value
                if kind == "countdown":
                    section["days"] = (section["value"]["harvest_on"] - day).days
            sections.append(section)
        return sections


def _ids(items) -> list[int]:
    """Primary keys of a stored ListBlock of choosers ({"type": "item", "value": pk} or plain pks)."""
    ids = []
    for item in items or []:
        pk = item.get("value") if isinstance(item, dict) else item
        if isinstance(pk, int) or (isinstance(pk, str) and pk.isdigit()):
            ids.append(int(pk))
    return ids


class GuidePage(RoutablePageMixin, Page):
    """A how-to guide of the digital-helper team: numbered steps, with a version to print."""

    intro = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)
    body = StreamField(GuideBody(), verbose_name=_("steps"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["marketplace.HomePage"]
    subpage_types = []
    template = "campaigns/guide_page.html"

    class Meta:
        verbose_name = _("guide page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["parts"] = self.parts()
        # wagtail.contrib.routable_page is not an installed app: no {% routablepageurl %} tag.
        context["print_url"] = self.get_url(request) + self.reverse_subpage("print")
        return context

    def parts(self) -> list[dict]:
        """The body's blocks, the steps numbered 1, 2, 3... in their order."""
        parts, number = [], 0
        for block in self.body:
            part = {"kind": block.block_type, "value": block.value, "id": block.id}
            if block.block_type == "step":
                number += 1
                part["number"] = number
            parts.append(part)
        return parts

    @path("")
    def guide(self, request):
        return self.render(request)

    @path("in/", name="print")
    def printable(self, request):
        context = self.get_context(request)
        return TemplateResponse(request, "campaigns/guide_page_print.html", context)
