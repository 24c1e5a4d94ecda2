"""The window form: what a household types to open a sale window, checked field by field in plain words."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from ground.money import group_thousands
from marketplace.payments.models import Refund
from sellers.forms import DongField, PhotoField

Product = get_model("catalogue", "Product")

MAX_QUANTITY = 10_000_000


def _whole(
    label,
    *,
    min_value,
    max_value=MAX_QUANTITY,
    required=True,
    help_text="",
    min_message=None,
    max_message=None,
):
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=max_value,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Write a whole number, for example 50."),
            "min_value": min_message or _("Write a number of at least %(limit_value)s."),
            "max_value": max_message or _("Write a number of at most %(limit_value)s."),
        },
    )


def _date(label):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write a date, for example 05/06/2027.")},
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


class ProductChoice(forms.ModelChoiceField):
    def label_from_instance(self, product):
        return f"{product.get_title()} ({product.get_unit_display()})"


class WindowForm(forms.Form):
    product = ProductChoice(
        label=_("Product"),
        queryset=Product.objects.none(),
        empty_label=_("Choose a product"),
        error_messages={"invalid_choice": _("Choose one of your own products.")},
    )
    opens_on = _date(_("Pre-orders open on"))
    closes_on = _date(_("Pre-orders close on"))
    harvest_from = _date(_("Harvest and delivery from"))
    harvest_to = _date(_("Harvest and delivery until"))
    capacity = _whole(
        _("Quantity on offer"),
        min_value=1,
        help_text=_("In the product's unit (kg, boxes...)."),
        min_message=_("The quantity on offer must be at least 1."),
    )
    price = DongField(label=_("Price per unit (đồng)"), help_text=_("For example 55000, 55.000 or 55k."))
    min_per_buyer = _whole(
        _("Least a buyer can order"), min_value=1, min_message=_("A buyer orders at least 1.")
    )
    max_per_buyer = _whole(
        _("Most a buyer can order"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for no limit."),
        min_message=_("A buyer orders at least 1."),
    )
    deposit_percent = _whole(
        _("Deposit (%)"),
        min_value=0,
        max_value=100,
        help_text=_("Paid by transfer or card when ordering; 0: nothing is paid before the harvest."),
        min_message=_("The deposit is a percentage from 0 to 100."),
        max_message=_("The deposit is a percentage from 0 to 100."),
    )

    def __init__(self, *args, stall, window=None, **kwargs):
        self.window = window
        if window is not None:
            kwargs.setdefault("initial", self.initial_for(window))
        else:
            kwargs.setdefault("initial", {"min_per_buyer": 1, "deposit_percent": 0})
        super().__init__(*args, **kwargs)
        # Only the stall's own products: another stall's product id is refused as an invalid choice.
        self.fields["product"].queryset = (
            Product.objects.filter(stockrecords__partner=stall.partner).distinct().order_by("title")
        )
        self.ordered = window is not None and window.reserved > 0
        if self.ordered:
            why = _("Buyers have already pre-ordered: this stays as it was.")
            for name in ("product", "price", "deposit_percent"):
                self.fields[name].disabled = True
                self.fields[name].help_text = why

    @staticmethod
    def initial_for(window) -> dict:
        return {
            "product": window.product_id,
            "opens_on": window.opens_on,
            "closes_on": window.closes_on,
            "harvest_from": window.harvest_from,
            "harvest_to": window.harvest_to,
            "capacity": window.capacity,
            "price": group_thousands(window.price),
            "min_per_buyer": window.min_per_buyer,
            "max_per_buyer": window.max_per_buyer,
            "deposit_percent": window.deposit_percent,
        }

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.window is not None and capacity < self.window.reserved:
            raise ValidationError(
                _("%(count)s are already pre-ordered: the quantity on offer cannot be less."),
                params={"count": self.window.reserved},
                code="below_reserved",
            )
        return capacity

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if self.window is None and closes_on < timezone.localdate():
            raise ValidationError(_("This closing date has already passed."), code="past")
        return closes_on

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("Pre-orders must close on or after the day they open."))
        start, end = cleaned.get("harvest_from"), cleaned.get("harvest_to")
        if start and end and end < start:
            self.add_error("harvest_to", _("The harvest must end on or after the day it starts."))
        least, most = cleaned.get("min_per_buyer"), cleaned.get("max_per_buyer")
        if least and most and most < least:
            self.add_error("max_per_buyer", _("The most a buyer can order cannot be below the least."))
        capacity = cleaned.get("capacity")
        if least and capacity and least > capacity:
            self.add_error(
                "min_per_buyer", _("The least a buyer can order cannot be above the quantity on offer.")
            )
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The buyers read this in their text message."),
        error_messages={"required": _("Say why the sale window is cancelled: the buyers will read it.")},
    )


class RefundRecordForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How was the money given back?"),
        choices=[
            (Refund.Method.TRANSFER, Refund.Method.TRANSFER.label),
            (Refund.Method.CASH, Refund.Method.CASH.label),
        ],
        initial=Refund.Method.TRANSFER,
    )
    proof = PhotoField(label=_("Photo of the transfer receipt or of the cash handed back"))
