"""/search/ and /search/suggest as a buyer uses them, on every backend; the fallback when the engine
is down; the rebuild command."""

import json
import logging
import re

import pytest
from django.core.management import call_command

from search import indexing
from tests.factories import CommuneFactory, StallFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(make_storefront, backend):
    luc_ngan = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    xuan_loc = CommuneFactory(code=26425, name="Xã Xuân Lộc", province_code=75, province_name="Đồng Nai")
    coop = StallFactory(commune=luc_ngan, partner__name="HTX Đồng Cốc")
    farm = StallFactory(commune=xuan_loc, partner__name="Vườn cô Lan")
    made = [
        make_product(stall=coop, title="Vải thiều Lục Ngạn", price=120000, ocop_stars=4),
        make_product(stall=coop, title="Hạt điều rang muối", price=180000),
        make_product(stall=farm, title="Bưởi da xanh", description="Bưởi ruột hồng, ít hạt", price=65000),
        make_product(stall=farm, title="Vải thiều Xuân Lộc", price=90000),
    ]
    make_storefront()  # the platform: every commune
    indexing.reindex_products([p.pk for p in made])
    if hasattr(backend, "refresh"):
        backend.refresh()
    return made


@pytest.mark.parametrize("query", ["vải thiều", "vai thieu", "VẢI THIỀU"])
def test_diacritics_and_case_do_not_matter(client, products, query):
    html = client.get("/search/", {"q": query}).content.decode()

    assert "Vải thiều Lục Ngạn" in html and "Vải thiều Xuân Lộc" in html
    assert "Bưởi da xanh" not in html and "2 sản phẩm" in html


def test_facets_are_links_that_narrow_the_results(client, products):
    html = client.get("/search/", {"q": "vai thieu"}).content.decode()
    link = re.search(r'href="(\?[^"]*province=75[^"]*)"[^>]*>[^<]*Đồng Nai', html)
    assert link, "the province facet offers Đồng Nai"

    narrowed = client.get("/search/" + link.group(1).replace("&amp;", "&")).content.decode()

    assert "Vải thiều Xuân Lộc" in narrowed and "Vải thiều Lục Ngạn" not in narrowed
    assert "1 sản phẩm" in narrowed
    assert "Bỏ Đồng Nai" in narrowed  # the chosen filter can be removed


def test_sorting_by_price_is_a_link(client, products):
    html = client.get("/search/", {"q": "vai thieu", "sort": "price"}).content.decode()

    assert html.index("Vải thiều Xuân Lộc") < html.index("Vải thiều Lục Ngạn")
    assert 'aria-current="true" class="selected">Rẻ trước' in html


def test_a_mistyped_search_still_finds(client, products):
    assert "Bưởi da xanh" in client.get("/search/", {"q": "buoii da xanh"}).content.decode()


def test_empty_and_nonsense_queries_get_helpful_pages(client, products):
    empty = client.get("/search/", {"q": ""})
    nonsense = client.get("/search/", {"q": "xyzzy%_'\"<script>" * 20, "page": "abc", "sort": "drop table"})

    assert empty.status_code == 200 and "vai thieu" in empty.content.decode()
    assert nonsense.status_code == 200
    assert "Không tìm thấy sản phẩm nào" in nonsense.content.decode()
    assert "<script>" not in nonsense.content.decode()


def test_suggestions_endpoint(client, products):
    response = client.get("/search/suggest", {"q": "vai th"})

    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert data["query"] == "vai th"
    assert {"Vải thiều Lục Ngạn", "Vải thiều Xuân Lộc"} <= {item["text"] for item in data["suggestions"]}
    assert all(item["url"].startswith("/search/?q=") for item in data["suggestions"])
    assert json.loads(client.get("/search/suggest", {"q": "v"}).content)["suggestions"] == []


def test_search_page_query_count_is_bounded(client, products, django_assert_max_num_queries, backend):
    client.get("/search/", {"q": "vai thieu"})
    # Engine: the cards and the facet labels. Database: also the search and one query per facet.
    with django_assert_max_num_queries(30 if backend.name == "database" else 18):
        client.get("/search/", {"q": "vai thieu", "province": "24"})


@pytest.mark.parametrize("backend", ["database"], indirect=True)
def test_search_falls_back_to_the_database_when_the_engine_is_down(client, products, settings, caplog):
    settings.SEARCH_URL = "opensearch+http://127.0.0.1:9"  # nothing listens there

    with caplog.at_level(logging.ERROR, logger="search.backends"):
        html = client.get("/search/", {"q": "vai thieu"}).content.decode()

    assert "Vải thiều Lục Ngạn" in html
    assert "Search engine failed, using the database" in caplog.text


@pytest.mark.parametrize("backend", ["opensearch"], indirect=True)
def test_rebuild_swaps_the_alias_and_keeps_search_working(client, products, backend, capsys):
    before = backend.engine.indices_of(backend.alias)

    call_command("search_index", "--rebuild")

    after = backend.engine.indices_of(backend.alias)
    assert len(after) == 1 and after != before
    assert not backend.engine.call("indices.exists", index=before[0])  # the old index is gone
    output = capsys.readouterr()
    assert "opensearch: 4 products" in output.out and "4/4" in output.err
    assert "Vải thiều Lục Ngạn" in client.get("/search/", {"q": "vai thieu"}).content.decode()


def test_filters_the_url_cannot_hold_are_ignored_not_errors(client, products, backend):
    junk = {
        "q": "vai thieu",
        "stars": ["abc", "²", "0"],
        "category": "99999999999999999999",
        "commune": "-1",
        "price": "zzz",
        "in_stock": "zzz",
        "certification": "<b>x</b>",
    }

    response = client.get("/search/", junk)

    assert response.status_code == 200
    assert "Vải thiều Lục Ngạn" in response.content.decode()


def test_a_padded_query_is_cut_with_a_notice_and_does_not_grow_the_page(client, products, backend):
    normal = client.get("/search/", {"q": "vai thieu"})
    padded = client.get("/search/", {"q": "vai thieu " + "x" * 30_000, "utm": "y" * 30_000})

    html = padded.content.decode()
    assert padded.status_code == 200
    assert "chỉ 200 ký tự đầu được dùng" in html
    assert len(padded.content) < len(normal.content) + 20 * 1024  # not 30 KB repeated in every link
    assert "y" * 300 not in html


def test_the_platform_site_lists_and_searches_everywhere_without_naming_every_commune(
    client, make_storefront, settings
):
    from django.db import connection  # only this test reads the SQL sent
    from django.test.utils import CaptureQueriesContext  # the same

    settings.SEARCH_URL = ""  # PostgreSQL: its SQL is what the platform's filter was in
    luc_ngan = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    xuan_loc = CommuneFactory(code=26425, name="Xã Xuân Lộc", province_code=75, province_name="Đồng Nai")
    made = [
        make_product(stall=StallFactory(commune=luc_ngan), title="Vải thiều Lục Ngạn"),
        make_product(stall=StallFactory(commune=xuan_loc), title="Vải thiều Xuân Lộc"),
    ]
    indexing.reindex_products([p.pk for p in made])
    make_storefront()  # the platform: every commune

    with CaptureQueriesContext(connection) as sent:
        page = client.get("/search/", {"q": "vai thieu"})
        listing = client.get("/shop/", follow=True)  # the catalogue

    for html in (page.content.decode(), listing.content.decode()):
        assert "Vải thiều Lục Ngạn" in html and "Vải thiều Xuân Lộc" in html  # both provinces' products
    # The platform limits nothing: no query lists every commune (the list grew with the province and
    # each page checked every product against it). Looking up the communes' names is not a filter.
    filters = [
        q["sql"]
        for q in sent.captured_queries
        if not q["sql"].startswith('SELECT "marketplace_commune"')
        and (('"commune_id" IN' in q["sql"]) or ("26425" in q["sql"] and "7582" in q["sql"]))
    ]
    assert filters == []
