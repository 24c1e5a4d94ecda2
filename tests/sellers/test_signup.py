import pytest

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


def test_registered_number_is_told_to_log_in_and_keeps_what_was_typed(
    client, outbox, committed, make_storefront
):
    make_storefront()
    with committed():
        client.post("/ban-hang/dang-ky/", {"phone": "0912345678"})
    client.post("/ban-hang/dang-ky/ma/", {"code": last_code(outbox, PHONE)})
    client.logout()

    with committed():
        response = client.post("/ban-hang/dang-ky/", {"phone": "0912 345 678", "name": "Bà Lan"})

    html = response.content.decode()
    assert "Số này đã được đăng ký" in html
    assert 'value="0912 345 678"' in html and 'value="Bà Lan"' in html


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


def test_unknown_number_cannot_log_in(client, make_storefront, outbox):
    make_storefront()

    response = client.post("/ban-hang/dang-nhap/", {"phone": "0987654321"})

    assert "Chưa có gian hàng nào đăng ký bằng số này" in response.content.decode()
    assert outbox == []
