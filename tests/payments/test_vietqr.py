"""VietQR payloads, checked against a hand-assembled string, an independent CRC and a real QR decoder."""

import binascii
import io
import re

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from marketplace.payments.vietqr import build_payload, crc16_ccitt_false, parse_payload, qr_png, qr_svg

# Vietcombank (970436), account 0011001234567, 120.000 ₫, purpose "DH 100023", assembled by hand:
#   00 02 01                                   format indicator        -> 000201
#   01 02 12                                   dynamic (has an amount) -> 010212
#   38 57 ...                                  merchant account, 57 characters:
#      00 10 A000000727                        NAPAS GUID              -> 0010A000000727       (14)
#      01 27 ...                               beneficiary, 27 characters:                     (31)
#         00 06 970436                         BIN                     -> 0006970436           (10)
#         01 13 0011001234567                  account                 -> 01130011001234567    (17)
#      02 08 QRIBFTTA                          transfer to account     -> 0208QRIBFTTA         (12)
#   53 03 704                                  VND                     -> 5303704
#   54 06 120000                               amount                  -> 5406120000
#   58 02 VN                                   country                 -> 5802VN
#   62 13 ...                                  additional data:
#      08 09 DH 100023                         purpose                 -> 0809DH 100023        (13)
#   63 04 6670                                 CRC of all the above + "6304", from crc_hqx and the bit loop
#                                              below (not from the module), then written out here.
EXPECTED = (
    "000201"
    "010212"
    "3857" "0010A000000727" "0127" "0006970436" "01130011001234567" "0208QRIBFTTA"
    "5303704"
    "5406120000"
    "5802VN"
    "6213" "0809DH 100023"
    "6304" "6670"
)  # fmt: skip
STALL = {"bank_bin": "970436", "account": "0011001234567", "amount": 120000, "purpose": "DH 100023"}


def bitwise_crc16_ccitt_false(data: bytes) -> int:
    """An independent CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, MSB first, no final xor."""
    crc = 0xFFFF
    for byte in data:
        for bit in range(7, -1, -1):
            feedback = ((crc >> 15) & 1) ^ ((byte >> bit) & 1)
            crc = (crc << 1) & 0xFFFF
            if feedback:
                crc ^= 0x1021
    return crc


def test_independent_crcs_agree_on_the_check_value():
    # binascii.crc_hqx is CRC-CCITT (0x1021, unreflected, no final xor) from a chosen start: with 0xFFFF
    # it is CRC-16/CCITT-FALSE, whose catalogued check value for "123456789" is 0x29B1.
    assert binascii.crc_hqx(b"123456789", 0xFFFF) == 0x29B1
    assert bitwise_crc16_ccitt_false(b"123456789") == 0x29B1


def test_crc_check_value():
    assert crc16_ccitt_false("123456789") == "29B1"


def test_expected_crc_is_independently_computed():
    body = EXPECTED[:-4].encode()
    assert f"{binascii.crc_hqx(body, 0xFFFF):04X}" == EXPECTED[-4:]
    assert f"{bitwise_crc16_ccitt_false(body):04X}" == EXPECTED[-4:]


def test_payload_for_a_known_stall():
    assert build_payload(**STALL) == EXPECTED


def test_parse_round_trip():
    assert parse_payload(build_payload(**STALL)) == {
        "bank_bin": "970436",
        "account": "0011001234567",
        "amount": 120000,
        "purpose": "DH 100023",
        "dynamic": True,
    }


def test_static_code_without_amount():
    payload = build_payload(bank_bin="970422", account="MB123abc", amount=None, purpose="")
    assert payload.startswith("000201010211")
    assert "5303704" + "5802VN" + "6304" in payload  # no amount (54), no additional data (62)
    assert parse_payload(payload) == {
        "bank_bin": "970422",
        "account": "MB123abc",
        "amount": None,
        "purpose": "",
        "dynamic": False,
    }


def test_one_changed_character_fails_the_crc():
    tampered = EXPECTED.replace("5406120000", "5406920000")
    assert len(tampered) == len(EXPECTED) and tampered != EXPECTED
    with pytest.raises(ValueError, match="CRC"):
        parse_payload(tampered)


@pytest.mark.parametrize(
    "broken",
    [
        "",
        "6304",
        EXPECTED[:-8] + "6305ABCD",  # no CRC item
        "00020101021238" + "6304",  # item 38 claims a length its value does not have
        "0002010102123A" + "6304",  # a length that is not digits
    ],
)
def test_malformed_payloads_raise(broken):
    if broken.endswith("6304"):
        broken += crc16_ccitt_false(broken)  # a valid CRC, so the TLV itself is what fails
    with pytest.raises(ValueError):
        parse_payload(broken)


def test_purpose_is_folded_to_upper_case_ascii():
    payload = build_payload(bank_bin="970405", account="123", amount=5000, purpose="Đơn hàng 100023")
    assert parse_payload(payload)["purpose"] == "DON HANG 100023"
    assert "0815DON HANG 100023" in payload


def test_purpose_punctuation_becomes_single_spaces():
    payload = build_payload(bank_bin="970405", account="123", amount=5000, purpose="  Mua #100023 - Chợ  ")
    assert parse_payload(payload)["purpose"] == "MUA 100023 CHO"


def test_purpose_longer_than_25_characters_is_refused():
    with pytest.raises(ValueError, match="25"):
        build_payload(bank_bin="970405", account="123", amount=5000, purpose="Thanh toán đơn hàng 1000234")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bank_bin", "97043", "6 digits"),
        ("bank_bin", "97043a", "6 digits"),
        ("amount", 0, "positive"),
        ("amount", -5, "positive"),
        ("amount", 10**13, "13 digits"),
        ("amount", 120000.0, "int"),
        ("amount", True, "int"),
        ("account", "0011 0012 34567", "no spaces"),
        ("account", "", "1 to 19"),
        ("account", "1" * 20, "1 to 19"),
    ],
)
def test_bad_inputs_raise(field, value, message):
    with pytest.raises(ValueError, match=message):
        build_payload(**{**STALL, field: value})


def test_largest_amount_is_accepted():
    payload = build_payload(**{**STALL, "amount": 10**13 - 1})
    assert parse_payload(payload)["amount"] == 9_999_999_999_999


def decode(image: Image.Image) -> str:
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(results) == 1
    assert results[0].ec_level == "M"
    return results[0].text


def test_png_decodes_to_the_payload():
    image = Image.open(io.BytesIO(qr_png(EXPECTED)))
    assert decode(image) == EXPECTED
    grey = image.convert("L")
    assert grey.getpixel((0, 0)) == 255  # white quiet zone
    assert grey.getpixel((4 * 10, 4 * 10)) == 0  # black finder pattern, 4 modules in at scale 10


def rasterise_segno_svg(svg: str, scale: int = 8) -> Image.Image:
    """Draw segno's SVG (a white square, then dark horizontal runs 'M x y h n m dx dy ...') as an image."""
    size = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1)) // int(
        re.search(r'transform="scale\((\d+)\)"', svg).group(1)
    )
    path = re.search(r'<path class="qrline" stroke="#000" d="([^"]+)"', svg).group(1)
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, *numbers in re.findall(r"([MmHh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(numbers[0]), float(numbers[1])
        elif command == "m":
            x, y = x + float(numbers[0]), y + float(numbers[1])
        else:
            end = x + float(numbers[0])
            row = int(y)  # the stroke is one module wide, centred on y + 0.5
            draw.rectangle((x * scale, row * scale, end * scale - 1, (row + 1) * scale - 1), fill=0)
            x = end
    return image


def test_svg_decodes_to_the_payload():
    svg = qr_svg(EXPECTED)
    assert svg.startswith("<svg viewBox=") and "<?xml" not in svg
    assert decode(rasterise_segno_svg(svg)) == EXPECTED


def test_diacritics_payload_survives_the_qr_round_trip():
    payload = build_payload(bank_bin="970418", account="21510001234567", amount=75000, purpose="Đơn hàng 7")
    assert decode(Image.open(io.BytesIO(qr_png(payload)))) == payload
    assert parse_payload(payload)["purpose"] == "DON HANG 7"
