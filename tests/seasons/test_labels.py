"""Every product card and the product page carry one season label: "Đặt trước đến 20/12" while a window
is open today, else "Đang mùa" or "Hết mùa", with the harvest months; lists read it with the products."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from search import indexing
from tests.factories import StallFactory, make_product, make_window
from tests.seasons.fixtures import months_from_now, season_products

pytestmark = pytest.mark.django_db


def season_rows(html: str) -> dict[str, str]:
    """The season line of each card, by product title."""
    rows = {}
    for card in html.split('<article class="card">')[1:]:
        title = re.search(r"<h3><a [^>]*>([^<]+)</a>", card).group(1)
        row = re.search(r'<p class="season-row">(.*?)</p>', card, re.S)
        rows[title] = re.sub(r"<[^>]+>", "", row.group(1)) if row else ""
    return rows


@pytest.fixture
def seasons(make_storefront):
    made = season_products()
    make_storefront()
    indexing.reindex_products([product.pk for product in made["products"].values()])
    return made


def test_cards_say_in_season_pre_order_until_or_out_of_season(client, seasons):
    until = (seasons["today"] + timedelta(days=10)).strftime("%d/%m")

    html = client.get("/shop/catalogue/").content.decode()
    rows = season_rows(html)

    assert rows["Vải thiều chín sớm"].startswith("Đang mùa")
    assert rows["Nhãn lồng Hưng Yên"].startswith(f"Đặt trước đến {until}")
    assert rows["Bưởi Diễn"].startswith("Hết mùa")  # its window closed yesterday, by date only
    assert rows["Cam Vinh"].startswith("Hết mùa")  # its window is full
    assert rows["Ổi Đông Dư"].startswith("Hết mùa")
    assert all("Thu hoạch:" in row for row in rows.values())  # the harvest months stay
    assert len(rows) == 5


def test_the_product_page_says_the_same(client, seasons):
    products = seasons["products"]
    until = (seasons["today"] + timedelta(days=10)).strftime("%d/%m")

    def label(product):
        html = client.get(product.get_absolute_url()).content.decode()
        return re.sub(r"<[^>]+>", "", re.search(r'<p class="season-row">(.*?)</p>', html, re.S).group(1))

    assert label(products["open"]).startswith(f"Đặt trước đến {until}")
    assert label(products["in_season"]).startswith("Đang mùa")
    assert label(products["yesterday"]).startswith("Hết mùa")
    assert label(products["full"]).startswith("Hết mùa")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(products["open"].get_absolute_url()).content.decode()
    assert f"Pre-order until {until}" in english


def test_a_cancelled_window_stops_the_label_when_it_commits(client, seasons, committed):
    window = seasons["windows"]["open"]
    with committed():
        window.state, window.cancelled_at = window.State.CANCELLED, timezone.now()
        window.save(update_fields=["state", "cancelled_at", "updated_at"])

    rows = season_rows(client.get("/shop/catalogue/").content.decode())

    assert rows["Nhãn lồng Hưng Yên"].startswith("Hết mùa")


def test_the_old_pre_order_box_promises_nothing(client, make_storefront):
    """The stall's old checkbox is no window: nobody can place that pre-order, so no label offers it."""
    make_storefront()
    product = make_product(title="Mít Tố Nữ", season_months=[months_from_now(3)], available_for_preorder=True)
    indexing.reindex_products([product.pk])

    row = season_rows(client.get("/shop/catalogue/").content.decode())["Mít Tố Nữ"]

    assert row.startswith("Hết mùa") and "đặt trước" not in row.lower()


def test_a_list_page_reads_the_labels_with_its_products(client, make_storefront, settings):
    """10 products: the same queries with 1 window open as with 10."""
    settings.PAGE_CACHE = False
    make_storefront()
    stall = StallFactory()
    products = [
        make_product(stall=stall, title=f"Vải lô {n}", season_months=[months_from_now(5)]) for n in range(10)
    ]
    make_window(stall=stall, product=products[0])
    indexing.reindex_products([p.pk for p in products])
    client.get("/shop/catalogue/")  # warm what is read once per process (sites, content types)

    with CaptureQueriesContext(connection) as one_window:
        one = client.get("/shop/catalogue/").content.decode()
    for product in products[1:]:
        make_window(stall=stall, product=product)
    with CaptureQueriesContext(connection) as ten_windows:
        ten = client.get("/shop/catalogue/").content.decode()

    assert one.count("Đặt trước đến") == 1 and ten.count("Đặt trước đến") == 10
    assert len(ten_windows) == len(one_window)


def test_a_cached_list_says_hết_mùa_the_day_after_its_window_closes(client, seasons, monkeypatch):
    """Lists are served from the page cache for 5 minutes: a page cached before midnight must not offer
    yesterday's pre-order the next morning (the cache's key holds today's date)."""
    title = "Nhãn lồng Hưng Yên"  # its window is open until today + 10
    assert season_rows(client.get("/shop/catalogue/").content.decode())[title].startswith("Đặt trước")
    with CaptureQueriesContext(connection) as cached:
        client.get("/shop/catalogue/")
    assert len(cached) == 0  # the page came from the cache

    later = seasons["today"] + timedelta(days=11)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)

    assert season_rows(client.get("/shop/catalogue/").content.decode())[title].startswith("Hết mùa")
