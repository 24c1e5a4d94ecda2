"""The campaign page's admin form: every product and stall a block names must belong to the page's own
site (its communes), and a voucher block must name a voucher that exists. The choosers already list
only the editor's communes; this is the check that holds whatever the browser sends."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamBlockValidationError

from catalogue.selectors import product_cards
from marketplace.campaigns import selectors
from sellers.models import Stall

FOREIGN_PRODUCTS = gettext_lazy(
    "Not sold by a verified stall of this site's communes: %(names)s. Choose products of this site only."
)
FOREIGN_STALLS = gettext_lazy(
    "Not a verified stall of this site's communes: %(names)s. Choose stalls of this site only."
)


class CampaignPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        body = cleaned_data.get("body")
        if body is None or self.parent_page is None:
            return cleaned_data
        problems = body_problems(body, communes=selectors.site_communes(page=self.parent_page))
        if problems:
            self.add_error("body", StreamBlockValidationError(block_errors=problems))
        return cleaned_data


def body_problems(body, *, communes) -> dict[int, ValidationError]:
    """Per block index, what is wrong with it on a site of ``communes`` (None: every commune)."""
    problems = {}
    for index, block in enumerate(body):
        kind, value = block.block_type, block.value
        if kind in ("products", "windows"):
            chosen = [product for product in value["products"] if product is not None]
            sold_here = set(
                product_cards(communes=communes)
                .filter(pk__in=[p.pk for p in chosen])
                .values_list("pk", flat=True)
            )
            foreign = [product.title for product in chosen if product.pk not in sold_here]
            if foreign:
                problems[index] = ValidationError(FOREIGN_PRODUCTS % {"names": ", ".join(foreign)})
        elif kind == "stalls":
            chosen = [stall for stall in value["stalls"] if stall is not None]
            here = Stall.objects.verified().filter(pk__in=[s.pk for s in chosen])
            if communes is not None:
                here = here.filter(commune__in=communes)
            here = set(here.values_list("pk", flat=True))
            foreign = [stall.name for stall in chosen if stall.pk not in here]
            if foreign:
                problems[index] = ValidationError(FOREIGN_STALLS % {"names": ", ".join(foreign)})
        elif kind == "voucher" and not selectors.voucher_exists(code=value["code"]):
            problems[index] = ValidationError(
                _("No voucher has the code %(code)s. Check the code in the vouchers list.")
                % {"code": value["code"].strip().upper()}
            )
    return problems
