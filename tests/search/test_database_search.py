import pytest

from tests.factories import CommuneFactory, StallFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(make_storefront):
    commune = CommuneFactory()
    stall = StallFactory(commune=commune, partner__name="HTX Đồng Cốc")
    make_product(stall=stall, title="Vải thiều Lục Ngạn")
    make_product(stall=stall, title="Hạt điều rang muối")
    make_product(stall=stall, title="Bưởi da xanh", description="Bưởi ruột hồng, ít hạt")
    make_storefront(communes=[commune])


def titles(response):
    return sorted(p.title for p in response.context["products"])


@pytest.mark.parametrize("query", ["vải thiều", "vai thieu", "VẢI THIỀU", "Vai Thieu", "  vai   thieu  "])
def test_diacritics_and_case_do_not_matter(client, products, query):
    response = client.get("/search/", {"q": query})

    assert titles(response) == ["Vải thiều Lục Ngạn"]


def test_d_matches_đ(client, products):
    assert titles(client.get("/search/", {"q": "hat dieu"})) == ["Hạt điều rang muối"]
    assert titles(client.get("/search/", {"q": "dong coc"})) == [
        "Bưởi da xanh",
        "Hạt điều rang muối",
        "Vải thiều Lục Ngạn",
    ]


def test_words_match_the_description_too(client, products):
    assert titles(client.get("/search/", {"q": "ruot hong"})) == ["Bưởi da xanh"]


def test_empty_query_gets_help_not_an_error(client, products):
    response = client.get("/search/", {"q": ""})

    assert response.status_code == 200
    assert "vai thieu" in response.content.decode()


def test_nonsense_query_gets_a_helpful_page(client, products):
    response = client.get("/search/", {"q": "xyzzy%_'\"<script>" * 20})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Không tìm thấy sản phẩm nào" in html
    assert "<script>" not in html
