from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from ground.documents import clean_scan
from sellers.forms import PhotoField
from traceability.models import Certification, FarmPlot, LotEvent, StampRun
from traceability.selectors import cooperative_stalls

Product = get_model("catalogue", "Product")


class PlotForm(forms.ModelForm):
    class Meta:
        model = FarmPlot
        fields = ["owner", "name", "area_m2", "latitude", "longitude", "crops"]
        labels = {"owner": _("Household or cooperative")}

    def __init__(self, *args, stall, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = self.fields["owner"].queryset.filter(
            pk__in=[s.pk for s in cooperative_stalls(stall)]
        )
        self.fields["owner"].limit_choices_to = None


class LotForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    code = forms.CharField(label=_("Lot code"), max_length=40, help_text=_("Example: LN2026-06A"))
    harvest_date = forms.DateField(label=_("Harvest date"), widget=forms.DateInput(attrs={"type": "date"}))
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=10, decimal_places=2)
    unit = forms.CharField(label=_("Unit"), max_length=10, initial="kg")
    best_before = forms.DateField(
        label=_("Best before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    plots = forms.ModelMultipleChoiceField(
        label=_("Plots"),
        queryset=FarmPlot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, stall, **kwargs):
        super().__init__(*args, **kwargs)
        stalls = cooperative_stalls(stall)
        partners = [s.partner_id for s in stalls]
        self.fields["product"].queryset = (
            Product.objects.filter(stockrecords__partner__in=partners).distinct().order_by("title")
        )
        self.fields["plots"].queryset = FarmPlot.objects.filter(owner__in=stalls)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class EventChoiceField(forms.ModelChoiceField):
    """An earlier entry as the cooperative wrote it: "Thu hoạch · 12-06-2026", in its own words and
    local time (not "commissioning 2026-06-11", the code name and the UTC date)."""

    def label_from_instance(self, event: LotEvent) -> str:
        when = timezone.localtime(event.occurred_at)
        shown = date_format(when, "SHORT_DATE_FORMAT" if event.date_only else "SHORT_DATETIME_FORMAT")
        return f"{event.get_step_display()} · {shown}{f' · {event.place}' if event.place else ''}"


class EventForm(forms.Form):
    step = forms.ChoiceField(label=_("What happened"), choices=LotEvent.Step.choices)
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Where"), max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photo = PhotoField(label=_("Photo"), required=False)
    corrects = EventChoiceField(
        label=_("Corrects the entry"), queryset=LotEvent.objects.none(), required=False
    )

    def __init__(self, *args, lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].queryset = lot.events.all()


class StampRunForm(forms.Form):
    count = forms.IntegerField(
        label=_("How many stamps"),
        min_value=1,
        error_messages={"min_value": _("Order at least 1 stamp.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    layout = forms.ChoiceField(label=_("Sheet"), choices=StampRun.Layout.choices)
    cut_marks = forms.BooleanField(label=_("Print cut marks"), required=False)


class RangeForm(forms.Form):
    first = forms.IntegerField(label=_("From stamp number"), min_value=1, required=False)
    last = forms.IntegerField(label=_("To stamp number"), min_value=1, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CertificationForm(forms.ModelForm):
    class Meta:
        model = Certification
        fields = ["holder", "product", "kind", "stars", "number", "issuer", "valid_from", "valid_to", "scan"]
        labels = {
            "holder": _("Household or cooperative"),
            "product": _("Product (if the certificate is for one)"),
        }
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, stall, **kwargs):
        super().__init__(*args, **kwargs)
        stalls = cooperative_stalls(stall)
        self.fields["holder"].queryset = self.fields["holder"].queryset.filter(pk__in=[s.pk for s in stalls])
        self.fields["holder"].limit_choices_to = None
        self.fields["product"].queryset = (
            Product.objects.filter(stockrecords__partner__in=[s.partner_id for s in stalls])
            .distinct()
            .order_by("title")
        )

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        return clean_scan(scan) if scan else scan

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Certification.Kind.OCOP and not cleaned.get("stars"):
            self.add_error("stars", _("An OCOP certificate has 3, 4 or 5 stars."))
        valid_from, valid_to = cleaned.get("valid_from"), cleaned.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("The end of validity is before its start."))
        return cleaned
