import pytest

from sellers.models import PhoneAccount
from tests.conftest import last_code
from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import UserFactory

PHONE = "+84912345678"

pytestmark = pytest.mark.django_db


def admin_with_phone(**fields):
    """A platform admin (superuser) with a phone on file, for the code after the password."""
    user = UserFactory(staff=True, **fields)
    PhoneAccount.objects.create(user=user, phone=PHONE)
    return user


def enter_code(client, outbox, committed, next_url):
    with committed():
        client.get("/ban-hang/xac-minh/", {"next": next_url})
    code = last_code(outbox, PHONE)
    return client.post(
        f"/ban-hang/xac-minh/?next={next_url}", {"action": "verify", "code": code}, follow=True
    )


def test_staff_logs_into_wagtail_admin(client, make_storefront, outbox, committed):
    make_storefront()
    admin_with_phone(username="canbo")

    client.post("/cms/login/", {"username": "canbo", "password": PASSWORD})
    response = enter_code(client, outbox, committed, "/cms/")

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/cms/"
    assert response.wsgi_request.user.username == "canbo"


def test_staff_logs_into_oscar_dashboard(client, make_storefront, outbox, committed):
    make_storefront()
    admin_with_phone(username="canbo", email="canbo@example.vn")

    client.post(
        "/shop/accounts/login/",
        {"login-username": "canbo@example.vn", "login-password": PASSWORD, "login_submit": "1"},
    )
    assert client.get("/shop/dashboard/").status_code == 302  # the code first
    enter_code(client, outbox, committed, "/shop/dashboard/")
    response = client.get("/shop/dashboard/")

    assert response.status_code == 200
    assert response.wsgi_request.user.username == "canbo"


def test_buyer_is_kept_out_of_the_dashboards(client, make_storefront):
    make_storefront()
    buyer = UserFactory(username="nguoimua")
    client.force_login(buyer)

    assert client.get("/shop/dashboard/").status_code in (302, 403)
    assert client.get("/cms/").status_code in (302, 403)
