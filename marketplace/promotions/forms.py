import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from marketplace.promotions.models import Funder, VoucherFunding

Voucher = get_model("voucher", "Voucher")
CODE = re.compile(r"^[A-Z0-9]{4,20}$")
# Far above any real code, and within the columns (a bigger number would fail in the database).
MOST_DONG = 100_000_000
MOST_USES = 1_000_000
TOO_BIG = {"max_value": _("Write a number of at most %(limit_value)s.")}


class VoucherCodeForm(forms.Form):
    """The buyer's code, on the basket page."""

    code = forms.CharField(label=_("Discount code"), max_length=40)


class VoucherForm(forms.Form):
    """A new code. ``funders``: who may pay for it, as this user may choose (never a hidden field)."""

    code = forms.CharField(
        label=_("Code"), max_length=20, help_text=_("4 to 20 letters or numbers, for example VAI2027.")
    )
    funder = forms.ChoiceField(label=_("Who pays for the discount"), widget=forms.RadioSelect)
    discount = forms.ChoiceField(
        label=_("Discount"), choices=VoucherFunding.Discount.choices, widget=forms.RadioSelect
    )
    value = forms.IntegerField(
        label=_("How much off"),
        min_value=1,
        max_value=MOST_DONG,
        error_messages=TOO_BIG,
        help_text=_("A number of percent (1 to 100), or of đồng."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    starts_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    min_spend = forms.IntegerField(
        label=_("Minimum spend (đồng)"),
        min_value=0,
        max_value=MOST_DONG,
        error_messages=TOO_BIG,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    max_uses = forms.IntegerField(
        label=_("How many buyers may use it"),
        min_value=1,
        max_value=MOST_USES,
        error_messages=TOO_BIG,
        required=False,
        help_text=_("Leave empty for no limit."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    once_per_phone = forms.BooleanField(label=_("Once per buyer phone number"), required=False)

    def __init__(self, *args, funders: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].choices = [
            (value, label) for value, label in Funder.choices if value in funders
        ]
        self.fields["funder"].initial = funders[0]
        if len(funders) == 1:
            self.fields["funder"].widget = forms.HiddenInput()
        today = timezone.localdate()
        self.fields["starts_on"].initial = today

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not CODE.match(code):
            raise forms.ValidationError(_("Use 4 to 20 letters (without accents) or numbers, no spaces."))
        if Voucher.objects.filter(code=code).exists():
            raise forms.ValidationError(_("The code %(code)s is taken: choose another.") % {"code": code})
        return code

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        if data.get("discount") == VoucherFunding.Discount.PERCENT and (data.get("value") or 0) > 100:
            self.add_error("value", _("A percentage cannot be over 100."))
        data["min_spend"] = data.get("min_spend") or 0
        return data


class ProvinceVoucherForm(VoucherForm):
    """A province's code: one of the provinces the staff member is assigned to."""

    province = forms.TypedChoiceField(label=_("Province"), coerce=int)

    def __init__(self, *args, provinces: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = list(provinces.items())
