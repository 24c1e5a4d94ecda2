import pytest

from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_logs_into_wagtail_admin(client, make_storefront):
    make_storefront()
    UserFactory(username="canbo", staff=True)

    response = client.post("/cms/login/", {"username": "canbo", "password": PASSWORD}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/cms/"
    assert response.wsgi_request.user.username == "canbo"


def test_staff_logs_into_oscar_dashboard(client, make_storefront):
    make_storefront()
    UserFactory(username="canbo", email="canbo@example.vn", staff=True)

    client.post(
        "/shop/accounts/login/",
        {"login-username": "canbo@example.vn", "login-password": PASSWORD, "login_submit": "1"},
    )
    response = client.get("/shop/dashboard/")

    assert response.status_code == 200
    assert response.wsgi_request.user.username == "canbo"


def test_buyer_is_kept_out_of_the_dashboards(client, make_storefront):
    make_storefront()
    buyer = UserFactory(username="nguoimua")
    client.force_login(buyer)

    assert client.get("/shop/dashboard/").status_code in (302, 403)
    assert client.get("/cms/").status_code in (302, 403)
