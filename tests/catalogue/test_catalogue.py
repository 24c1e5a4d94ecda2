import pytest

from search import indexing
from tests.factories import CommuneFactory, StallFactory, make_product

pytestmark = pytest.mark.django_db


def index_all() -> None:
    """What the reindex task does after the commits the test's transaction holds back."""
    indexing.rebuild()


def test_shop_lists_the_storefront_products(client, make_storefront):
    commune = CommuneFactory()
    make_product(stall=StallFactory(commune=commune), title="Ổi lê Phúc Hòa", price=25000)
    make_product(stall=StallFactory(commune=commune), title="Nhãn lồng", price=45000)
    make_product(title="Sản phẩm xã khác")  # a stall of another commune
    make_storefront(communes=[commune])
    index_all()

    response = client.get("/shop/", follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/shop/catalogue/"
    assert "Tất cả sản phẩm" in html
    assert "Ổi lê Phúc Hòa" in html and "25.000 ₫" in html
    assert "Nhãn lồng" in html and "45.000 ₫" in html
    assert "Sản phẩm xã khác" not in html
    assert "2 sản phẩm" in html


def test_page_past_the_end_shows_the_last_page(client, make_storefront):
    make_product(title="Mật ong hoa vải")
    make_storefront()
    index_all()

    response = client.get("/shop/catalogue/?page=99")

    assert response.status_code == 200
    assert "Mật ong hoa vải" in response.content.decode()


def test_hidden_products_are_not_listed(client, make_storefront):
    make_product(title="Sản phẩm đã ẩn", is_public=False)
    make_storefront()
    index_all()

    html = client.get("/shop/catalogue/").content.decode()

    assert "Sản phẩm đã ẩn" not in html
    assert "Chưa có sản phẩm nào ở đây." in html


def test_catalogue_query_count_is_bounded(client, make_storefront, django_assert_max_num_queries):
    commune = CommuneFactory()
    for n in range(30):
        make_product(stall=StallFactory(commune=commune), title=f"Sản phẩm {n:02d}", ocop_stars=3)
    make_storefront(communes=[commune])
    index_all()

    with django_assert_max_num_queries(12):
        response = client.get("/shop/catalogue/")

    assert len(response.context["products"]) == 24
    assert "30 sản phẩm" in response.content.decode()
