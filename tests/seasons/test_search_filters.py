"""Search filters by season on every backend (PostgreSQL, OpenSearch): "Đang mùa" (harvested this month)
and "Đặt trước" (a window open today), as one-tap chips above the results; right on the day a window
closes by its date, and reindexed when a window opens, fills, closes or is cancelled."""

import re
from datetime import timedelta

import pytest
from oscar.core.loading import get_model

from search import indexing
from search.requests import SearchRequest
from tests.factories import make_window
from tests.seasons.fixtures import season_products

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")


@pytest.fixture
def seasons(make_storefront, backend):
    made = season_products()
    make_storefront()
    indexing.reindex_products([product.pk for product in made["products"].values()])
    refresh(backend)
    return made


def refresh(backend):
    if hasattr(backend, "refresh"):
        backend.refresh()


def titles(backend, *seasons, **request) -> set[str]:
    result = backend.search(SearchRequest(filters={"season": list(seasons)}, **request))
    return set(Product.objects.filter(pk__in=result.product_ids).values_list("title", flat=True))


def test_in_season_and_open_pre_orders(backend, seasons):
    assert titles(backend, "now") == {"Vải thiều chín sớm"}
    # Not the window that closed yesterday (still "open" in its row), nor the full one.
    assert titles(backend, "preorder") == {"Nhãn lồng Hưng Yên"}
    assert titles(backend, "now", "preorder") == {"Vải thiều chín sớm", "Nhãn lồng Hưng Yên"}
    assert titles(backend, "preorder", text="nhan long") == {"Nhãn lồng Hưng Yên"}
    assert titles(backend, "preorder", text="buoi") == set()
    assert len(titles(backend)) == 5  # no season chosen: everything


def test_pre_orders_follow_the_date_without_a_reindex(backend, seasons):
    today = seasons["today"]

    # Yesterday, the window that closed then was still taking pre-orders: its dates are in the index...
    assert titles(backend, "preorder", today=today - timedelta(days=1)) == {"Nhãn lồng Hưng Yên", "Bưởi Diễn"}
    # ...and the day after the open window's last day, with nothing saved or reindexed, neither is offered.
    assert titles(backend, "preorder", today=today + timedelta(days=11)) == set()


def test_other_filters_still_count_under_a_season_chip(backend, seasons):
    result = backend.search(SearchRequest(filters={"season": ["preorder"]}))

    assert result.total == 1
    assert {value.value: value.count for value in result.facets["in_stock"]} == {"false": 1}


def test_a_new_window_and_a_cancelled_one_are_reindexed(backend, seasons, committed):
    products, windows = seasons["products"], seasons["windows"]

    with committed():
        make_window(stall=seasons["stall"], product=products["off"])
    refresh(backend)
    assert titles(backend, "preorder") == {"Nhãn lồng Hưng Yên", "Ổi Đông Dư"}

    with committed():
        window = windows["open"]
        window.state = window.State.CANCELLED
        window.save(update_fields=["state", "updated_at"])
    refresh(backend)
    assert titles(backend, "preorder") == {"Ổi Đông Dư"}


def test_the_chips_come_first_and_toggle(client, seasons):
    html = client.get("/search/", {"season": "preorder"}).content.decode()

    chips = re.search(r'<nav class="season-chips".*?</nav>', html, re.S).group(0)
    assert 'aria-current="true"' in chips and "✓ Đặt trước" in chips
    assert 'href="?season=now"' not in chips  # both: "?season=preorder&amp;season=now"
    assert "season=preorder&amp;season=now" in chips and 'href="?"' in chips  # the chosen one toggles off
    assert html.index("season-chips") < html.index("filter-panel") < html.index("Nhãn lồng Hưng Yên")
    assert "Bưởi Diễn" not in html and "1 sản phẩm" in html

    empty = client.get("/search/").content.decode()
    assert 'href="?season=now">Đang mùa</a>' in empty and 'href="?season=preorder">Đặt trước</a>' in empty
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/search/", {"season": "now"}).content.decode()
    assert "✓ In season" in english and "Pre-order now" in english
