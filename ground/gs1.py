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
from urllib.parse import parse_qsl, quote, unquote, urlencode

from biip import BiipException
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
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
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in (8, 12, 13, 14):
        raise ValidationError(_("A GTIN has 8, 12, 13 or 14 digits."), code="gtin_format")
    if gtin_check_digit(digits[:-1]) != int(digits[-1]):
        raise ValidationError(
            _("The last digit of this GTIN is wrong: it should be %(digit)s."),
            code="gtin_check",
            params={"digit": gtin_check_digit(digits[:-1])},
        )
    return digits.zfill(14)


def is_gtin14(value: str) -> bool:
    """Exactly 14 ASCII digits (str.isdigit() alone also accepts "²", which int() then refuses)."""
    return len(value) == 14 and value.isascii() and value.isdigit()


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


# Digital Link URI syntax (GS1 DL 1.4, section 4): the qualifiers of a GTIN, in this order, each once.
GTIN_QUALIFIERS = ("22", "10", "21", "235")
# The longest URI we read: a full stamp URI is about 70 characters; data attributes add a few dozen.
MAX_URI_LENGTH = 1024
# RFC 3986: '%' only as the start of a percent-encoded byte.
BROKEN_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


class InvalidLink(ValueError):
    """A URI that is not a GS1 Digital Link (HTTP 400). ``reason`` is for people, ``detail`` for tools."""

    def __init__(self, reason, detail: str = ""):
        super().__init__(str(reason))
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class DigitalLink:
    """A parsed GS1 Digital Link with a GTIN as primary key. Values are as sent (percent-decoded)."""

    gtin: str
    cpv: str = ""  # AI 22, consumer product variant
    lot: str = ""  # AI 10
    serial: str = ""  # AI 21
    attributes: tuple[tuple[str, str], ...] = ()  # data attributes of the query string (AI, value)

    @property
    def product_path(self) -> str:
        return f"/01/{self.gtin}"

    @property
    def lot_path(self) -> str:
        return f"/01/{self.gtin}/10/{quote(self.lot, safe='')}"

    @property
    def path(self) -> str:
        """The canonical path: every qualifier sent, in the standard's order, percent-encoded."""
        values = {"22": self.cpv, "10": self.lot, "21": self.serial}
        return self.product_path + "".join(
            f"/{ai}/{quote(value, safe='')}" for ai, value in values.items() if value
        )


def parse_link(path: str, query: str = "") -> DigitalLink:
    """A GS1 Digital Link URI's path (still percent-encoded, as it came over the wire) and query
    string, checked with biip plus what biip leaves to the caller: the GTIN's 14 digits and check
    digit, repeated or empty keys, key qualifiers in the query, unknown AIs, control characters.
    One trailing slash is tolerated. Raises InvalidLink with the reason."""
    if len(path) + len(query) > MAX_URI_LENGTH:
        raise InvalidLink(_("This link is too long to be a stamp's link."))
    if path.endswith("/") and len(path) > 1:
        path = path[:-1]
    segments = path.lstrip("/").split("/")
    if len(segments) < 2 or segments[0] != "01":
        raise InvalidLink(_("A GS1 Digital Link starts with /01/ and the product's GTIN."))
    if BROKEN_PERCENT.search(path) or BROKEN_PERCENT.search(query):
        raise InvalidLink(_("This link contains characters that a GS1 Digital Link cannot hold."))
    try:
        values = [unquote(segment, errors="strict") for segment in segments]
    except UnicodeDecodeError as error:
        raise InvalidLink(_("This link contains characters that a GS1 Digital Link cannot hold.")) from error
    if any(not value.isascii() or not value.isprintable() for value in values):
        raise InvalidLink(_("This link contains characters that a GS1 Digital Link cannot hold."))
    if not is_gtin14(values[1]):
        raise InvalidLink(_("The GTIN in a GS1 Digital Link has 14 digits."), values[1])
    if gtin_check_digit(values[1][:-1]) != int(values[1][-1]):
        raise InvalidLink(
            _("The last digit of this GTIN is wrong: it should be %(digit)s.")
            % {"digit": gtin_check_digit(values[1][:-1])},
            values[1],
        )
    if len(values) % 2 or any(not value for value in values):
        raise InvalidLink(_("Every key in a GS1 Digital Link needs a value."))
    attributes = _data_attributes(query)
    keys = [*values[0::2], *(ai for ai, _value in attributes)]
    if len(set(keys)) != len(keys):
        raise InvalidLink(_("A key appears twice in this link."))
    try:
        parsed = GS1DigitalLinkURI.parse(
            "https://resolver.invalid/"
            + "/".join(quote(value, safe="") for value in values)
            + ("?" + urlencode(attributes) if attributes else "")
        )
    except (BiipException, ValueError) as error:  # biip's messages are in English, for tools
        raise InvalidLink(_("This is not a valid GS1 Digital Link."), str(error)) from error
    found = {element.ai.ai: element.value for element in parsed.element_strings}
    return DigitalLink(
        gtin=found["01"],
        cpv=found.get("22", ""),
        lot=found.get("10", ""),
        serial=found.get("21", ""),
        attributes=tuple(attributes),
    )


def _data_attributes(query: str) -> list[tuple[str, str]]:
    """The query string's AIs (all-digit keys). Other keys (linkType, context, utm_source...) belong to
    the resolver and are not the identifier's."""
    try:
        pairs = parse_qsl(
            query, keep_blank_values=True, strict_parsing=False, errors="strict", max_num_fields=50
        )
    except ValueError as error:
        raise InvalidLink(_("This link's query string cannot be read."), str(error)) from error
    attributes = []
    for key, value in pairs:
        if not key.isdigit():
            continue
        if key == "01" or key in GTIN_QUALIFIERS:
            raise InvalidLink(_("The key %(ai)s belongs in the link's path, not after '?'.") % {"ai": key})
        try:
            known = GS1ApplicationIdentifier.extract(key).ai == key
        except BiipException:
            known = False
        if not known:
            raise InvalidLink(_("%(ai)s is not a GS1 Application Identifier.") % {"ai": key})
        if not value:
            raise InvalidLink(_("Every key in a GS1 Digital Link needs a value."))
        if not value.isascii() or not value.isprintable():
            raise InvalidLink(_("This link contains characters that a GS1 Digital Link cannot hold."))
        attributes.append((key, value))
    return attributes


def serial_lookup_form(serial: str) -> str:
    """How we look a serial up: Crockford base 32 reads I and L as 1 and O as 0, in any case."""
    return serial.upper().translate(str.maketrans("ILO", "110"))
