"""GS1 identifiers for stamps: GTIN check digits, lot and serial codes, Digital Link URIs.

GS1 Digital Link: ``https://{host}/01/{GTIN-14}/10/{lot}/21/{serial}``. Lot (AI 10) and serial
(AI 21) are at most 20 characters of GS1's 82-character set. Ours are stricter: upper-case
letters, digits, ``-`` and ``.``, so a whole stamp URL can be written in upper case and encoded in
the QR code's compact alphanumeric mode (smaller codes, faster to encode and to scan).
Products without a GTIN (most households have none) use ``https://{host}/t/{serial}``.
"""

import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GS1 General Specifications, figure 7.11-1: the 82 characters allowed in AI 10 and AI 21.
GS1_CHARSET_82 = set("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
OUR_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.-]{0,19}$")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SERIAL_BITS = 80  # 16 Crockford base-32 characters
SERIAL_LENGTH = SERIAL_BITS // 5
VIETNAM_PREFIX = "893"


def gtin_check_digit(body: str) -> int:
    """Check digit for the GTIN without it: weights 3,1,3,1... from the right."""
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalize_gtin(value: str) -> str:
    """A GTIN-8/12/13/14 as GTIN-14, or a ValidationError naming what is wrong."""
    digits = (value or "").strip().replace(" ", "")
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise ValidationError(_("A GTIN has 8, 12, 13 or 14 digits."), code="gtin_format")
    if gtin_check_digit(digits[:-1]) != int(digits[-1]):
        raise ValidationError(
            _("The last digit of this GTIN is wrong: it should be %(digit)s."),
            code="gtin_check",
            params={"digit": gtin_check_digit(digits[:-1])},
        )
    return digits.zfill(14)


def gtin14(value: str) -> str:
    """A stored GTIN (8 to 14 digits) as the 14 digits a Digital Link carries; '' when none."""
    return value.strip().zfill(14) if value and value.strip() else ""


def validate_gtin(value: str) -> None:
    normalize_gtin(value)


def validate_code(value: str) -> None:
    """A lot code: 1-20 characters, upper-case letters, digits, '-' and '.' (no diacritics, no spaces)."""
    if not OUR_CODE.match(value or ""):
        raise ValidationError(
            _(
                "Use 1 to 20 characters: capital letters without accents, digits, '-' or '.'. "
                "Example: LN2026-06A."
            ),
            code="gs1_code",
        )


def new_serial() -> str:
    """80 random bits from the OS's cryptographic source, as 16 Crockford base-32 characters."""
    number = secrets.randbits(SERIAL_BITS)
    return "".join(CROCKFORD[(number >> shift) & 31] for shift in range(SERIAL_BITS - 5, -1, -5))


def short_code(serial: str) -> str:
    """'7K3Q9XZ2ABCD1234' -> '7K3Q-9XZ2-ABCD-1234', easier to read out or compare by eye."""
    return "-".join(serial[i : i + 4] for i in range(0, len(serial), 4))


def stamp_url(*, base_url: str, serial: str, gtin: str = "", lot: str = "") -> str:
    """``base_url`` is the resolver's scheme and host, e.g. https://cho-ocop.vn (no trailing slash)."""
    if gtin:
        return f"{base_url}/01/{gtin}/10/{lot}/21/{serial}"
    return f"{base_url}/t/{serial}"


@dataclass(frozen=True)
class DigitalLink:
    gtin: str
    lot: str
    serial: str


def parse_digital_link(gtin: str, lot: str, serial: str) -> DigitalLink:
    """The path parts of a Digital Link, validated; ValidationError for a malformed URI (HTTP 400)."""
    gtin14 = normalize_gtin(gtin)
    for value in (lot, serial):
        if not value or len(value) > 20 or not set(value) <= GS1_CHARSET_82:
            raise ValidationError(_("This is not a valid GS1 Digital Link."), code="malformed")
    return DigitalLink(gtin=gtin14, lot=lot, serial=serial)
