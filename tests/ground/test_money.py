from decimal import Decimal

import pytest

from ground.money import format_vnd, to_dong


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (120000, "120.000 ₫"),
        (Decimal("65000.00"), "65.000 ₫"),
        ("1500000", "1.500.000 ₫"),
        (0, "0 ₫"),
        (999, "999 ₫"),
        (Decimal("1000.5"), "1.001 ₫"),
        (-25000, "-25.000 ₫"),
        (None, ""),
    ],
)
def test_prices_are_whole_dong_written_the_vietnamese_way(amount, shown):
    assert format_vnd(amount) == shown


def test_to_dong_rounds_half_up():
    assert to_dong(Decimal("1999.5")) == 2000
    assert to_dong("2000.49") == 2000
