"""Money is whole Vietnamese đồng: integers, written the Vietnamese way (120.000 ₫)."""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal


def to_dong(amount) -> int:
    """Round any amount (Decimal, int, str) to whole đồng."""
    return int(Decimal(str(amount)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def group_thousands(amount) -> str:
    """120000 -> "120.000": the number as said and written in Vietnamese (dot thousands separator)."""
    dong = to_dong(amount)
    sign = "-" if dong < 0 else ""
    return f"{sign}{abs(dong):,}".replace(",", ".")


def format_vnd(amount) -> str:
    """120000 -> "120.000 ₫" (dot thousands separator; CSS keeps it on one line)."""
    if amount is None or amount == "":
        return ""
    return group_thousands(amount) + " ₫"


class PriceError(ValueError):
    """A price typed by a person that is not a whole number of đồng; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# Multipliers people type after a number: "65k", "65 nghìn", "1,5 triệu", "2tr".
_UNITS = {
    "k": 1_000,
    "nghìn": 1_000,
    "nghin": 1_000,
    "ngàn": 1_000,
    "ngan": 1_000,
    "tr": 1_000_000,
    "triệu": 1_000_000,
    "trieu": 1_000_000,
}
_CURRENCY = re.compile(r"\s*(₫|đ|đồng|dong|d|vnd|vnđ)\.?$", re.IGNORECASE)
_UNIT = re.compile(r"^(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>[^\d\s.,]+)$", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}([.,  ]\d{3})+")


def parse_dong(text: str) -> int:
    """A price as Vietnamese people type it, in whole đồng: "65000", "65.000", "65,000", "65 000",
    "65000đ", "65.000 ₫", "65k", "65 nghìn", "1,5 triệu" all mean what they say. Raises PriceError
    ("negative", "decimal", "not_a_number") for anything else."""
    text = unicodedata.normalize("NFC", (text or "").strip().lower())
    if text.startswith("-"):
        raise PriceError("negative")
    text = _CURRENCY.sub("", text).strip()
    unit_match = _UNIT.fullmatch(text)
    if unit_match and unit_match["unit"] in _UNITS:
        number = Decimal(unit_match["number"].replace(",", "."))
        amount = number * _UNITS[unit_match["unit"]]
        if amount != amount.to_integral_value():
            raise PriceError("not_a_number")
        return int(amount)
    if text.isdigit():
        return int(text)
    if _GROUPED.fullmatch(text) and len(set(re.sub(r"\d", "", text))) == 1:
        return int(re.sub(r"\D", "", text))
    if re.fullmatch(r"\d+[.,]\d+", text):
        raise PriceError("decimal")  # "1,5": đồng have no decimals
    raise PriceError("not_a_number")
