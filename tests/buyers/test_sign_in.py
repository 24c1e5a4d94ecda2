"""Issue #17 (4), buyers by phone: any Vietnamese mobile signs in with a one-time code, the sellers'
mechanism; one account per phone (a seller's phone opens the seller's own account)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone, translation

from marketplace.buyers.services import buyer_account, buyer_login
from sellers import otp
from sellers.models import OneTimeCode, PhoneAccount
from tests.buyers.conftest import PHONE
from tests.conftest import last_code
from tests.factories import UserFactory, burst, seller_with_stall

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_a_new_phone_signs_in_with_its_code_and_gets_an_account(client, sign_in, outbox):
    response = sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/khach/don-hang/"
    account = PhoneAccount.objects.get(phone=PHONE)
    assert not account.user.has_usable_password()
    assert client.get("/khach/don-hang/").context["user"] == account.user
    assert outbox[-1].phone == PHONE


def test_the_same_phone_signs_in_to_the_same_account(client, sign_in, django_user_model):
    sign_in(client)
    client.logout()
    sign_in(client, "+84 912 345 678")

    assert PhoneAccount.objects.filter(phone=PHONE).count() == 1
    assert django_user_model.objects.filter(phone_account__phone=PHONE).count() == 1


def test_a_sellers_phone_signs_in_to_the_sellers_own_account(client, sign_in):
    seller, _stall = seller_with_stall(phone=PHONE)

    sign_in(client)

    assert client.get("/khach/don-hang/").context["user"] == seller
    assert User.objects.filter(phone_account__isnull=False).count() == 1


def test_a_wrong_code_and_an_expired_code_say_so(client, committed, outbox):
    with committed():
        client.post("/khach/dang-nhap/", {"phone": "0912 345 678"})
    right = last_code(outbox, PHONE)

    wrong = client.post("/khach/dang-nhap/ma/", {"code": "111111" if right == "000000" else "000000"})
    assert wrong.context["form"].errors["code"] == [
        vi("That code is not right. Check the message and try again.")
    ]
    assert vi("That code is not right. Check the message and try again.") in wrong.content.decode()

    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.post("/khach/dang-nhap/ma/", {"code": right})
    assert expired.context["form"].errors["code"] == [vi("This code has expired. Ask for a new one.")]
    assert not PhoneAccount.objects.exists()
    assert not expired.context["user"].is_authenticated


def vi(msgid: str) -> str:
    with translation.override("vi"):
        return translation.gettext(msgid)


def test_the_code_step_without_a_number_goes_back_to_the_first_step(client):
    assert client.get("/khach/dang-nhap/ma/")["Location"] == "/khach/dang-nhap/"


def test_other_numbers_and_over_long_input_are_refused_next_to_the_field(client, outbox):
    for typed in ("0241 234 567", "9" * 5000):
        response = client.post("/khach/dang-nhap/", {"phone": typed})
        assert response.status_code == 200
        assert response.context["form"].errors["phone"]
    assert outbox == []


def test_the_limits_of_codes_per_number_apply(client, committed):
    for _i in range(3):
        with committed():
            assert client.post("/khach/dang-nhap/", {"phone": "0912 345 678"}).status_code == 302

    response = client.post("/khach/dang-nhap/", {"phone": "0912 345 678"})

    assert response.status_code == 200
    assert "15" in response.context["form"].errors["phone"][0]


def test_a_code_never_opens_a_staff_account(client, sign_in):
    staff = UserFactory(staff=True)
    PhoneAccount.objects.create(user=staff, phone=PHONE)

    response = sign_in(client)

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not response.context["user"].is_authenticated


@pytest.mark.parametrize(
    ("next_url", "lands"),
    [
        ("/khach/don-hang/DH123/", "/khach/don-hang/DH123/"),
        ("https://evil.example/", "/khach/don-hang/"),
        ("//evil.example/x", "/khach/don-hang/"),
        ("/\\evil.example", "/khach/don-hang/"),
        ("javascript:alert(1)", "/khach/don-hang/"),
    ],
)
def test_next_is_followed_only_within_the_site(client, sign_in, next_url, lands):
    assert sign_in(client, next_url=next_url)["Location"] == lands


def test_the_phone_page_carries_next_to_the_form(client):
    html = client.get("/khach/dang-nhap/?next=/khach/don-hang/DH1/").content.decode()
    assert 'name="next" value="/khach/don-hang/DH1/"' in html


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_sign_ins_of_a_new_phone_makes_one_account(outbox):
    accounts = burst(lambda _n: buyer_account(phone=PHONE).pk, 8)

    assert len(set(accounts)) == 1
    assert PhoneAccount.objects.filter(phone=PHONE).count() == 1
    assert User.objects.count() == 1

    # The same code typed on 8 devices at once: one sign-in, the code is used up for the others.
    other = "+84912000111"
    otp.otp_send(phone=other, purpose=OneTimeCode.Purpose.LOGIN, ip_address=None)
    code = last_code(outbox, other)

    def attempt(_n):
        try:
            return buyer_login(phone=other, code=code).pk
        except otp.CodeError:
            return None

    results = burst(attempt, 8)
    assert len([pk for pk in results if pk]) == 1
    assert PhoneAccount.objects.filter(phone=other).count() == 1


def test_the_email_sign_in_stays_and_offers_the_phone(client):
    html = client.get("/shop/accounts/login/?next=/khach/don-hang/").content.decode()

    assert 'id="login_form"' in html
    assert 'href="/khach/dang-nhap/?next=/khach/don-hang/"' in html
    assert vi("Sign in with your phone") == "Đăng nhập bằng số điện thoại"
    assert "Đăng nhập bằng số điện thoại" in html


def test_the_tracking_page_and_the_menu_lead_to_the_phone_sign_in(client):
    track = client.get("/shop/track/").content.decode()
    assert "Đăng nhập bằng số điện thoại để xem mọi đơn hàng, đánh giá hoặc khiếu nại" in track
    assert 'href="/khach/dang-nhap/"' in track
    assert 'href="/khach/don-hang/">Đơn hàng của tôi</a>' in track


def test_a_sellers_number_and_a_new_number_get_the_same_answer(client, outbox, committed):
    seller_with_stall(phone=PHONE)

    with committed():
        known = client.post("/khach/dang-nhap/", {"phone": "0912 345 678"})
    with committed():
        unknown = Client().post("/khach/dang-nhap/", {"phone": "0987 654 321"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/khach/dang-nhap/ma/"
    assert {message.phone for message in outbox} == {PHONE, "+84987654321"}
