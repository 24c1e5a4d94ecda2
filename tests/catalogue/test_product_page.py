import datetime

import pytest

from tests.factories import CommuneFactory, StallFactory, make_product

pytestmark = pytest.mark.django_db


def test_product_page_shows_price_in_dong_stars_origin_and_season(client, make_storefront):
    commune = CommuneFactory(name="Xã Lục Ngạn", province_name="Bắc Ninh")
    stall = StallFactory(commune=commune, partner__name="HTX Lục Ngạn Xanh", village="Thôn Kép 1")
    product = make_product(
        stall=stall,
        title="Vải thiều Lục Ngạn",
        price=65000,
        ocop_stars=4,
        ocop_certificate_number="OCOP-BN-2024-0112",
        ocop_certificate_expiry=datetime.date(2027, 6, 30),
        season_months=[6, 7],
    )
    make_storefront(communes=[commune])

    response = client.get(product.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Vải thiều Lục Ngạn</h1>" in html
    assert "65.000 ₫" in html
    assert "OCOP 4 sao" in html  # the stars, spelled out for screen readers
    assert "OCOP-BN-2024-0112" in html
    assert "HTX Lục Ngạn Xanh" in html
    assert "Thôn Kép 1, Xã Lục Ngạn, Bắc Ninh" in html
    assert "tháng 6, tháng 7" in html.lower()
    assert "Thêm vào giỏ" in html


def test_sold_out_product_cannot_be_added(client, make_storefront):
    product = make_product(title="Bưởi da xanh", stock=0)
    make_storefront()

    html = client.get(product.get_absolute_url()).content.decode()

    assert "Thêm vào giỏ" not in html


def test_product_page_query_count_is_bounded(client, make_storefront, django_assert_max_num_queries):
    product = make_product(title="Cam lòng vàng", ocop_stars=3)
    make_storefront()
    client.get(product.get_absolute_url())

    with django_assert_max_num_queries(12):
        response = client.get(product.get_absolute_url())

    assert response.status_code == 200
