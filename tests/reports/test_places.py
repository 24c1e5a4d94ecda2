"""The map panel: every commune of the scope, its verified stalls and their public products.

Xã Lục Ngạn (21.3811, 106.6124): two verified stalls and one waiting for the commune; the first sells
a public product and a hidden one, the second the same public product and another one: 2 products.
Xã Tân Sơn (no coordinates yet): one verified stall selling the first public product, one suspended.
Xã Kép (21.4, 106.3), in the province but with no stall. Xã Xa Lạ is outside the scope.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from oscar.core.loading import get_model

from marketplace.reports.places import map_panel
from marketplace.reports.tables import Period, Scope
from sellers.models import Stall
from tests.factories import CommuneFactory, StallFactory, make_product

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")
JUNE = Period(date(2026, 6, 1), date(2026, 6, 30))


def sells(stall, product) -> None:
    StockRecord.objects.create(
        product=product, partner=stall.partner, partner_sku=f"{product.pk}-{stall.pk}", price=Decimal(50000)
    )


@pytest.fixture
def communes():
    luc_ngan = CommuneFactory(
        name="Xã Lục Ngạn", latitude=Decimal("21.38110"), longitude=Decimal("106.61240")
    )
    tan_son = CommuneFactory(name="Xã Tân Sơn")
    kep = CommuneFactory(name="Xã Kép", latitude=Decimal("21.40000"), longitude=Decimal("106.30000"))
    elsewhere = CommuneFactory(name="Xã Xa Lạ", latitude=Decimal("10.1"), longitude=Decimal("105.2"))

    first = StallFactory(commune=luc_ngan)
    lychee = make_product(stall=first, title="Vải thiều")
    make_product(stall=first, title="Hàng ẩn", is_public=False)
    second = StallFactory(commune=luc_ngan)
    sells(second, lychee)
    make_product(stall=second, title="Mật ong")
    make_product(stall=StallFactory(commune=luc_ngan, status=Stall.Status.SUBMITTED), title="Chưa duyệt")

    third = StallFactory(commune=tan_son)
    sells(third, lychee)
    make_product(stall=StallFactory(commune=tan_son, status=Stall.Status.SUSPENDED), title="Tạm ngừng")

    make_product(stall=StallFactory(commune=elsewhere), title="Xa")
    return luc_ngan, tan_son, kep


def test_every_commune_of_the_scope_with_its_point(communes, django_assert_num_queries):
    scope = Scope("Bắc Ninh", tuple(commune.pk for commune in communes))

    with django_assert_num_queries(1):
        panel = map_panel(scope, JUNE)

    assert (panel.key, str(panel.title)) == ("map", "Gian hàng ở đâu")
    (table,) = panel.tables
    assert table.key == "stall-map"
    assert table.rows == [
        {"place": "Xã Kép", "stalls": 0, "products": 0, "latitude": 21.4, "longitude": 106.3},
        {"place": "Xã Lục Ngạn", "stalls": 2, "products": 2, "latitude": 21.3811, "longitude": 106.6124},
        {"place": "Xã Tân Sơn", "stalls": 1, "products": 1, "latitude": None, "longitude": None},
    ]
    assert isinstance(table.rows[1]["latitude"], float)
    # The lychees sold in two communes count once for the province.
    assert (str(table.total["place"]), table.total["stalls"], table.total["products"]) == ("Tổng cộng", 3, 2)
    assert (table.chart.kind, table.chart.x, table.chart.series) == ("map", "place", ("stalls",))
    assert "1 xã chưa có tọa độ" in table.note
    assert [str(column.label) for column in table.columns] == [
        "Xã",
        "Gian hàng đã duyệt",
        "Sản phẩm đang bán",
    ]


def test_one_commune_is_one_row_and_the_platform_every_commune(communes, django_assert_num_queries):
    luc_ngan, _tan_son, _kep = communes

    (table,) = map_panel(Scope("Xã Lục Ngạn", (luc_ngan.pk,)), JUNE).tables
    assert [(row["place"], row["stalls"], row["products"]) for row in table.rows] == [("Xã Lục Ngạn", 2, 2)]
    assert "tọa độ" not in str(table.note)

    with django_assert_num_queries(1):
        (table,) = map_panel(Scope("Toàn nền tảng", None), JUNE).tables
    assert [row["place"] for row in table.rows] == ["Xã Kép", "Xã Lục Ngạn", "Xã Tân Sơn", "Xã Xa Lạ"]
    assert (table.total["stalls"], table.total["products"]) == (4, 3)


def test_the_query_does_not_grow_with_stalls(communes, django_assert_num_queries):
    luc_ngan, _tan_son, _kep = communes
    for n in range(10):
        make_product(stall=StallFactory(commune=luc_ngan), title=f"Thêm {n}")

    with django_assert_num_queries(1):
        (table,) = map_panel(Scope("Xã Lục Ngạn", (luc_ngan.pk,)), JUNE).tables

    assert (table.rows[0]["stalls"], table.rows[0]["products"]) == (12, 12)


def test_every_word_is_translated(communes):
    scope = Scope("Bắc Ninh", tuple(commune.pk for commune in communes))

    def words(panel) -> list[str]:
        (table,) = panel.tables
        return [str(word) for word in (panel.title, table.title, table.note, table.total["place"])] + [
            str(column.label) for column in table.columns
        ]

    with translation.override("en"):
        english = words(map_panel(scope, JUNE))
    vietnamese = words(map_panel(scope, JUNE))

    assert english[:2] == ["Where the stalls are", "Stalls and products by commune"]
    assert "1 commune has no coordinates yet" in english[2]
    assert [word for word, vi in zip(english, vietnamese, strict=True) if word == vi] == []
