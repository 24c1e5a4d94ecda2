import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue.ocop import OCOP_STAR_CHOICES, Unit
from ground.images import clean_photo
from ground.models import Commune
from ground.money import PriceError, parse_dong
from ground.phone import normalize_mobile
from sellers.banks import BANK_NAME_CHOICES
from sellers.models import STALL_FORM_FIELDS, Stall

Category = get_model("catalogue", "Category")

MAX_PRICE = 100_000_000


class PhoneField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"})

    def clean(self, value):
        return normalize_mobile(super().clean(value))


class DongField(forms.CharField):
    """A price in whole đồng as people type it: 65000, 65.000, 65,000, 65000đ, 65k or 65 nghìn."""

    widget = forms.TextInput(attrs={"autocomplete": "off"})

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        try:
            price = parse_dong(text)
        except PriceError as error:
            if error.code == "negative":
                raise ValidationError(_("A price cannot be below zero."), code="negative") from error
            if error.code == "decimal":
                raise ValidationError(
                    _(
                        "A price is whole đồng, without a comma or decimals: "
                        "for example 65000, 65.000 or 65k."
                    ),
                    code="decimal",
                ) from error
            raise ValidationError(
                _("Write the price in đồng, for example 65000, 65.000 or 65k."), code="not_a_number"
            ) from error
        if price <= 0:
            raise ValidationError(_("A price must be more than 0 đồng."), code="zero")
        if price > MAX_PRICE:
            raise ValidationError(_("That price is too high. Check the number of zeros."), code="too_high")
        return price


class PhotoField(forms.FileField):
    widget = forms.ClearableFileInput(attrs={"accept": "image/*"})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload is None or upload is False or upload == initial:
            return None
        return clean_photo(upload)


class PhoneForm(forms.Form):
    phone = PhoneField(label=_("Mobile number"), max_length=20)


class SignupForm(PhoneForm):
    name = forms.CharField(label=_("Your name"), max_length=150, required=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code from the message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
        error_messages={"min_length": _("The code has 6 digits."), "max_length": _("The code has 6 digits.")},
    )


def known_commune_field(field: forms.ModelChoiceField, communes) -> None:
    """The commune list starts on "Choose your commune"; when only one commune is possible (the
    commune's own site, a helper who serves one commune) it is the only choice, already chosen."""
    communes = list(communes) if communes is not None else None
    if communes is not None and len(communes) == 1:
        field.queryset = Commune.objects.filter(pk=communes[0].pk)
        field.empty_label = None
        field.initial = communes[0].pk
    else:
        field.empty_label = _("Choose your commune")


class StallForm(forms.ModelForm):
    name = forms.CharField(label=_("Stall name"), max_length=128)
    photo = PhotoField(label=_("Add a photo of your garden, field or shop"), required=False)
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=Commune.objects.all())
    bank_bin = forms.ChoiceField(
        label=_("Bank"), choices=[("", _("Choose a bank"))] + BANK_NAME_CHOICES, required=False
    )
    bank_account_number = forms.CharField(
        label=_("Account number"),
        max_length=19,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Stall
        fields = STALL_FORM_FIELDS
        labels = {"bank_account_name": _("Account holder's name")}
        help_texts = {
            "story": _("Tell buyers about your family, your garden and how you grow."),
            "bank_account_name": _("As the bank writes it, for example NGUYEN VAN THANH."),
        }
        widgets = {"story": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, editing: bool = False, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["commune"]  # a stall stays in the commune that verified it
        else:
            known_commune_field(self.fields["commune"], communes)
        if self.instance.pk:
            self.initial.setdefault("name", self.instance.name)

    def clean_bank_account_number(self):
        value = re.sub(r"[\s.-]", "", self.cleaned_data.get("bank_account_number") or "")
        if value and not value.isdigit():
            raise ValidationError(_("An account number has only digits, no letters."), code="letters")
        if value and not 6 <= len(value) <= 19:
            raise ValidationError(_("An account number has 6 to 19 digits."), code="length")
        return value

    def clean_bank_account_name(self):
        return (self.cleaned_data.get("bank_account_name") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        bank = [cleaned.get("bank_bin"), cleaned.get("bank_account_number"), cleaned.get("bank_account_name")]
        if any(bank) and not all(bank):
            raise ValidationError(
                _("To be paid by transfer, fill in the bank, the account number and the name.")
            )
        return cleaned


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Product name"), max_length=255)
    price = DongField(label=_("Price (đồng)"), help_text=_("For example 65000, 65.000 or 65k."))
    unit = forms.ChoiceField(label=_("Unit of sale"), choices=Unit.choices)
    stock = forms.IntegerField(
        label=_("How many you have"),
        min_value=0,
        max_value=1_000_000,
        error_messages={"invalid": _("Write a whole number, for example 50.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Choose a category"),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    photo = PhotoField(label=_("Photo"), required=False)
    ocop_stars = forms.TypedChoiceField(
        label=_("OCOP stars"),
        choices=[("", _("Not OCOP certified"))] + OCOP_STAR_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    ocop_certificate_number = forms.CharField(
        label=_("OCOP certificate number"), max_length=64, required=False
    )
    ocop_certificate_expiry = forms.DateField(
        label=_("Certificate valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    season_months = forms.TypedMultipleChoiceField(
        label=_("Harvest months"),
        choices=[(n, MONTHS[n]) for n in range(1, 13)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # No "buyers may order before the harvest" box any more: a pre-order is taken from a sale window
    # (Mùa vụ và đặt trước), with its dates, capacity and price; a box promised what nobody could place.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.browsable().order_by("path")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ocop_stars") and not cleaned.get("ocop_certificate_number"):
            self.add_error("ocop_certificate_number", _("Write the number on the OCOP certificate."))
        return cleaned

    @classmethod
    def initial_for(cls, product) -> dict:
        stockrecord = product.stockrecords.all()[0]
        category = product.categories.first()
        return {
            "title": product.title,
            "price": f"{int(stockrecord.price):d}",
            "unit": product.unit,
            "stock": stockrecord.num_in_stock,
            "category": category.pk if category else None,
            "description": product.description,
            "ocop_stars": product.ocop_stars,
            "ocop_certificate_number": product.ocop_certificate_number,
            "ocop_certificate_expiry": product.ocop_certificate_expiry,
            "season_months": product.season_months,
        }


class AssistStartForm(forms.Form):
    household_phone = PhoneField(label=_("The household's mobile number"), max_length=20)
    household_name = forms.CharField(label=_("Name of the head of the household"), max_length=150)
    stall_name = forms.CharField(label=_("Stall name"), max_length=128)
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=Commune.objects.none())

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes if communes is not None else Commune.objects.none()
        known_commune_field(self.fields["commune"], self.fields["commune"].queryset)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("What should the household change?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )
