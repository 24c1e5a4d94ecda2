"""Vietnamese mobile numbers: what a household types, and the one form we store (+84 and 9 digits)."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID = _("Enter a Vietnamese mobile number, for example 0912 345 678.")


def normalize_mobile(raw: str) -> str:
    """'0912 345 678', '+84 912-345-678', '84912345678' -> '+84912345678'; anything else is refused."""
    text = (raw or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("84") or (digits.startswith("84") and len(digits) == 11):
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(INVALID, code="invalid_phone") from error
    is_mobile = phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if number.country_code != 84 or not phonenumbers.is_valid_number(number) or not is_mobile:
        raise ValidationError(INVALID, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_mobile(phone: str) -> str:
    """'+84912345678' -> '0912 345 678', the way it is written on a shop sign."""
    local = "0" + phone.removeprefix("+84")
    return f"{local[:4]} {local[4:7]} {local[7:]}"
