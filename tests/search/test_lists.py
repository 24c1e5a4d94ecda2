"""The catalogue's lists with 1,000 products (the smallest catalogue where a page per request and a
count over joins would show): the queries each page kind costs when rendered, none when a visitor
without cookies gets it from the cache, a count that stops, and pages past the end."""

import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from ground import page_cache
from search import indexing, views
from tests.factories import CommuneFactory, ProductClassFactory, StallFactory

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
StockRecord = get_model("partner", "StockRecord")

PRODUCTS = 1000
FRUITS = ["Vải thiều", "Bưởi Diễn", "Cam sành", "Nhãn lồng", "Mật ong hoa vải"]


@pytest.fixture
def catalogue(make_storefront):
    """1,000 products of 10 verified stalls in 5 communes, in two categories (a child of "Trái cây"),
    bulk-created as the benchmark does, then indexed."""
    communes = [CommuneFactory() for _ in range(5)]
    stalls = [StallFactory(commune=communes[n % 5]) for n in range(10)]
    fruit = Category.add_root(name="Trái cây", slug="trai-cay")
    lychee = fruit.add_child(name="Vải thiều", slug="vai-thieu")
    honey = Category.add_root(name="Mật ong", slug="mat-ong")
    kind = ProductClassFactory(name="Nông sản")
    products = Product.objects.bulk_create(
        Product(
            structure=Product.STANDALONE,
            title=f"{FRUITS[n % 5]} loại {n:04d}",
            slug=f"san-pham-{n:04d}",
            upc=f"LIST{n:06d}",
            product_class=kind,
            is_public=True,
            is_featured=n % 97 == 0,
            ocop_stars=3 + n % 3,
        )
        for n in range(PRODUCTS)
    )
    StockRecord.objects.bulk_create(
        StockRecord(
            product=product,
            partner=stalls[n % 10].partner,
            partner_sku=f"LIST{n:06d}",
            price=Decimal(20_000 + 1_000 * (n % 300)),
            price_currency="VND",
            num_in_stock=50,
        )
        for n, product in enumerate(products)
    )
    Product.categories.through.objects.bulk_create(
        Product.categories.through(product=product, category=lychee if n % 5 == 0 else honey)
        for n, product in enumerate(products)
    )
    home = make_storefront()  # the platform: every commune
    indexing.rebuild()
    return {"products": products, "lychee": lychee, "honey": honey, "home": home}


def queries(client, path: str) -> tuple[int, str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured), response.content.decode(), [query["sql"] for query in captured]


def test_each_page_kind_costs_a_few_queries_rendered_and_none_from_the_cache(client, catalogue):
    product = catalogue["products"][500]
    pages = {  # the most queries each may cost when rendered
        "/shop/catalogue/": 9,
        "/shop/catalogue/?page=30&sort=price": 9,
        catalogue["lychee"].get_absolute_url(): 11,
        "/search/?q=vai+thieu": 14,
        "/search/?q=mat+ong&category=" + str(catalogue["honey"].pk): 14,
        product.get_absolute_url(): 12,
        "/": 13,  # one more since #19: the links to the storefront's live campaigns
    }
    for path, most in pages.items():
        count, html, sql = queries(client, path)
        assert count <= most, f"{path}: {count} queries\n" + "\n".join(sql)
        # No list counts the catalogue through its joins: counts stop at the index table's rows.
        assert not [q for q in sql if "COUNT(" in q.upper() and "partner_stockrecord" in q], path
        again, cached, _sql = queries(client, path)
        assert again == 0, f"{path} from the cache: {again} queries"
        assert cached.split('name="csrfmiddlewaretoken"')[0] == html.split('name="csrfmiddlewaretoken"')[0]


def test_a_list_shows_its_count_with_thousands_and_pages_in_order(client, catalogue):
    _count, html, _sql = queries(client, "/shop/catalogue/")
    assert "<h2>1.000 sản phẩm</h2>" in html
    assert "Trang 1 / 42" in html
    seen = []
    for page in (1, 2, 42):
        _count, html, _sql = queries(client, f"/shop/catalogue/?page={page}&sort=price")
        seen.append(html)
    # Cheapest first, across pages: page 2 starts where page 1 ended.
    first, second = (_prices(html) for html in seen[:2])
    assert first == sorted(first) and second == sorted(second) and first[-1] <= second[0]
    assert len(_prices(seen[2])) == PRODUCTS - 41 * 24  # the last page holds the rest


def test_a_count_past_the_lists_limit_says_more_than(client, catalogue, monkeypatch):
    monkeypatch.setattr(views, "LIST_MAX_RESULTS", 500)
    _count, html, _sql = queries(client, "/shop/catalogue/")
    assert "Hơn 500 sản phẩm" in html

    _count, html, _sql = queries(client, "/shop/catalogue/?page=999")  # past the end: the last page
    assert "Trang 21 / 21" in html and "hãy tìm kiếm hoặc chọn một loại sản phẩm" in html


def test_a_category_lists_its_subcategories_products_and_no_other(client, catalogue):
    _count, html, _sql = queries(client, Category.objects.get(slug="trai-cay").get_absolute_url())
    assert "<h2>200 sản phẩm</h2>" in html
    assert "Mật ong" not in html.split("<main")[1].split('class="grid"')[1]


def test_a_change_renews_the_cached_pages(client, catalogue):
    product = catalogue["products"][0]  # featured: first on the list
    _count, html, _sql = queries(client, "/shop/catalogue/")
    assert product.title in html

    product.title = "Vải thiều Lục Ngạn loại đặc biệt"
    product.save()  # the test's transaction never commits: the version is renewed at once as well
    indexing.reindex_products([product.pk])  # what the reindex task does after the commit

    count, html, _sql = queries(client, "/shop/catalogue/")
    assert count > 0 and "Vải thiều Lục Ngạn loại đặc biệt" in html


def test_a_visitor_with_a_basket_or_a_session_is_never_served_a_shell(client, catalogue):
    queries(client, "/shop/catalogue/")  # cached
    client.cookies["sessionid"] = "someone"
    count, html, _sql = queries(client, "/shop/catalogue/")
    assert count > 0 and "@@" not in html


def test_query_parameters_the_page_does_not_read_share_its_cached_page(client, catalogue):
    queries(client, "/shop/catalogue/?sort=price")
    count, html, _sql = queries(client, "/shop/catalogue/?utm_source=zalo&sort=price")
    assert count == 0
    assert 'value="/shop/catalogue/?utm_source=zalo&amp;sort=price"' in html  # its own return path
    assert "utm_source" not in html.replace('value="/shop/catalogue/?utm_source=zalo&amp;sort=price"', "")
    assert page_cache.marker("csrf-token") not in html


def _prices(html: str) -> list[int]:
    grid = html.split('class="grid"')[1].split("</ul>")[0]
    return [int(price.replace(".", "")) for price in re.findall(r'class="price">([\d.]+) ₫', grid)]


def test_a_padded_query_string_is_rendered_but_never_stored(client, catalogue):
    padded = "/search/?q=" + "vai+" * 60 + "&category=" + "&category=".join(str(n) for n in range(1, 60))
    first, _html, _sql = queries(client, padded)
    again, _html, _sql = queries(client, padded)
    assert first > 0 and again > 0  # each rendered: such a URL fills no cache entry


def test_a_crafted_query_string_cannot_stand_in_for_another_page(client, catalogue):
    dearest = "/shop/catalogue/?page=1&sort=-price"
    # A value holding "&sort=-price" is one value (page), not the sort: its page is not the sorted one.
    queries(client, "/shop/catalogue/?" + urlencode({"page": "1&sort=-price"}))
    _count, html, _sql = queries(client, dearest)
    assert _prices(html) == sorted(_prices(html), reverse=True)
    # A repeated parameter: the view reads its last value, and so does the page's key.
    queries(client, "/shop/catalogue/?sort=-price&sort=price")
    _count, html, _sql = queries(client, "/shop/catalogue/?sort=price&sort=-price")
    assert _prices(html) == sorted(_prices(html), reverse=True)


def test_the_host_in_another_case_is_the_same_page(client, catalogue):
    queries(client, "/shop/catalogue/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/shop/catalogue/", HTTP_HOST="TESTSERVER")
    assert len(captured) == 0


def test_a_page_from_the_cache_carries_this_responses_csp_nonce(client, catalogue):
    queries(client, "/shop/catalogue/")
    response = client.get("/shop/catalogue/")
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
