"""/search/ on a phone (issue #16): results before filters (one closed "Lọc" control), close matches
when no product has every word ("cam sanh" shows the other oranges, with a notice), and a zero-result
page that offers the categories near the words and the stalls of the site."""

import re

import pytest
from oscar.core.loading import get_model

from search import indexing
from search.engine_search import ProductFacetedSearch
from search.requests import MATCH_ALL, MATCH_ANY, MATCH_MOST, SearchRequest
from sellers.services import stall_page_publish
from tests.factories import CommuneFactory, StallFactory, make_product

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")

NOTICE = "Đang hiện kết quả gần đúng"


@pytest.fixture
def oranges(db, make_storefront, backend):
    """Two oranges (none of them "cam sành"), a pomelo "da xanh", a honey; in two categories, and a
    third category with nothing in it yet."""
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    farm = StallFactory(commune=commune, partner__name="HTX Nông sản Lục Ngạn")
    bees = StallFactory(commune=commune, partner__name="Trại ong bác Ba")
    fruit = Category.add_root(name="Trái cây", slug="trai-cay")
    honey_kind = Category.add_root(name="Mật ong", slug="mat-ong")
    Category.add_root(name="Rau củ", slug="rau-cu")
    made = {
        "vinh": make_product(stall=farm, title="Cam Vinh trồng Lục Ngạn", price=45000),
        "long_vang": make_product(stall=farm, title="Cam lòng vàng", price=40000),
        "buoi": make_product(stall=farm, title="Bưởi da xanh", price=65000),
        "honey": make_product(stall=bees, title="Mật ong hoa nhãn", price=150000),
    }
    for key, product in made.items():
        ProductCategory.objects.create(product=product, category=honey_kind if key == "honey" else fruit)
    make_storefront(communes=[commune])  # the commune's own site
    stall_page_publish(stall=farm)  # the farm has its public page, the bees not yet
    indexing.reindex_products([p.pk for p in made.values()])
    if hasattr(backend, "refresh"):
        backend.refresh()
    return made


def titles(result) -> set[str]:
    return set(Product.objects.filter(pk__in=result.product_ids).values_list("title", flat=True))


# Close matches -------------------------------------------------------------------------------------


def test_cam_sanh_shows_the_other_oranges_with_a_notice(client, oranges):
    html = client.get("/search/", {"q": "cam sanh"}).content.decode()

    assert "Cam Vinh trồng Lục Ngạn" in html and "Cam lòng vàng" in html
    assert NOTICE in html
    assert "Mật ong hoa nhãn" not in html and "Bưởi da xanh" not in html
    assert "Đang hiện kết quả cho" not in html  # "sanh" is a word as typed, not a typo of "sản"


def test_when_every_word_matches_there_is_no_notice(client, oranges):
    html = client.get("/search/", {"q": "cam vinh"}).content.decode()

    assert "Cam Vinh trồng Lục Ngạn" in html and "Cam lòng vàng" not in html
    assert NOTICE not in html


def test_most_words_come_before_any_word(backend, oranges):
    every = backend.search(SearchRequest(text="cam vinh"))
    most = backend.search(SearchRequest(text="cam vinh xyz"))  # 2 of 3 words
    some = backend.search(SearchRequest(text="cam xyz qqq"))  # 1 of 3 words

    assert not every.relaxed and titles(every) == {"Cam Vinh trồng Lục Ngạn"}
    assert most.relaxed and titles(most) == {"Cam Vinh trồng Lục Ngạn"}
    assert some.relaxed and titles(some) == {"Cam Vinh trồng Lục Ngạn", "Cam lòng vàng"}
    assert titles(most) | titles(some) <= titles(backend.search(SearchRequest(text="cam")))


def test_the_engine_query_asks_for_most_words_then_any():
    def text_query(relax):
        body = ProductFacetedSearch(SearchRequest(text="cam sanh ngot", relax=relax), "products").body()
        return str(body["query"])

    assert "'operator': 'and'" in text_query(MATCH_ALL)
    assert "'minimum_should_match': '" not in text_query(MATCH_ALL)
    assert "'minimum_should_match': '75%'" in text_query(MATCH_MOST)
    assert "'minimum_should_match': '1'" in text_query(MATCH_ANY)


# Nothing found ---------------------------------------------------------------------------------------


def test_a_nonsense_query_offers_categories_and_stalls(client, oranges):
    html = client.get("/search/", {"q": "xyzzy qwrtp"}).content.decode()

    assert "Không tìm thấy sản phẩm nào" in html
    assert re.search(r'<a href="/shop/catalogue/category/trai-cay_\d+/">Trái cây</a>', html)
    assert re.search(r'<a href="/shop/catalogue/category/mat-ong_\d+/">Mật ong</a>', html)
    farm_page = re.search(r'<a href="([^"]+)">HTX Nông sản Lục Ngạn <small>Xã Lục Ngạn</small></a>', html)
    assert farm_page and client.get(farm_page.group(1)).status_code == 200
    assert re.search(
        r'<a href="/search/\?q=[^"]+">Trại ong bác Ba <small>', html
    )  # no page yet: its products


def test_a_query_naming_a_category_offers_that_category_first(client, oranges):
    html = client.get("/search/", {"q": "rau"}).content.decode()  # no product yet, but a category

    assert re.search(r'<a href="/shop/catalogue/category/rau-cu_\d+/">Rau củ</a>', html)
    assert 'href="/shop/catalogue/category/mat-ong' not in html


def test_the_zero_result_page_query_count_is_bounded(client, oranges, django_assert_max_num_queries, backend):
    client.get("/search/", {"q": "xyzzy qwrtp"})
    with django_assert_max_num_queries(30 if backend.name == "database" else 18):
        client.get("/search/", {"q": "xyzzy qwrtp zzzq"})


# Results first ---------------------------------------------------------------------------------------


def test_the_filters_wait_behind_one_closed_filter_control(client, oranges):
    html = client.get("/search/", {"q": "cam", "province": "24"}).content.decode()

    panel_re = (
        r"<details([^>]*)>\s*<summary[^>]*>((?:(?!<details).)*?)</summary>((?:(?!<details).)*?)</details>"
    )
    panels = re.finditer(panel_re, html, re.S)
    panel = next((panel for panel in panels if 'href="?q=cam' in panel.group(3)), None)  # facet links
    assert panel, "the filters are in a <details>"
    assert "open" not in panel.group(1), "closed: the products come first"
    assert re.sub(r"<[^>]+>|\s+", "", panel.group(2)) == "Lọc(1)"  # how many filters are chosen
    assert "Rẻ trước" in panel.group(3)  # the sorts are inside too
    assert panel.end() < html.index('class="card')
