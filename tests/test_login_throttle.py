"""Password logins are throttled per account and per address on every login form (django-axes)."""

import threading

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sellers import roles
from tests.factories import TEST_PASSWORD, UserFactory, burst

LIMIT = settings.AXES_FAILURE_LIMIT
PER_ADDRESS = settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
WRONG = "sai-mat-khau-999"

# Each login form: its URL and how it names the fields. Oscar's shop form asks for the e-mail address.
FORMS = {
    "shop": ("/shop/accounts/login/", "login-username", "login-password", {"login_submit": "1"}, "email"),
    "cms": ("/cms/login/", "username", "password", {}, "username"),
    "django-admin": ("/django-admin/login/", "username", "password", {"next": "/django-admin/"}, "username"),
}


def attempt(client, form: str, user, password: str, address: str = "10.1.0.1"):
    url, name_field, password_field, extra, identifier = FORMS[form]
    data = {name_field: getattr(user, identifier), password_field: password, **extra}
    return client.post(url, data, REMOTE_ADDR=address)


def logged_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


@pytest.fixture
def staff(make_storefront):
    make_storefront()
    return UserFactory(username="canbo", email="canbo@example.vn", is_staff=True)


def assert_locked_page(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert "Tạm dừng đăng nhập" in html  # Vietnamese first
    assert "Log-in paused" in html  # English second
    assert "quản trị viên của sàn mở khoá" in html  # who can unlock
    newest = AccessAttempt.objects.order_by("-attempt_time").first().attempt_time
    ends = timezone.localtime(newest + settings.AXES_COOLOFF_TIME).strftime("%H:%M")
    assert f"Hãy đợi 15 phút rồi thử lại (sau {ends})." in html  # when
    assert int(response["Retry-After"]) == 15 * 60


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS)
def test_wrong_passwords_then_the_right_one_is_refused(client, staff, form):
    for _ in range(LIMIT - 1):
        assert attempt(client, form, staff, WRONG).status_code == 200  # the form again, with its error
    assert_locked_page(attempt(client, form, staff, WRONG))

    response = attempt(client, form, staff, TEST_PASSWORD)

    assert_locked_page(response)
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS)
def test_another_address_is_still_throttled_for_the_same_account(client, staff, form):
    for n in range(LIMIT):
        attempt(client, form, staff, WRONG, address=f"10.2.0.{n}")

    response = attempt(Client(), form, staff, TEST_PASSWORD, address="10.9.9.9")

    assert_locked_page(response)


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS)
def test_one_address_trying_many_accounts_is_throttled(client, staff, form):
    for n in range(PER_ADDRESS):
        other = UserFactory(username=f"nguoi{n}", email=f"nguoi{n}@example.vn")
        assert attempt(client, form, other, WRONG, address="10.3.0.1").status_code in (200, 429)

    assert_locked_page(attempt(client, form, staff, TEST_PASSWORD, address="10.3.0.1"))
    # One wrong try each: the accounts themselves are not locked, from elsewhere.
    assert logged_in(attempt(Client(), form, staff, TEST_PASSWORD, address="10.3.0.2"))


@pytest.mark.django_db
def test_an_address_below_its_limit_is_not_throttled(client, staff):
    # A commune office behind one address: a few people each mistyping once or twice.
    for n in range(PER_ADDRESS - 1):
        other = UserFactory(username=f"xa{n}", email=f"xa{n}@example.vn")
        assert attempt(client, "cms", other, WRONG, address="10.4.0.1").status_code == 200

    assert logged_in(attempt(client, "cms", staff, TEST_PASSWORD, address="10.4.0.1"))


@pytest.mark.django_db
def test_user_name_and_email_count_as_one_account(client, staff):
    for _ in range(LIMIT - 2):
        attempt(client, "cms", staff, WRONG)
    attempt(client, "shop", staff, WRONG)  # the e-mail address
    attempt(client, "django-admin", staff, WRONG)

    assert_locked_page(attempt(client, "shop", staff, TEST_PASSWORD))
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"canbo"}


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS)
def test_after_axes_reset_username_the_right_password_works(client, staff, form):
    for _ in range(LIMIT):
        attempt(client, form, staff, WRONG)
    assert attempt(client, form, staff, TEST_PASSWORD).status_code == 429

    call_command("axes_reset_username", "canbo")

    assert logged_in(attempt(client, form, staff, TEST_PASSWORD))


@pytest.mark.django_db
def test_after_axes_reset_ip_the_address_may_try_again(client, staff):
    for n in range(PER_ADDRESS):
        attempt(client, "cms", UserFactory(username=f"ip{n}"), WRONG, address="10.5.0.1")
    assert attempt(client, "cms", staff, TEST_PASSWORD, address="10.5.0.1").status_code == 429

    call_command("axes_reset_ip", "10.5.0.1")

    assert logged_in(attempt(client, "cms", staff, TEST_PASSWORD, address="10.5.0.1"))


@pytest.mark.django_db
def test_a_right_password_gives_back_its_try(client, staff):
    for _ in range(LIMIT - 1):
        attempt(client, "cms", staff, WRONG)
    assert logged_in(attempt(client, "cms", staff, TEST_PASSWORD))

    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == LIMIT - 1


@pytest.mark.django_db
def test_passwords_are_not_kept_in_the_attempts(client, staff):
    attempt(client, "shop", staff, WRONG)
    attempt(client, "cms", staff, WRONG)

    for record in AccessAttempt.objects.all():
        assert WRONG not in record.post_data
        assert "canbo" not in record.post_data


@pytest.mark.django_db
def test_the_behind_proxy_address_is_counted(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(LIMIT):
        client.post(
            "/cms/login/",
            {"username": f"x{n}", "password": WRONG},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.django_db
def test_platform_admins_see_and_lift_lockouts_in_django_admin(client, staff):
    for _ in range(LIMIT):
        attempt(Client(), "cms", staff, WRONG)
    admin = UserFactory(username="quantri", is_staff=True)
    admin.groups.add(roles.role_group(roles.PLATFORM_ADMIN))
    client.force_login(admin)

    listing = client.get("/django-admin/axes/accessattempt/")
    attempt_pk = AccessAttempt.objects.get().pk
    deleted = client.post(f"/django-admin/axes/accessattempt/{attempt_pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert "canbo" in listing.content.decode()
    assert deleted.status_code == 302
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_other_staff_do_not_see_lockouts(client, staff):
    client.force_login(UserFactory(username="nhanvien", is_staff=True))

    assert client.get("/django-admin/axes/accessattempt/").status_code == 403


@pytest.fixture
def password_checks(monkeypatch):
    """How many times a password was actually checked, across threads."""
    checked = []
    lock = threading.Lock()
    original = AbstractBaseUser.check_password

    def check_password(self, raw_password):
        with lock:
            checked.append(raw_password)
        return original(self, raw_password)

    monkeypatch.setattr(AbstractBaseUser, "check_password", check_password)
    return checked


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", FORMS)
def test_a_parallel_burst_gets_no_more_tries_than_the_limit(make_storefront, password_checks, form):
    make_storefront()
    staff = UserFactory(username="canbo", email="canbo@example.vn", is_staff=True)

    # 20 guesses at once from 20 addresses: no more than the limit reach the password check.
    answers = burst(
        lambda n: attempt(Client(), form, staff, f"{WRONG}{n}", address=f"10.6.0.{n}").status_code, 20
    )

    assert len(password_checks) <= LIMIT
    assert answers.count(429) >= 20 - LIMIT
    assert attempt(Client(), form, staff, TEST_PASSWORD, address="10.6.1.1").status_code == 429


@pytest.mark.django_db(transaction=True)
def test_the_right_password_in_a_burst_does_not_open_more_tries(make_storefront, password_checks):
    make_storefront()
    staff = UserFactory(username="canbo", email="canbo@example.vn", is_staff=True)

    def guess(n):
        password = TEST_PASSWORD if n == 0 else f"{WRONG}{n}"
        return attempt(Client(), "cms", staff, password, address=f"10.6.2.{n}").status_code

    answers = burst(guess, 20)

    # The owner's right password may get in (if it came before the limit) and gives its try back;
    # the wrong guesses checked stay within the limit.
    assert len([password for password in password_checks if password != TEST_PASSWORD]) <= LIMIT
    assert answers.count(302) <= 1


@pytest.mark.django_db(transaction=True)
def test_a_parallel_burst_from_one_address_at_many_accounts_is_held_to_its_limit(
    make_storefront, password_checks
):
    make_storefront()
    users = [UserFactory(username=f"b{n}") for n in range(30)]

    answers = burst(lambda n: attempt(Client(), "cms", users[n], WRONG, address="10.7.0.1").status_code, 30)

    assert len(password_checks) <= PER_ADDRESS
    assert answers.count(429) >= 30 - PER_ADDRESS


@pytest.mark.django_db
def test_a_new_buyer_registers_and_is_logged_in(client, make_storefront):
    # Oscar's registration authenticates the new account without a request: axes lets it through.
    make_storefront()
    response = client.post(
        "/shop/accounts/login/",
        {
            "registration-email": "nguoimoi@example.vn",
            "registration-password1": "mot-mat-khau-dai-2026",
            "registration-password2": "mot-mat-khau-dai-2026",
            "registration_submit": "1",
        },
    )

    assert logged_in(response)
    assert not AccessAttempt.objects.exists()
