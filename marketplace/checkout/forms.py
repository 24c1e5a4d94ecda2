"""The one checkout form: who and where, how each stall is paid. Messages in plain words."""

from django import forms
from django.utils.translation import gettext_lazy as _
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from ground.money import format_vnd
from ground.phone import normalize_mobile
from marketplace.payments.checkout import DEPOSIT_METHODS, Buyer, methods_for
from marketplace.payments.models import Checkout, OrderPayment
from marketplace.payments.services import order_code


def province_choices() -> list[tuple[int | str, str]]:
    """A first choice that says what to do (not the first province of the alphabet), then the provinces."""
    provinces = sorted(((int(p.code), p.name) for p in Province.iter_all()), key=lambda choice: choice[1])
    return [("", _("Choose your province")), *provinces]


def commune_choices(province_code: int | None) -> list[tuple[str, str]]:
    if not province_code:
        return []
    try:
        wards = Ward.iter_by_province(ProvinceCode(province_code))
    except ValueError:
        return []
    return [("", _("Choose your commune"))] + sorted(
        ((str(int(w.code)), w.name) for w in wards), key=lambda c: c[1]
    )


def phone_input() -> forms.TextInput:
    """The digits keyboard on a phone, and the browser's saved number."""
    return forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"})


DEPOSIT, WHOLE = "deposit", "whole"


def deposit_choice(group) -> forms.ChoiceField:
    """A pre-order paid by transfer or card: the deposit now and the rest on delivery (the default),
    or everything now. Cash on delivery pays nothing now, whichever is chosen."""
    return forms.ChoiceField(
        label=_("When to pay %(stall)s") % {"stall": group.stall.name},
        choices=[
            (
                DEPOSIT,
                _("Pay a deposit of %(deposit)s now, the other %(balance)s on delivery")
                % {"deposit": format_vnd(group.deposit), "balance": format_vnd(group.balance)},
            ),
            (WHOLE, _("Pay all %(total)s now") % {"total": format_vnd(group.total)}),
        ],
        initial=DEPOSIT,
        required=False,
        help_text=_("With cash on delivery you pay nothing now."),
        widget=forms.RadioSelect,
    )


class PreorderForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=100000,
        error_messages={
            "required": _("Write how much you want to pre-order."),
            "invalid": _("Write how much you want to pre-order, as a whole number."),
            "min_value": _("Pre-order at least 1."),
            "max_value": _("That is more than any harvest: write a smaller quantity."),
        },
    )


class CheckoutForm(forms.Form):
    name = forms.CharField(
        label=_("Full name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        help_text=_("For the delivery and to track your order."),
        widget=phone_input(),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    delivery = forms.ChoiceField(
        label=_("How you get it"),
        choices=Checkout.Delivery.choices,
        widget=forms.RadioSelect,
        initial="delivery",
    )
    province = forms.TypedChoiceField(
        label=_("Province"),
        coerce=int,
        choices=province_choices,
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
    # Any code is accepted here and checked against the province in clean(): without JavaScript the
    # buyer may have changed the province without asking for its communes again.
    commune = forms.IntegerField(
        label=_("Commune or ward"),
        required=False,
        widget=forms.Select(attrs={"autocomplete": "address-level2"}),
    )
    address = forms.CharField(
        label=_("House number, street, village"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )

    def __init__(self, *args, groups, cards: bool, province: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.data.get("province") or province
        self.fields["commune"].widget.choices = commune_choices(
            int(chosen) if str(chosen or "").isdigit() else None
        )
        self.groups = groups
        for group in groups:
            methods = methods_for(group.stall, cards=cards)
            self.fields[f"pay_{group.stall.pk}"] = forms.ChoiceField(
                label=_("How to pay %(stall)s") % {"stall": group.stall.name},
                choices=[(m, OrderPayment.Method(m).label) for m in methods],
                initial=methods[0],
                widget=forms.RadioSelect,
            )
            group.pay_field = f"pay_{group.stall.pk}"
            group.deposit_field = None
            if group.deposit and any(method in DEPOSIT_METHODS for method in methods):
                group.deposit_field = f"deposit_{group.stall.pk}"
                self.fields[group.deposit_field] = deposit_choice(group)

    def pay_whole(self) -> frozenset[int]:
        """The stalls whose buyer pays the whole now rather than the pre-order's deposit."""
        return frozenset(
            group.stall.pk
            for group in self.groups
            if group.deposit_field and self.cleaned_data.get(group.deposit_field) == WHOLE
        )

    def clean_phone(self):
        return normalize_mobile(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        province, commune = data.get("province"), data.get("commune")
        if commune:
            try:
                ward = Ward.from_code(WardCode(commune))
            except ValueError:
                ward = None
            if ward is None or int(ward.province_code) != province:
                self.add_error("commune", _("This commune is not in the province you chose."))
        if data.get("delivery") == Checkout.Delivery.DELIVERY:
            if not commune and "commune" not in self.errors:
                self.add_error("commune", _("Choose the commune to deliver to."))
            if not data.get("address"):
                self.add_error("address", _("Write the house number, street or village to deliver to."))
        return data

    def buyer(self) -> Buyer:
        data = self.cleaned_data
        province = Province.from_code(ProvinceCode(data["province"]))
        commune = Ward.from_code(WardCode(data["commune"])) if data.get("commune") else None
        return Buyer(
            name=data["name"].strip(),
            phone=data["phone"],
            email=data.get("email", ""),
            delivery=data["delivery"],
            province_code=data["province"],
            province_name=province.name,
            commune_code=data.get("commune"),
            commune_name=commune.name if commune else "",
            address=data.get("address", "").strip(),
        )

    def methods(self) -> dict[int, str]:
        return {group.stall.pk: self.cleaned_data[group.pay_field] for group in self.groups}


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Order number"),
        max_length=40,
        help_text=_("The order number (100005) or the checkout code (DH...), as in our message."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(label=_("Mobile phone used for the order"), max_length=20, widget=phone_input())

    def clean_number(self):
        code = order_code(self.cleaned_data["number"])
        if not code:
            raise forms.ValidationError(_("Write the order number, for example 100005."), code="empty")
        return code

    def clean_phone(self):
        return normalize_mobile(self.cleaned_data["phone"])
