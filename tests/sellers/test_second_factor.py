"""After a password, platform admins (and staff who ask for it) enter a code sent to their phone."""

import pytest
from django.core.management import call_command
from django.test import Client

from sellers import roles
from sellers.models import PhoneAccount
from tests.conftest import last_code
from tests.factories import TEST_PASSWORD, CommuneFactory, UserFactory, commune_member

pytestmark = pytest.mark.django_db

PHONE = "+84912345678"
VERIFY = "/ban-hang/xac-minh/"


def password_login(client, user, form="cms"):
    if form == "shop":
        return client.post(
            "/shop/accounts/login/",
            {"login-username": user.email, "login-password": TEST_PASSWORD, "login_submit": "1"},
        )
    return client.post(f"/{form}/login/", {"username": user.username, "password": TEST_PASSWORD})


@pytest.fixture
def admin(make_storefront):
    make_storefront()
    user = UserFactory(username="quantri", staff=True)  # a superuser
    PhoneAccount.objects.create(user=user, phone=PHONE)
    return user


def enter_code(client, outbox, committed, *, next_url="/cms/"):
    with committed():
        page = client.get(VERIFY, {"next": next_url})
    assert page.status_code == 200
    return client.post(
        f"{VERIFY}?next={next_url}", {"action": "verify", "code": last_code(outbox, PHONE), "next": next_url}
    )


@pytest.mark.parametrize("form", ["cms", "django-admin", "shop"])
def test_a_superuser_enters_the_code_before_the_admin_pages_open(client, admin, outbox, committed, form):
    assert password_login(client, admin, form).status_code == 302

    for path in ("/cms/", "/django-admin/", "/shop/dashboard/", "/ban-hang/xa/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{VERIFY}?next=")

    answer = enter_code(client, outbox, committed)

    assert answer.status_code == 302
    assert answer["Location"] == "/cms/"
    assert client.get("/cms/").status_code == 200
    assert client.get("/django-admin/").status_code == 200
    assert client.get("/shop/dashboard/").status_code == 200


def test_the_code_page_says_where_the_code_went(client, admin, outbox, committed):
    password_login(client, admin)

    with committed():
        page = client.get(VERIFY, {"next": "/cms/"})

    assert "0912 345 678" in page.content.decode()
    assert len([message for message in outbox if message.phone == PHONE]) == 1
    client.get(VERIFY, {"next": "/cms/"})  # coming back sends no second text by itself
    assert len([message for message in outbox if message.phone == PHONE]) == 1


def test_a_wrong_code_is_refused_with_a_clear_message(client, admin, outbox, committed):
    password_login(client, admin)
    with committed():
        client.get(VERIFY)
    code = last_code(outbox, PHONE)
    wrong = "000000" if code != "000000" else "111111"

    response = client.post(VERIFY, {"action": "verify", "code": wrong, "next": "/cms/"})

    assert response.status_code == 200
    assert "Mã chưa đúng. Hãy xem lại tin nhắn và nhập lại." in response.content.decode()
    assert client.get("/cms/").status_code == 302


def test_a_new_code_on_request(client, admin, outbox, committed):
    password_login(client, admin)
    with committed():
        client.get(VERIFY)
        response = client.post(VERIFY, {"action": "resend", "next": "/cms/"})

    assert response.status_code == 302
    assert len([message for message in outbox if message.phone == PHONE]) == 2


def test_the_group_of_platform_admins_needs_the_code_too(client, make_storefront):
    make_storefront()
    user = UserFactory(username="sanadmin", is_staff=True)
    user.groups.add(roles.role_group(roles.PLATFORM_ADMIN))
    PhoneAccount.objects.create(user=user, phone=PHONE)

    password_login(client, user)

    assert client.get("/cms/")["Location"].startswith(VERIFY)


def test_commune_staff_without_the_option_go_straight_in(client, make_storefront):
    make_storefront()
    staff = commune_member(commune=CommuneFactory(), role=roles.COMMUNE_STAFF)
    PhoneAccount.objects.create(user=staff, phone=PHONE)

    password_login(client, staff, "shop")

    assert client.get("/ban-hang/xa/").status_code == 200


def test_commune_staff_who_opt_in_enter_the_code(client, make_storefront, outbox, committed):
    make_storefront()
    staff = commune_member(commune=CommuneFactory(), role=roles.COMMUNE_STAFF)
    PhoneAccount.objects.create(user=staff, phone=PHONE)
    client.force_login(staff)
    client.post("/ban-hang/bao-mat/", {"second_factor": "on"})
    client.logout()

    password_login(client, staff, "shop")

    assert client.get("/ban-hang/xa/")["Location"].startswith(VERIFY)
    assert enter_code(client, outbox, committed, next_url="/ban-hang/xa/")["Location"] == "/ban-hang/xa/"
    assert client.get("/ban-hang/xa/").status_code == 200


def test_staff_turn_the_code_off_again_but_admins_cannot(client, admin, make_storefront):
    staff = commune_member(commune=CommuneFactory(), role=roles.COMMUNE_STAFF)
    account = PhoneAccount.objects.create(user=staff, phone="+84912000111", second_factor=True)
    client.force_login(staff)

    client.post("/ban-hang/bao-mat/", {})

    account.refresh_from_db()
    assert account.second_factor is False
    other = Client()
    other.force_login(admin)
    page = other.get("/ban-hang/bao-mat/").content.decode()
    assert "Quản trị viên của sàn luôn phải nhập mã" in page
    assert 'name="second_factor"' not in page


def test_while_phones_are_not_yet_required_a_superuser_without_one_is_told_to_add_one(
    client, make_storefront, settings
):
    settings.SECOND_FACTOR_PHONE_REQUIRED = False
    make_storefront()
    UserFactory(username="khongso", staff=True)

    response = client.post("/cms/login/", {"username": "khongso", "password": TEST_PASSWORD}, follow=True)

    # Let in (the deployment's first day), with the message on the next page.
    assert response.redirect_chain[-1][0] == "/cms/"
    assert "manage.py staff_phone khongso" in response.content.decode()


def test_a_superuser_without_a_phone_stays_at_the_message(client, make_storefront):
    make_storefront()
    UserFactory(username="khongso", staff=True)

    response = client.post("/cms/login/", {"username": "khongso", "password": TEST_PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0].startswith(VERIFY)
    html = response.content.decode()
    assert "chưa có số điện thoại" in html
    assert "manage.py staff_phone khongso" in html
    assert 'name="code"' not in html
    assert client.get("/django-admin/").status_code == 302


def test_force_login_is_not_asked_for_a_code(client, admin):
    client.force_login(admin)

    assert client.get("/cms/").status_code == 200
    assert client.get("/django-admin/").status_code == 200


def test_the_pending_session_may_log_out(client, admin):
    password_login(client, admin)

    client.post(VERIFY, {"action": "logout"})

    assert client.get("/cms/").status_code == 302
    assert "/cms/login/" in client.get("/cms/")["Location"]


def test_the_code_page_only_goes_back_to_this_site(client, admin, outbox, committed):
    password_login(client, admin)

    answer = enter_code(client, outbox, committed, next_url="https://evil.example/")

    assert answer["Location"] == "/"


def test_staff_phone_command_puts_the_number_on_file(make_storefront):
    staff = commune_member(commune=CommuneFactory(), role=roles.COMMUNE_STAFF)

    call_command("staff_phone", staff.username, "0912 345 678", "--code-at-login")

    account = PhoneAccount.objects.get(user=staff)
    assert account.phone == PHONE
    assert account.second_factor is True


def test_an_admins_phone_code_alone_never_logs_in(client, admin, outbox, committed):
    with committed():
        client.post("/ban-hang/dang-nhap/", {"phone": "0912345678"})

    response = client.post("/ban-hang/dang-nhap/ma/", {"code": last_code(outbox, PHONE)})

    assert "Tài khoản cán bộ đăng nhập bằng mật khẩu" in response.content.decode()
    assert "_auth_user_id" not in client.session
