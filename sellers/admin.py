"""Django admin: the phone a user gets log-in codes at (platform admins add staff phones here).

django-axes registers its own pages (Access attempts: lift a login lockout by deleting its rows)."""

from django import forms
from django.contrib import admin

from ground.phone import normalize_mobile
from sellers.models import PhoneAccount


class PhoneAccountForm(forms.ModelForm):
    class Meta:
        model = PhoneAccount
        fields = ["user", "phone", "second_factor"]

    def clean_phone(self):
        return normalize_mobile(self.cleaned_data["phone"])


@admin.register(PhoneAccount)
class PhoneAccountAdmin(admin.ModelAdmin):
    form = PhoneAccountForm
    list_display = ["phone", "user", "second_factor", "verified_at"]
    list_filter = ["second_factor"]
    search_fields = ["phone", "user__username", "user__email"]
    raw_id_fields = ["user"]
