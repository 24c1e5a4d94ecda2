from django import forms
from django.utils.translation import gettext_lazy as _

from ground.phone import normalize_mobile


class RestockForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        help_text=_("We send one text when it is back, then forget the number. No account needed."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
    )

    def clean_phone(self):
        return normalize_mobile(self.cleaned_data["phone"])
