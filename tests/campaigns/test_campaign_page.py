"""The campaign page a buyer opens: every block shows its site's own things, never another commune's."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from tests.campaigns.conftest import campaign, text
from tests.factories import StallFactory, make_product, make_window

pytestmark = pytest.mark.django_db


def _html(client, page, **params) -> str:
    response = client.get(page.url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_each_block_shows_the_sites_own_things(client, lucngan, voucher):
    w = lucngan
    harvest = timezone.localdate() + datetime.timedelta(days=187)
    page = campaign(
        w["home"],
        [
            text("<p>Vải chín cây, hái buổi sáng.</p>"),
            ("products", {"heading": "Sản phẩm của mùa", "products": [w["honey"], w["lychee"]]}),
            ("stalls", {"heading": "", "stalls": [w["garden"]]}),
            ("windows", {"heading": "", "products": []}),
            ("countdown", {"harvest_on": harvest, "text": "Hái từ sáng sớm"}),
            ("stall_map", {"heading": ""}),
            ("voucher", {"code": "vai2027", "text": "giảm 10 %"}),
            ("voucher", {"code": "KHONGCO", "text": "mã không có"}),
        ],
    )

    html = _html(client, page)

    # given the site's two verified stalls, its open window, a closed one and a neighbour's open one
    assert "Mùa vải thiều Lục Ngạn 2027" in html and "Vải chín cây, hái buổi sáng." in html
    assert html.index("Mật ong hoa vải") < html.index("Vải thiều Lục Ngạn")  # the editor's order
    assert "Vườn vải ông Thành" in html
    assert "Còn 187 ngày đến mùa thu hoạch" in html
    assert "Nhập mã <strong>VAI2027</strong> khi thanh toán, giảm 10 %" in html
    assert "mã không có" not in html  # no such voucher: nothing shown
    # the open window of the site, 1.880 kg left; not the closed one, not the neighbour's
    assert html.count('class="sale-window"') == 1 and "1880" in html.replace(".", "")
    assert "Vải sớm Phúc Hòa" not in html and "Vườn Phúc Hòa" not in html
    assert "Gian hàng nháp" not in html
    # the map: one dot for the commune, its stalls by village beside it
    assert html.count('class="map-dot"') == 1 and "<svg" in html
    assert "Thôn Kép 1" in html and "Thôn Chũ" in html
    assert html.index("Thôn Chũ") < html.index("Thôn Kép 1")


def test_an_expired_voucher_and_a_past_harvest(client, lucngan, voucher):
    voucher.end_datetime = timezone.now() - datetime.timedelta(minutes=1)
    voucher.save()
    page = campaign(
        lucngan["home"],
        [
            ("voucher", {"code": "VAI2027", "text": "giảm 10 %"}),
            ("countdown", {"harvest_on": timezone.localdate() - datetime.timedelta(days=3), "text": ""}),
        ],
    )

    html = _html(client, page)

    assert "VAI2027" not in html
    assert "Đang mùa thu hoạch" in html


def test_windows_block_limited_to_chosen_products(client, lucngan):
    w = lucngan
    other = make_product(stall=w["garden"], title="Nhãn lồng Thôn Chũ", stock=0, unit="kg")
    make_window(stall=w["garden"], product=other)
    page = campaign(w["home"], [("windows", {"heading": "Đặt trước nhãn", "products": [other]})])

    html = _html(client, page)

    assert "Đặt trước nhãn" in html and "Nhãn lồng Thôn Chũ" in html
    assert "Vải thiều Lục Ngạn" not in html


def test_in_english(client, lucngan):
    harvest = timezone.localdate() + datetime.timedelta(days=2)
    page = campaign(lucngan["home"], [("countdown", {"harvest_on": harvest, "text": ""})])
    client.cookies["django_language"] = "en"

    html = _html(client, page)

    assert "2 days to the harvest" in html


def _queries(client, page) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page.url).status_code == 200
    return len(queries)


def test_open_windows_cost_no_query_per_window(client, lucngan, django_assert_max_num_queries):
    w = lucngan
    page = campaign(
        w["home"],
        [("windows", {"heading": "", "products": []}), ("stall_map", {"heading": ""})],
    )
    _queries(client, page)  # the session, the site and the basket settle once
    one = _queries(client, page)
    for number in range(4):
        stall = StallFactory(commune=w["here"], village=f"Thôn {number}")
        make_window(stall=stall, product=make_product(stall=stall, stock=0, unit="kg", title=f"Vải {number}"))

    with django_assert_max_num_queries(16):
        html = _html(client, page)

    assert html.count('class="sale-window"') == 5
    assert _queries(client, page) == one


def test_the_commune_home_page_links_to_its_live_campaigns(client, lucngan):
    live = campaign(lucngan["home"], [])
    ended = campaign(lucngan["home"], [], title="Mùa cam 2025", slug="mua-cam-2025")
    ended.starts_on = timezone.localdate() - datetime.timedelta(days=90)
    ended.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    ended.save_revision().publish()

    html = client.get("/").content.decode()

    assert f'href="{live.url}"' in html and "Mùa này" in html
    assert "Mùa cam 2025" not in html

    # a campaign behind a password (a draft shown to a few) is not linked for everyone
    client.cookies["sessionid"] = "someone"  # rendered for this visitor, not from the page cache
    secret = campaign(lucngan["home"], [], title="Mùa na 2027", slug="mua-na-2027")
    assert "Mùa na 2027" in client.get("/").content.decode()
    PageViewRestriction.objects.create(page=secret, restriction_type="password", password="bi-mat")
    assert "Mùa na 2027" not in client.get("/").content.decode()
