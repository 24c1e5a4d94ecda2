"""Choosers for the campaign page's product and stall blocks: a searchable, paginated modal, so they stay
usable with 100,000 products. Each lists only what the editor's own communes sell (commune staff: the
communes they are assigned to; province staff: their province); the page form checks the choice again
against the page's own site (``forms.CampaignPageForm``)."""

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from ground.models import Commune
from sellers.models import CommuneAssignment, Stall

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")


def editor_communes(user):
    """The communes an editor works for; None for a superuser (every commune)."""
    if user.is_superuser:
        return None
    staff = Q(assignments__user=user, assignments__role=CommuneAssignment.Role.STAFF) | Q(
        province_code__in=user.province_assignments.values("province_code")
    )
    return Commune.objects.filter(staff).distinct()


class SearchForm(BaseFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.search_fields = fields

    def filter(self, objects):
        words = (self.cleaned_data.get("q") or "").strip()
        if words:
            self.is_searching, self.search_query = True, words
            match = Q()
            for field in self.search_fields:
                match |= Q(**{f"{field}__icontains": words})
            if words.isdigit():
                match |= Q(pk=int(words))
            objects = objects.filter(match)
        return objects


class ProductSearchForm(SearchForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, fields=("title", "upc"), **kwargs)


class StallSearchForm(SearchForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, fields=("partner__name", "village"), **kwargs)


class ProductObjects:
    filter_form_class = ProductSearchForm

    def get_object_list(self):
        communes = editor_communes(self.request.user)
        selling = StockRecord.objects.filter(Stall.verified_q(via="partner__stall"), product=OuterRef("pk"))
        if communes is not None:
            selling = selling.filter(partner__stall__commune__in=communes)
        return Product.objects.filter(Exists(selling)).order_by("title", "pk")


class StallObjects:
    filter_form_class = StallSearchForm

    def get_object_list(self):
        communes = editor_communes(self.request.user)
        stalls = Stall.objects.verified().select_related("partner")
        if communes is not None:
            stalls = stalls.filter(commune__in=communes)
        return stalls.order_by("partner__name", "pk")


class ProductChooserViewSet(ChooserViewSet):
    model = Product
    icon = "tag"
    choose_one_text = _("Choose a product")
    choose_another_text = _("Choose another product")
    edit_item_text = _("See the product")
    per_page = 20
    choose_view_class = type("ProductChooseView", (ProductObjects, chooser_views.ChooseView), {})
    choose_results_view_class = type(
        "ProductChooseResultsView", (ProductObjects, chooser_views.ChooseResultsView), {}
    )


class StallChooserViewSet(ChooserViewSet):
    model = Stall
    icon = "group"
    choose_one_text = _("Choose a stall")
    choose_another_text = _("Choose another stall")
    edit_item_text = _("See the stall")
    per_page = 20
    choose_view_class = type("StallChooseView", (StallObjects, chooser_views.ChooseView), {})
    choose_results_view_class = type(
        "StallChooseResultsView", (StallObjects, chooser_views.ChooseResultsView), {}
    )


product_chooser = ProductChooserViewSet("campaign_products", url_prefix="campaigns/products")
stall_chooser = StallChooserViewSet("campaign_stalls", url_prefix="campaigns/stalls")
ProductChooserBlock = product_chooser.get_block_class(
    name="ProductChooserBlock", module_path="marketplace.campaigns.choosers"
)
StallChooserBlock = stall_chooser.get_block_class(
    name="StallChooserBlock", module_path="marketplace.campaigns.choosers"
)
