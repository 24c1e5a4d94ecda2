"""A report's values written the Vietnamese way, the same on the page, in its charts and in its exports:
1.234 · 120.000 ₫ · 31,8 % · 18 giờ / 2,5 ngày · 4,6 · 29/11/2026; a missing value is "—"."""

import re
import unicodedata
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from ground.money import format_vnd, group_thousands
from marketplace.reports.tables import DATE, HOURS, INT, PERCENT, STARS, TEXT, VND

MISSING = "—"

# A Vietnamese number as people write it: 0912 345 678, 0912.345.678, 0912/345/678, +84 (0) 912 345 678,
# (+84)912345678, 84912345678, landlines 0204 3123 456. Ten or eleven digits in all, up to three
# separators between two of them; not inside a longer number.
_PHONE = re.compile(
    r"(?<![\d])(?:\(?\+84\)?(?:\s*\(0\))?|84|0)[\s.\-/,_()]{0,3}\d(?:[\s.\-/,_()]{0,3}\d){8,9}(?![\d])"
)
_KEPT_FIRST, _KEPT_LAST = 4, 3


def _mask(match: re.Match) -> str:
    text = match.group()
    digits = sum(ch.isdigit() for ch in text)
    seen, out = 0, []
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= _KEPT_FIRST or seen > digits - _KEPT_LAST else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_phones(text: str) -> str:
    """'Ông Thành 0912 345 678' -> 'Ông Thành 0912 *** 678': at most the first 4 and last 3 digits of a
    phone number, however it is typed (full-width digits are read as digits). No report shows a phone
    number: a name that holds one (a stall called after its owner's number) is shown masked."""
    return _PHONE.sub(_mask, unicodedata.normalize("NFKC", text))


def decimal(number: float, places: int = 1) -> str:
    """31.75 -> "31,8": one decimal, with the Vietnamese decimal comma."""
    return f"{number:.{places}f}".replace(".", ",")


def duration(hours: float) -> str:
    """Under two days in hours ("18 giờ"), then in days ("2,5 ngày")."""
    if hours < 1:
        return gettext("under 1 hour")
    if hours < 48:
        whole = round(hours)
        return ngettext("%(count)s hour", "%(count)s hours", whole) % {"count": whole}
    days = decimal(hours / 24).removesuffix(",0")
    return gettext("%(days)s days") % {"days": days}


def format_figure(value, kind: str) -> str:
    """``value`` of a column or figure of ``kind`` (marketplace.reports.tables) as a person reads it."""
    if value is None or value == "":
        return MISSING
    if kind == TEXT:
        return mask_phones(str(value))
    if kind == INT:
        return group_thousands(value)
    if kind == VND:
        return format_vnd(value)
    if kind == PERCENT:
        return f"{decimal(value)} %"
    if kind == HOURS:
        return duration(value)
    if kind == STARS:
        return decimal(value)
    if kind == DATE:
        if isinstance(value, datetime):
            value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
        return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)
    return str(value)


def compact(value: float, kind: str) -> str:
    """A chart's axis label: đồng in "1,2 tr" (millions) or "3,5 tỷ" (billions), anything else as
    ``format_figure`` writes it without its unit."""
    if kind == VND and abs(value) >= 1_000_000_000:
        return gettext("%(amount)s bn") % {"amount": decimal(value / 1_000_000_000).removesuffix(",0")}
    if kind == VND and abs(value) >= 1_000_000:
        return gettext("%(amount)s m") % {"amount": decimal(value / 1_000_000).removesuffix(",0")}
    if kind == PERCENT:
        return f"{decimal(value).removesuffix(',0')} %"
    if kind == STARS:
        return decimal(value)
    if kind == HOURS:
        return duration(value)
    return group_thousands(value)
