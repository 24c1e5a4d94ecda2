"""Which days a report covers: this month unless the person asks for other dates."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.reports.tables import Period

# The widest report one page adds up (two years), and the first day anything was sold here.
MAX_DAYS = 731
EARLIEST = date(2020, 1, 1)


def this_month(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today.replace(day=1), today)


def month_of(day: date) -> Period:
    """The whole calendar month of ``day`` (up to today when it is this month)."""
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(first, min(last, max(first, timezone.localdate())))


class PeriodForm(forms.Form):
    """``?tu=2026-11-01&den=2026-11-29`` (what an ``<input type=date>`` sends)."""

    tu = forms.DateField(label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    den = forms.DateField(label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("tu"), data.get("den")
        latest = timezone.localdate()
        if (start and start > latest) or (end and end > latest):
            raise forms.ValidationError(_("Choose dates up to today."), code="future")
        default = this_month()
        start = start or (end.replace(day=1) if end else default.start)
        end = end or (min(month_of(start).end, timezone.localdate()) if data.get("tu") else default.end)
        if start < EARLIEST or end < EARLIEST:
            raise forms.ValidationError(_("Choose dates from 2020 on."), code="too_early")
        if end < start:
            raise forms.ValidationError(_("The end date is before the start date."), code="reversed")
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("Choose at most two years at a time."), code="too_long")
        data["period"] = Period(start, end)
        return data

    def period(self) -> Period:
        """The dates asked for, or this month when they are missing or wrong (the form says why)."""
        if self.is_valid():
            return self.cleaned_data["period"]
        return this_month()


class MonthForm(forms.Form):
    """``?thang=2026-11``: the month of the printed report."""

    thang = forms.CharField(required=False, max_length=7)

    def period(self) -> Period | None:
        """None when ``thang`` is not a month (the view answers 400)."""
        if not self.is_valid():
            return None
        text = self.cleaned_data["thang"] or timezone.localdate().strftime("%Y-%m")
        try:
            year, month = (int(part) for part in text.split("-"))
            first = date(year, month, 1)
        except ValueError:
            return None
        if first < EARLIEST or first > timezone.localdate():
            return None
        return month_of(first)
