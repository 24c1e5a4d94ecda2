"""Issue #17 (4): every order placed with the phone, guest orders included, and nobody else's; one
checkout's page with its timeline; the texted link opens it on any browser."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from marketplace.demo_orders import buy
from marketplace.payments import buyers
from marketplace.payments.buyers import order_link
from tests.buyers.conftest import OTHER_PHONE
from tests.factories import make_product, seller_with_stall

pytestmark = pytest.mark.django_db


@pytest.fixture
def lychee():
    _seller, farm = seller_with_stall(partner__name="Vườn vải bác Tư")
    return make_product(stall=farm, title="Vải thiều Lục Ngạn", price=65000)


def test_guest_orders_of_the_phone_are_listed_after_signing_in(client, sign_in, lychee):
    (delivered,) = buy([(lychee, 2)], phone="0912 345 678")  # as a guest, on another device
    (placed,) = buy([(lychee, 1)], phone="0912 345 678", until=None)
    buy([(lychee, 3)], phone=OTHER_PHONE)

    sign_in(client)
    response = client.get("/khach/don-hang/")

    orders = response.context["orders"]
    assert [payment.order.number for payment in orders] == [placed.order.number, delivered.order.number]
    html = response.content.decode()
    assert "Vườn vải bác Tư" in html
    assert "2 × Vải thiều Lục Ngạn" in html
    assert "Đã giao" in html or "Delivered" in html
    assert f"/khach/don-hang/{delivered.checkout.reference}/" in html
    assert "3 × Vải thiều" not in html


def test_another_phones_orders_are_never_listed_and_their_pages_404(client, sign_in, lychee):
    (theirs,) = buy([(lychee, 3)], phone=OTHER_PHONE)
    (mine,) = buy([(lychee, 1)], phone="0912 345 678")
    sign_in(client)

    assert client.get(f"/khach/don-hang/{mine.checkout.reference}/").status_code == 200
    assert client.get(f"/khach/don-hang/{theirs.checkout.reference}/").status_code == 404
    assert client.get("/khach/don-hang/DH0000000000/").status_code == 404
    assert client.get("/khach/don-hang/" + "X" * 5000 + "/").status_code == 404
    assert client.post(f"/khach/mua-lai/{theirs.order.number}/").status_code == 404
    assert theirs.order.number not in client.get("/khach/don-hang/").content.decode()


def test_a_guest_sees_the_orders_this_browser_placed_and_a_way_to_see_all(client, lychee):
    (placed,) = buy([(lychee, 1)], phone="0912 345 678")
    buy([(lychee, 2)], phone="0912 345 678")  # the same phone, another browser
    session = client.session
    session[buyers.SESSION_KEY] = [placed.checkout.reference]
    session.save()

    response = client.get("/khach/don-hang/")

    assert [payment.order.number for payment in response.context["orders"]] == [placed.order.number]
    assert 'href="/khach/dang-nhap/"' in response.content.decode()
    assert Client().get("/khach/don-hang/").context["orders"] == []


def test_the_orders_page_is_paginated_in_a_bounded_number_of_queries(
    client, sign_in, lychee, django_assert_max_num_queries
):
    for _i in range(12):
        buy([(lychee, 1)], phone="0912 345 678", until="confirm")
    sign_in(client)
    client.get("/khach/don-hang/")  # the account's first visit opens its basket: counted once, not here

    with django_assert_max_num_queries(14):
        first = client.get("/khach/don-hang/")
    with django_assert_max_num_queries(14):
        second = client.get("/khach/don-hang/?trang=2")

    assert len(first.context["orders"]) == 10
    assert len(second.context["orders"]) == 2
    assert "?trang=2" in first.content.decode()


def test_the_order_page_shows_the_timeline_and_asks_the_after_sale_apps(client, sign_in, lychee, monkeypatch):
    (payment,) = buy([(lychee, 1)], phone="0912 345 678")
    asked = []
    monkeypatch.setattr("marketplace.feedback.services.annotate", lambda ps, r: asked.append("feedback"))
    monkeypatch.setattr("marketplace.complaints.services.annotate", lambda ps, r: asked.append("complaints"))
    sign_in(client)

    response = client.get(f"/khach/don-hang/{payment.checkout.reference}/")

    assert asked == ["feedback", "complaints"]
    html = response.content.decode()
    assert payment.order.number in html
    assert "timeline" in html
    assert f'action="/khach/mua-lai/{payment.order.number}/"' in html


def test_the_texted_link_opens_the_order_page(client, lychee):
    (payment,) = buy([(lychee, 1)], phone="0912 345 678")
    link = order_link(payment.checkout)

    response = client.get(urlsplit(link).path)

    assert response["Location"] == f"/khach/don-hang/{payment.checkout.reference}/"
    assert client.get(response["Location"]).status_code == 200


def test_a_forged_or_old_link_opens_nothing(client, lychee, monkeypatch):
    (payment,) = buy([(lychee, 1)], phone="0912 345 678")
    forged = signing.dumps(payment.checkout.reference, salt="another-salt", compress=True)

    response = client.get(f"/khach/mo/{forged}/")
    assert response["Location"] == "/khach/dang-nhap/"

    token = order_link(payment.checkout).rstrip("/").rsplit("/", 1)[1]
    monkeypatch.setattr(buyers, "LINK_MAX_AGE", timedelta(seconds=-1))
    assert client.get(f"/khach/mo/{token}/")["Location"] == "/khach/dang-nhap/"
    assert client.get(f"/khach/don-hang/{payment.checkout.reference}/").status_code == 404
