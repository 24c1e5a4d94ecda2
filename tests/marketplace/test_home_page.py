import pytest
from django.utils import timezone

from ground import page_cache
from search import indexing
from tests.factories import CommuneFactory, StallFactory, make_product

pytestmark = pytest.mark.django_db


def test_commune_home_lists_its_stalls_and_products_only(client, make_storefront):
    # given two communes, each with a stall selling one product
    luc_ngan = CommuneFactory(name="Xã Lục Ngạn")
    xuan_loc = CommuneFactory(name="Xã Xuân Lộc", province_code=75, province_name="Đồng Nai")
    ours = StallFactory(commune=luc_ngan, partner__name="HTX Lục Ngạn Xanh")
    theirs = StallFactory(commune=xuan_loc, partner__name="Tạp hóa Cô Ba")
    make_product(stall=ours, title="Vải thiều Lục Ngạn", price=65000)
    make_product(stall=theirs, title="Hạt điều rang muối", price=320000)
    make_storefront(title="Chợ OCOP xã Lục Ngạn", communes=[luc_ngan])
    indexing.rebuild()  # what the reindex task does once the test's changes commit

    # when a buyer opens the commune's home page
    response = client.get("/")

    # then they see the commune, its stall and its product with the price in đồng
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chợ OCOP xã Lục Ngạn" in html
    assert "HTX Lục Ngạn Xanh" in html
    assert "Vải thiều Lục Ngạn" in html
    assert "65.000 ₫" in html
    # and nothing from another commune
    assert "Tạp hóa Cô Ba" not in html
    assert "Hạt điều rang muối" not in html


def test_home_sections_featured_in_season_and_newest(client, make_storefront):
    commune = CommuneFactory()
    stall = StallFactory(commune=commune)
    month = timezone.localdate().month
    other_month = month % 12 + 1
    make_product(stall=stall, title="Bưởi da xanh", is_featured=True, season_months=[other_month])
    make_product(stall=stall, title="Cam lòng vàng", season_months=[month])
    make_storefront(communes=[commune])
    indexing.rebuild()  # what the reindex task does once the test's changes commit

    response = client.get("/")

    sections = {
        name: [p.title for p in response.context[name]]
        for name in ("featured_products", "in_season_products", "newest_products")
    }
    assert sections["featured_products"] == ["Bưởi da xanh"]
    assert sections["in_season_products"] == ["Cam lòng vàng"]
    assert sections["newest_products"] == []  # both are already shown above: each product once
    assert "Đang vào mùa" in response.content.decode()


def test_province_home_aggregates_every_commune_of_the_province(client, make_storefront):
    luc_ngan = CommuneFactory(name="Xã Lục Ngạn", province_code=24)
    phuc_hoa = CommuneFactory(name="Xã Phúc Hòa", province_code=24)
    xuan_loc = CommuneFactory(name="Xã Xuân Lộc", province_code=75, province_name="Đồng Nai")
    make_product(stall=StallFactory(commune=luc_ngan), title="Vải thiều Lục Ngạn")
    make_product(stall=StallFactory(commune=phuc_hoa), title="Ổi lê Phúc Hòa")
    make_product(stall=StallFactory(commune=xuan_loc), title="Bánh pía sầu riêng")
    make_storefront(title="Chợ OCOP Bắc Ninh", province_code=24)
    indexing.rebuild()  # what the reindex task does once the test's changes commit

    html = client.get("/").content.decode()

    assert "Vải thiều Lục Ngạn" in html
    assert "Ổi lê Phúc Hòa" in html
    assert "Bánh pía sầu riêng" not in html


def test_home_page_query_count_is_bounded(client, make_storefront, django_assert_max_num_queries):
    # given a commune with many stalls and products (enough to show an N+1 loop)
    commune = CommuneFactory()
    for n in range(12):
        make_product(
            stall=StallFactory(commune=commune),
            title=f"Sản phẩm {n}",
            is_featured=True,
            season_months=list(range(1, 13)),
            ocop_stars=4,
        )
    make_storefront(communes=[commune])
    indexing.rebuild()  # what the reindex task does once the test's changes commit
    client.get("/")  # warm caches that live for the process (site root paths, content types)
    page_cache.bump()  # and render the page again, not from the page cache

    with django_assert_max_num_queries(15):
        response = client.get("/")

    assert response.status_code == 200
    assert len(response.context["featured_products"]) == 8
