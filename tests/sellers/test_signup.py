import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from sellers.models import PhoneAccount
from tests.conftest import last_code

pytestmark = pytest.mark.django_db
PHONE = "+84912345678"


def test_household_signs_up_with_phone_and_code(client, outbox, committed, make_storefront):
    make_storefront()

    with committed():
        response = client.post(
            "/ban-hang/dang-ky/", {"phone": "0912 345 678", "name": "Nguyễn Văn Thành"}, follow=True
        )
    assert "0912 345 678" in response.content.decode()  # "we sent a code to ..."

    response = client.post("/ban-hang/dang-ky/ma/", {"code": last_code(outbox, PHONE)}, follow=True)

    account = PhoneAccount.objects.get(phone=PHONE)
    assert response.wsgi_request.user == account.user
    assert account.user.first_name == "Nguyễn Văn Thành"
    assert account.user.groups.filter(name="seller").exists()
    assert not account.user.has_usable_password()
    assert "Hãy giới thiệu gian hàng của bạn" in response.content.decode()


def test_wrong_code_is_explained_in_vietnamese(client, outbox, committed, make_storefront):
    make_storefront()
    with committed():
        client.post("/ban-hang/dang-ky/", {"phone": "0912345678"})

    response = client.post(
        "/ban-hang/dang-ky/ma/", {"code": "000000" if last_code(outbox, PHONE) != "000000" else "111111"}
    )

    assert "Mã chưa đúng" in response.content.decode()
    assert not PhoneAccount.objects.exists()


def test_signing_up_again_with_a_registered_number_logs_into_the_same_stall_and_tells_no_one(
    client, outbox, committed, make_storefront
):
    make_storefront()
    with committed():
        first = client.post("/ban-hang/dang-ky/", {"phone": "0912345678", "name": "Bà Lan"})
    client.post("/ban-hang/dang-ky/ma/", {"code": last_code(outbox, PHONE)})
    owner = client.session["_auth_user_id"]
    client.logout()

    with committed():
        again = client.post("/ban-hang/dang-ky/", {"phone": "0912 345 678", "name": "Bà Lan"})
    response = client.post("/ban-hang/dang-ky/ma/", {"code": last_code(outbox, PHONE)}, follow=True)

    # the stranger's view: the same redirect to "enter the code" as for a new number
    assert (again.status_code, again.url) == (first.status_code, first.url)
    # the household's view: its code opens the stall it already has, no second account
    assert response.wsgi_request.user.pk == int(owner)
    assert get_user_model().objects.filter(username=PHONE).count() == 1


def test_bad_number_gets_a_message_next_to_the_field(client, make_storefront):
    make_storefront()

    response = client.post("/ban-hang/dang-ky/", {"phone": "0912 34"})

    html = response.content.decode()
    assert "Hãy nhập số di động Việt Nam" in html
    assert 'value="0912 34"' in html


def test_household_logs_back_in_with_a_new_code(client, outbox, committed, make_storefront):
    make_storefront()
    with committed():
        client.post("/ban-hang/dang-ky/", {"phone": "0912345678"})
    client.post("/ban-hang/dang-ky/ma/", {"code": last_code(outbox, PHONE)})
    client.logout()

    with committed():
        client.post("/ban-hang/dang-nhap/", {"phone": "0912345678"})
    response = client.post("/ban-hang/dang-nhap/ma/", {"code": last_code(outbox, PHONE)}, follow=True)

    assert response.wsgi_request.user.username == PHONE


def test_a_login_answers_the_same_for_a_number_with_and_without_a_stall(
    client, outbox, committed, make_storefront
):
    make_storefront()
    with committed():
        client.post("/ban-hang/dang-ky/", {"phone": "0912345678", "name": "Bà Lan"})
    client.post("/ban-hang/dang-ky/ma/", {"code": last_code(outbox, PHONE)})
    client.logout()
    outbox.clear()

    with committed():
        known = Client().post("/ban-hang/dang-nhap/", {"phone": "0912345678"}, follow=True)
        unknown = Client().post("/ban-hang/dang-nhap/", {"phone": "0987654321"}, follow=True)

    def page(response):  # the words a person sees: the number and the per-request tokens aside
        html = response.content.decode().replace("0912 345 678", "NUMBER").replace("0987 654 321", "NUMBER")
        return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"', "", html)

    assert known.redirect_chain == [("/ban-hang/dang-nhap/ma/", 302)] == unknown.redirect_chain
    assert page(known) == page(unknown)
    assert [message.phone for message in outbox] == [PHONE]  # only the stall's number is texted


def test_an_unknown_number_cannot_log_in_and_its_tries_are_limited(client, make_storefront, outbox):
    make_storefront()
    client.post("/ban-hang/dang-nhap/", {"phone": "0987654321"})

    wrong = client.post("/ban-hang/dang-nhap/ma/", {"code": "123456"})

    assert "Mã chưa đúng" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    for _ in range(3):
        client.post("/ban-hang/dang-nhap/", {"phone": "0987654321"})
    refused = client.post("/ban-hang/dang-nhap/", {"phone": "0987654321"})
    assert "quá nhiều mã" in refused.content.decode()
    assert outbox == []
