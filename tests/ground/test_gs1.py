import pytest
from biip import parse
from biip.gtin import Gtin
from django.core.exceptions import ValidationError

from ground import gs1

LYCHEE_GTIN = "08938536000015"


@pytest.mark.parametrize("gtin", ["8938536000015", "08938536000015", "4006381333931", "96385074"])
def test_valid_gtins_match_biip(gtin):
    assert gs1.normalize_gtin(gtin) == gtin.zfill(14)
    assert Gtin.parse(gtin).value == gtin


def test_wrong_check_digit_names_the_right_one():
    with pytest.raises(ValidationError) as error:
        gs1.normalize_gtin("8938536000016")
    assert "5" in error.value.messages[0]


@pytest.mark.parametrize("gtin", ["", "893853600001", "89385360000155", "89385360000A5"])
def test_malformed_gtins_are_refused(gtin):
    with pytest.raises(ValidationError):
        gs1.normalize_gtin(gtin)


@pytest.mark.parametrize("code", ["LN2026-06A", "A", "LOT.7-B", "12345678901234567890"])
def test_lot_codes_we_accept(code):
    gs1.validate_code(code)


@pytest.mark.parametrize(
    "code", ["LÔ-2026", "ln2026", "LN 2026", "123456789012345678901", "", "-A", "LN/2026"]
)
def test_lot_codes_we_refuse(code):
    with pytest.raises(ValidationError) as error:
        gs1.validate_code(code)
    assert "20" in error.value.messages[0]


def test_serials_are_unguessable_gs1_safe_and_distinct():
    serials = {gs1.new_serial() for _ in range(20_000)}

    assert len(serials) == 20_000
    assert all(len(serial) == 16 and len(serial) <= 20 for serial in serials)
    assert set("".join(serials)) <= set(gs1.CROCKFORD) <= gs1.GS1_CHARSET_82
    assert gs1.SERIAL_BITS >= 64
    # every character position is used: no constant prefix that would shrink the space
    assert all(len({serial[i] for serial in serials}) == 32 for i in range(16))


def test_stamp_urls_are_gs1_digital_links_that_biip_reads():
    url = gs1.stamp_url(
        base_url="https://cho-ocop.vn", serial="7K3Q9XZ2ABCD1234", gtin=LYCHEE_GTIN, lot="LN2026-06A"
    )

    assert url == "https://cho-ocop.vn/01/08938536000015/10/LN2026-06A/21/7K3Q9XZ2ABCD1234"
    result = parse(url)
    assert result.gs1_digital_link_uri_error is None
    assert result.gtin.prefix.usage == "GS1 Vietnam"
    element_strings = result.gs1_digital_link_uri.element_strings
    values = {es.ai.ai: es.value for es in element_strings}
    assert values == {"01": LYCHEE_GTIN, "10": "LN2026-06A", "21": "7K3Q9XZ2ABCD1234"}
    # the upper-case form printed in the QR code reads the same
    upper = parse(url.upper().replace("HTTPS://CHO-OCOP.VN", "https://cho-ocop.vn"))
    assert {es.ai.ai: es.value for es in upper.gs1_digital_link_uri.element_strings} == values


def test_products_without_gtin_get_short_links():
    assert gs1.stamp_url(base_url="https://cho-ocop.vn", serial="ABCD") == "https://cho-ocop.vn/t/ABCD"
