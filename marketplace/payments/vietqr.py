"""VietQR: the Vietnamese bank-transfer QR code (NAPAS 247 "transfer to account").

A VietQR payload is an EMVCo merchant-presented QR string: a run of TLV items, each written as a
two-digit id, a two-digit decimal length (of the value, in characters) and the value. Items 38 and 62
hold TLV items of their own::

    00 "01"                       payload format indicator
    01 "11" | "12"                static (no amount) | dynamic (with an amount)
    38 00 "A000000727"            NAPAS GUID
       01 00 bank BIN (6 digits)  the beneficiary: bank and account number
          01 account number
       02 "QRIBFTTA"              service: transfer to an account
    53 "704"                      currency: VND
    54 amount                     whole đồng, digits only (dynamic codes only)
    58 "VN"                       country
    62 08 purpose                 purpose of the transfer (the text the buyer's bank sends along)
    63 CRC                        CRC-16/CCITT-FALSE of everything before it, "6304" included,
                                  as four upper-case hex digits

The purpose travels through banks that only take plain ASCII, so it is folded: Vietnamese diacritics
are dropped ("Đơn hàng" -> "DON HANG"), anything but letters and digits becomes a space, spaces are
collapsed and the result is upper-cased (upper-case and digits also keep the QR code in its compact
alphanumeric mode). It must then fit in 25 characters; an empty purpose leaves item 62 out.

Common BINs: Agribank 970405, Vietcombank 970436, VietinBank 970415, BIDV 970418, MB 970422.
"""

import io
import re

import segno

from ground.text import fold

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY = "VN"
STATIC, DYNAMIC = "11", "12"

MAX_PURPOSE = 25
MAX_AMOUNT_DIGITS = 13
SVG_SCALE = 6  # pixels per module: about 270 px wide for a typical code, comfortable on a phone
PNG_SCALE = 10  # larger, for downloading and printing
QUIET_ZONE = 4

_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{1,19}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


def crc16_ccitt_false(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, unreflected, no final xor) as four upper-case hex."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


# Building


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"item {tag} is too long ({len(value)} characters, at most 99)")
    return f"{tag}{len(value):02d}{value}"


def fold_purpose(purpose: str) -> str:
    """'Đơn hàng #100023' -> 'DON HANG 100023': ASCII letters, digits and single spaces, upper-cased."""
    text = "".join(char if char.isascii() and char.isalnum() else " " for char in fold(purpose))
    return " ".join(text.split()).upper()


def _check_bank_bin(bank_bin: str) -> str:
    if not isinstance(bank_bin, str) or not _BIN.fullmatch(bank_bin):
        raise ValueError(f"bank BIN must be exactly 6 digits, got {bank_bin!r}")
    return bank_bin


def _check_account(account: str) -> str:
    if not isinstance(account, str) or not _ACCOUNT.fullmatch(account):
        raise ValueError(f"account number must be 1 to 19 letters or digits (no spaces), got {account!r}")
    return account


def _check_amount(amount: int | None) -> int | None:
    if amount is None:
        return None
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"amount must be a whole number of đồng (int), got {amount!r}")
    if amount <= 0:
        raise ValueError(f"amount must be positive, got {amount}")
    if len(str(amount)) > MAX_AMOUNT_DIGITS:
        raise ValueError(f"amount must have at most {MAX_AMOUNT_DIGITS} digits, got {amount}")
    return amount


def _check_purpose(purpose: str) -> str:
    if not isinstance(purpose, str):
        raise ValueError(f"purpose must be text, got {purpose!r}")
    folded = fold_purpose(purpose)
    if len(folded) > MAX_PURPOSE:
        raise ValueError(f"purpose must be at most {MAX_PURPOSE} characters once folded, got {folded!r}")
    return folded


def build_payload(*, bank_bin: str, account: str, amount: int | None, purpose: str) -> str:
    """The VietQR string for a transfer to ``account`` at the bank ``bank_bin``.

    With an amount (whole đồng) the code is dynamic ("12") and the buyer's app fills the amount in;
    without one it is static ("11"). The purpose is folded to plain upper-case ASCII (see the module).
    """
    bank_bin = _check_bank_bin(bank_bin)
    account = _check_account(account)
    amount = _check_amount(amount)
    purpose = _check_purpose(purpose)

    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT)
    parts = [
        _tlv("00", "01"),
        _tlv("01", STATIC if amount is None else DYNAMIC),
        _tlv("38", merchant),
        _tlv("53", CURRENCY_VND),
    ]
    if amount is not None:
        parts.append(_tlv("54", str(amount)))
    parts.append(_tlv("58", COUNTRY))
    if purpose:
        parts.append(_tlv("62", _tlv("08", purpose)))
    body = "".join(parts) + "6304"
    return body + crc16_ccitt_false(body)


# Parsing


def _parse_tlv(text: str, where: str = "payload") -> dict[str, str]:
    """Split a TLV run into {id: value}; ValueError on a truncated item, a bad header or a repeated id."""
    items: dict[str, str] = {}
    position = 0
    while position < len(text):
        header = text[position : position + 4]
        if len(header) < 4 or not header.isascii() or not header.isdigit():
            raise ValueError(f"malformed TLV in {where} at {position}: bad item header {header!r}")
        tag, length = header[:2], int(header[2:])
        value = text[position + 4 : position + 4 + length]
        if len(value) != length:
            raise ValueError(f"malformed TLV in {where}: item {tag} is truncated")
        if tag in items:
            raise ValueError(f"malformed TLV in {where}: item {tag} appears twice")
        items[tag] = value
        position += 4 + length
    return items


def _verify_crc(payload: str) -> None:
    if len(payload) < 8 or payload[-8:-4] != "6304" or not _HEX4.fullmatch(payload[-4:]):
        raise ValueError("payload must end with the CRC item 6304 and four hex digits")
    expected = crc16_ccitt_false(payload[:-4])
    if payload[-4:].upper() != expected:
        raise ValueError(f"CRC mismatch: payload says {payload[-4:]}, content gives {expected}")


def _require(items: dict[str, str], tag: str, where: str) -> str:
    if tag not in items:
        raise ValueError(f"{where} has no item {tag}")
    return items[tag]


def _parse_amount(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isascii() or not value.isdigit():
        raise ValueError(f"amount must be whole đồng (digits only), got {value!r}")
    return _check_amount(int(value))


def parse_payload(payload: str) -> dict:
    """Read a VietQR string back: {"bank_bin", "account", "amount", "purpose", "dynamic"}.

    The CRC is verified first; ValueError on a bad CRC, malformed TLV or a code that is not a VietQR
    transfer to an account in VND. ``amount`` is None and ``purpose`` "" when the code has none.
    """
    if not isinstance(payload, str):
        raise ValueError(f"payload must be text, got {payload!r}")
    _verify_crc(payload)
    items = _parse_tlv(payload)
    if next(iter(items)) != "00" or items["00"] != "01":
        raise ValueError("payload must start with the format indicator 000201")
    if list(items)[-1] != "63":
        raise ValueError("the CRC item 63 must come last")
    initiation = items.get("01", STATIC)
    if initiation not in (STATIC, DYNAMIC):
        raise ValueError(f"item 01 must be {STATIC} (static) or {DYNAMIC} (dynamic), got {initiation!r}")

    merchant = _parse_tlv(_require(items, "38", "payload"), "item 38")
    if _require(merchant, "00", "item 38") != NAPAS_GUID:
        raise ValueError(f"item 38 is not a NAPAS account (GUID {merchant['00']!r})")
    if merchant.get("02") != SERVICE_TO_ACCOUNT:
        raise ValueError(f"item 38 is not a transfer to an account (service {merchant.get('02')!r})")
    beneficiary = _parse_tlv(_require(merchant, "01", "item 38"), "item 38.01")
    if _require(items, "53", "payload") != CURRENCY_VND:
        raise ValueError(f"currency must be {CURRENCY_VND} (VND), got {items['53']!r}")
    if _require(items, "58", "payload") != COUNTRY:
        raise ValueError(f"country must be {COUNTRY}, got {items['58']!r}")
    additional = _parse_tlv(items.get("62", ""), "item 62")

    return {
        "bank_bin": _check_bank_bin(_require(beneficiary, "00", "item 38.01")),
        "account": _check_account(_require(beneficiary, "01", "item 38.01")),
        "amount": _parse_amount(items.get("54")),
        "purpose": additional.get("08", ""),
        "dynamic": initiation == DYNAMIC,
    }


# Rendering


def _qr(payload: str) -> segno.QRCode:
    # boost_error=False keeps the level at M exactly (segno would otherwise raise it when it fits).
    return segno.make_qr(payload, error="m", boost_error=False)


def qr_svg(payload: str, *, scale: int = SVG_SCALE) -> str:
    """The QR code as an inline <svg> (black on white, quiet zone 4), with a viewBox so CSS can shrink it."""
    qr = _qr(payload)
    width, height = qr.symbol_size(scale=scale, border=QUIET_ZONE)
    svg = qr.svg_inline(scale=scale, border=QUIET_ZONE, dark="#000", light="#fff")
    return svg.replace("<svg ", f'<svg viewBox="0 0 {width} {height}" ', 1)


def qr_png(payload: str, *, scale: int = PNG_SCALE) -> bytes:
    """The QR code as PNG bytes (black on white, quiet zone 4)."""
    buffer = io.BytesIO()
    _qr(payload).save(buffer, kind="png", scale=scale, border=QUIET_ZONE, dark="#000", light="#fff")
    return buffer.getvalue()
