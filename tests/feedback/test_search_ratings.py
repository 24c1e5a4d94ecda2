"""The "best rated" sort and the "4 stars and up" filter order and choose by the ratings shown, in the
PostgreSQL index and in OpenSearch alike."""

import re

import pytest
from django.test import Client

from marketplace.demo_orders import buy
from marketplace.feedback.services import review_create
from search import indexing
from search.requests import SearchRequest
from tests.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", "opensearch"])
def backend(request, settings):
    if request.param == "database":
        settings.SEARCH_URL = ""
        from search.database_search import DatabaseBackend  # noqa: PLC0415  (only this parameter needs it)

        return DatabaseBackend()
    return request.getfixturevalue("opensearch")


def rate(product, *stars):
    for n, value in enumerate(stars):
        (payment,) = buy([(product, 1)], phone=f"0912 111 {product.pk % 100:02d}{n}")
        review_create(line=payment.order.lines.get(), stars=value, stall_stars=value)


@pytest.fixture
def rated(farm, make_storefront, backend):
    make_storefront()
    titles = {
        "Vải thiều ba sao": (3, 3),
        "Vải thiều năm sao": (5, 5, 4),  # 4,7
        "Vải thiều chưa ai chấm": (),
        "Vải thiều bốn sao": (4, 5, 4, 4, 5),  # 4,4
    }
    made = {}
    for title, stars in titles.items():
        made[title] = make_product(stall=farm.stall, title=title)
        rate(made[title], *stars)
    indexing.reindex_products([product.pk for product in made.values()])
    if hasattr(backend, "refresh"):
        backend.refresh()
    return made


def shown_titles(html: str) -> list[str]:
    return re.findall(r"<h3><a [^>]*>(Vải thiều [^<]+)</a></h3>", html)


def shown_ratings(html: str) -> list[str]:
    return re.findall(r'<p class="rating">.*?<strong>([\d,]+)</strong>', html)


def test_the_rating_sort_orders_by_the_ratings_shown(rated, backend):
    html = Client().get("/search/", {"q": "vai thieu", "sort": "rating"}).content.decode()

    assert shown_titles(html) == [
        "Vải thiều năm sao",
        "Vải thiều bốn sao",
        "Vải thiều ba sao",
        "Vải thiều chưa ai chấm",
    ]
    assert shown_ratings(html) == ["4,7", "4,4", "3,0"]


def test_four_stars_and_up(rated, backend):
    html = Client().get("/search/", {"q": "vai thieu", "rating": "4"}).content.decode()

    assert sorted(shown_titles(html)) == ["Vải thiều bốn sao", "Vải thiều năm sao"]
    assert "Từ 4 sao trở lên" in html


def test_the_rating_facet_counts(rated, backend):
    result = backend.search(SearchRequest(text="vai thieu"))

    counts = {value.value: value.count for value in result.facets["rating"]}
    assert counts == {"4": 2, "3": 3}
    chosen = backend.search(SearchRequest(text="vai thieu", filters={"rating": ["3"]}))
    assert chosen.total == 3


def test_the_list_pages_sort_by_rating_too(rated, backend):
    html = Client().get("/shop/catalogue/", {"sort": "rating"}).content.decode()

    assert shown_titles(html)[:3] == ["Vải thiều năm sao", "Vải thiều bốn sao", "Vải thiều ba sao"]
