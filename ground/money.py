"""Money is whole Vietnamese đồng: integers, written the Vietnamese way (120.000 ₫)."""

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
