"""The complaint forms: the buyer's complaint, the stall's answer, the commune's decision."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ground.images import clean_photo
from ground.money import format_vnd
from marketplace.complaints.models import Complaint
from marketplace.complaints.services import MAX_PHOTOS
from marketplace.payments.models import OrderPayment
from sellers.forms import DongField, PhotoField

MAX_WORDS = 2000


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS photos in one field, each checked and cleaned like product photos."""

    widget = MultiplePhotoInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data or []) if upload] if isinstance(data, list | tuple) else [data]
        uploads = [upload for upload in uploads if upload]
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(_("At most 3 photos."), code="too_many")
        return [clean_photo(upload) for upload in uploads]


class LineChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, line):
        return f"{line.quantity} × {line.title} ({format_vnd(line.line_price_incl_tax)})"


class ComplaintForm(forms.Form):
    lines = LineChoiceField(
        label=_("Which products?"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the products the complaint is about.")},
    )
    reason = forms.ChoiceField(
        label=_("What went wrong?"),
        choices=Complaint.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what went wrong.")},
    )
    words = forms.CharField(
        label=_("Tell the stall what happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_WORDS,
        required=False,
    )
    photos = PhotosField(
        label=_("Photos (up to 3)"), required=False, help_text=_("A photo of the damage helps the stall.")
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].queryset = lines
        if len(lines) == 1:
            self.fields["lines"].initial = [lines[0].pk]

    def clean(self):
        data = super().clean()
        if data.get("reason") == Complaint.Reason.OTHER and not data.get("words", "").strip():
            self.add_error("words", _("Tell the stall what happened."))
        return data


class RefundFields(forms.Form):
    """An amount in đồng (never above what can still be refunded) and, for a transfer or cash, a proof."""

    amount = DongField(label=_("Amount to refund (đồng)"), required=False)
    proof = PhotoField(label=_("Photo of the transfer receipt or of the cash handed back"), required=False)

    def __init__(self, *args, payment: OrderPayment, left: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.payment, self.left = payment, left
        if payment.method == OrderPayment.Method.CARD:
            del self.fields["proof"]

    def clean(self):
        data = super().clean()
        self._clean_refund(data)
        return data

    def _clean_refund(self, data):
        amount = data.get("amount")
        if "amount" in self.errors:
            return
        if not amount:
            self.add_error("amount", _("Enter the amount to refund, in đồng."))
        elif amount > self.left:
            self.add_error(
                "amount",
                _("At most %(left)s can still be refunded for this order (%(paid)s was paid).")
                % {"left": format_vnd(self.left), "paid": format_vnd(self.payment.amount)},
            )
        if "proof" in self.fields and not data.get("proof") and "proof" not in self.errors:
            self.add_error("proof", _("Add a photo of the transfer receipt or of the cash handed back."))


class StallRefundForm(RefundFields):
    words = forms.CharField(
        label=_("A word to the buyer (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )


class ReplaceForm(forms.Form):
    words = forms.CharField(
        label=_("When and how the replacement comes (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )


class DeclineForm(forms.Form):
    words = forms.CharField(
        label=_("Why do you decline?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("Write why you decline: the buyer and the commune will read it.")},
    )


class EscalateForm(forms.Form):
    words = forms.CharField(
        label=_("What should the commune know? (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )


class StaffRefundForm(RefundFields):
    words = forms.CharField(
        label=_("Reason for the decision"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={
            "required": _("Write the reason for the decision: the buyer and the stall will read it.")
        },
    )


class StaffCloseForm(forms.Form):
    words = forms.CharField(
        label=_("Reason for closing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={
            "required": _("Write the reason for the decision: the buyer and the stall will read it.")
        },
    )
