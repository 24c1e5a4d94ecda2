"""Stalls, households helped and products, counted by hand (tests/reports/conftest.py: October 2026 of
Xã Lục Ngạn and Xã Kép)."""

from functools import partial

import pytest

from marketplace.reports import households
from marketplace.reports.tables import Period, Scope
from tests.reports.conftest import OCTOBER, commerce_by, commerce_table, commerce_untranslated

STALLS = ("opened", "verified", "active", "suspended", "verified_total")


def figures(row: dict, keys=STALLS) -> tuple:
    return tuple(row[key] for key in keys)


def headline(panel) -> dict:
    return {str(figure.label): figure.value for figure in panel.headline}


def test_one_commune_counts_its_stalls_by_village_and_its_helpers(commerce_world, django_assert_num_queries):
    with django_assert_num_queries(2):
        panel = households.stalls_panel(commerce_world.commune, commerce_world.period)

    stalls = commerce_table(panel, "stalls")
    rows = commerce_by(stalls)
    # Opened in October: the lychee farm and the suspended stall; verified in October: the lychee farm;
    # active: the lychee farm and the cooperative (orders), bà Lan (a helper's act), ông Tư (a change).
    assert figures(rows["Thôn Kép"]) == (2, 1, 2, 1, 2)
    assert figures(rows["Thôn Na"]) == (0, 0, 1, 0, 2)
    assert figures(rows["Chưa ghi thôn"]) == (0, 0, 1, 0, 1)
    assert len(stalls.rows) == 3  # Xã Kép's stalls are not here
    assert figures(stalls.total) == (2, 1, 4, 1, 5)
    assert str(stalls.columns[0].label) == "Thôn"
    assert stalls.chart.kind == "bars" and stalls.chart.series == ("verified_total", "active")

    helpers = commerce_table(panel, "helpers")
    rows = commerce_by(helpers, "helper")
    assert set(rows) == {"Nguyễn Văn Hùng", "Người hỗ trợ có số máy đuôi 111"}
    keys = ("households_helped", "actions", "households_now")
    assert figures(rows["Nguyễn Văn Hùng"], keys) == (1, 1, 2)  # bà Lan in October; bà Lan and ông Tư now
    assert figures(rows["Người hỗ trợ có số máy đuôi 111"], keys) == (1, 1, 0)  # withdrawn on 25 October
    assert figures(helpers.total, keys) == (1, 2, 2)  # bà Lan once, though two helpers helped her
    assert not any("987" in row["helper"] for row in helpers.rows)  # never a phone number

    assert list(headline(panel).values()) == [5, 2, 4, 1, 2]
    assert [str(figure.label) for figure in panel.headline][3] == "Hộ được người hỗ trợ số giúp"


def test_a_wider_scope_counts_stalls_by_commune(commerce_world):
    platform = households.stalls_panel(commerce_world.platform, commerce_world.period)
    province = households.stalls_panel(commerce_world.province, commerce_world.period)

    for panel in (platform, province):
        stalls = commerce_table(panel, "stalls")
        rows = commerce_by(stalls)
        assert figures(rows["Xã Lục Ngạn"]) == (2, 1, 4, 1, 5)
        assert figures(rows["Xã Kép"]) == (1, 1, 1, 0, 2)  # Vườn ổi opened and verified in September
        assert figures(stalls.total) == (3, 2, 5, 1, 7)
        assert str(stalls.columns[0].label) == "Xã"
        helpers = commerce_table(panel, "helpers")
        assert figures(commerce_by(helpers, "helper")["Lê Thị Thu"], ("households_helped", "actions")) == (
            1,
            1,
        )
        assert figures(helpers.total, ("households_helped", "actions", "households_now")) == (2, 3, 3)
    assert platform.tables == province.tables


def test_products_are_counted_per_stall_or_commune_with_their_stars(
    commerce_world, django_assert_num_queries
):
    with django_assert_num_queries(1):  # by place and by stars in one pass
        panel = households.products_panel(commerce_world.commune, commerce_world.period)

    products = commerce_table(panel, "products")
    rows = commerce_by(products)
    keys = ("listed", "ocop", "traceable")
    # The hidden product and the suspended stall's are not listed.
    assert figures(rows["Vườn vải ông Thành"], keys) == (2, 1, 1)
    assert figures(rows["HTX Lục Ngạn Xanh"], keys) == (2, 2, 1)
    assert len(products.rows) == 2
    assert figures(products.total, keys) == (4, 3, 2)
    stars = commerce_table(panel, "ocop-stars")
    assert [(row["stars"], row["products"]) for row in stars.rows] == [
        ("3 sao", 1),
        ("4 sao", 1),
        ("5 sao", 1),
    ]
    assert stars.total["products"] == 3
    assert list(headline(panel).values()) == [4, 3, 2]
    assert "hiện nay" in str(panel.note)

    platform = households.products_panel(commerce_world.platform, commerce_world.period)
    products = commerce_table(platform, "products")
    assert figures(commerce_by(products)["Xã Kép"], keys) == (1, 1, 1)
    assert figures(products.total, keys) == (5, 4, 3)
    assert [row["products"] for row in commerce_table(platform, "ocop-stars").rows] == [2, 1, 1]


def test_other_dates_count_other_stalls(commerce_world):
    september = Period(OCTOBER.start.replace(month=9), OCTOBER.start.replace(month=9, day=30))

    panel = households.stalls_panel(commerce_world.platform, september)

    kep = commerce_by(commerce_table(panel, "stalls"))["Xã Kép"]
    assert figures(kep) == (1, 1, 0, 0, 2)  # Vườn ổi; the orange farm had nothing in September yet
    assert commerce_table(panel, "helpers").total["households_helped"] == 0


@pytest.mark.django_db
def test_nothing_yet_is_zero_with_the_same_queries(django_assert_num_queries):
    scope = Scope("Toàn nền tảng", None)

    with django_assert_num_queries(3):
        stalls = households.stalls_panel(scope, OCTOBER)
        products = households.products_panel(scope, OCTOBER)

    assert [figure.value for figure in stalls.headline] == [0, 0, 0, 0, 0]
    assert [figure.value for figure in products.headline] == [0, 0, 0]
    assert commerce_table(stalls, "stalls").rows == [] and commerce_table(stalls, "stalls").chart is None
    assert [row["products"] for row in commerce_table(products, "ocop-stars").rows] == [0, 0, 0]


@pytest.mark.django_db
def test_every_word_is_translated():
    for scope in (Scope("Xã Lục Ngạn", (1,)), Scope("Toàn nền tảng", None)):
        assert commerce_untranslated(partial(households.stalls_panel, scope, OCTOBER)) == []
        assert commerce_untranslated(partial(households.products_panel, scope, OCTOBER)) == []
