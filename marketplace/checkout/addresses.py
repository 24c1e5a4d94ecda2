"""The buyer's past addresses: the checkout form starts from the last one and offers the others as
one-tap choices. A buyer's checkouts are those they may act on (payments.buyers): their account's,
those placed with the phone the account proved with a code, and this browser's."""

from dataclasses import dataclass

from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from ground.phone import display_mobile
from marketplace.payments.buyers import buyer_checkouts
from marketplace.payments.models import Checkout

KEPT = 3
LOOKED_AT = 50  # the newest checkouts searched for distinct addresses


@dataclass
class PastAddress:
    reference: str  # the newest checkout that used it: the choice's value
    fields: dict  # the checkout form's initial values
    label: str


def past_addresses(request, limit: int = KEPT) -> list[PastAddress]:
    """The buyer's newest ``limit`` distinct addresses (name, phone and place), newest first."""
    seen, found = set(), []
    checkouts = buyer_checkouts(request).order_by("-created_at", "-pk")[:LOOKED_AT]
    for checkout in checkouts:
        fields = form_fields(checkout)
        key = tuple(str(value).strip().lower() for name, value in fields.items() if name != "email")
        if key in seen:
            continue
        seen.add(key)
        found.append(PastAddress(reference=checkout.reference, fields=fields, label=_label(checkout)))
        if len(found) == limit:
            break
    return found


def form_fields(checkout: Checkout) -> dict:
    return {
        "name": checkout.name,
        "phone": display_mobile(checkout.phone),
        "email": checkout.email,
        "delivery": checkout.delivery,
        "province": checkout.province_code,
        "commune": checkout.commune_code,
        "address": checkout.address,
    }


def _label(checkout: Checkout) -> str:
    if checkout.delivery == Checkout.Delivery.PICKUP:
        place = [str(Checkout.Delivery.PICKUP.label)]
    else:
        place = [checkout.address, _place_name(Ward, WardCode, checkout.commune_code)]
    place.append(_place_name(Province, ProvinceCode, checkout.province_code))
    return ", ".join([checkout.name, display_mobile(checkout.phone), *(part for part in place if part)])


def _place_name(kind, code_type, code) -> str:
    if not code:
        return ""
    try:
        return kind.from_code(code_type(code)).name
    except ValueError:
        return ""
