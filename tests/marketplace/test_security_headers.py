"""Security headers: the Content-Security-Policy of every environment (no inline script without the
response's nonce), the back office's own policy, Permissions-Policy, and the production settings
(HTTPS only, HSTS, referrer, frames) that Django's deploy check passes without a warning."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.factories import CommuneFactory, StallFactory, UserFactory, make_product, place_order

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
CHECKOUT = {
    "name": "Trần Thị Mai",
    "phone": "0912 345 678",
    "delivery": "delivery",
    "province": "24",
    "commune": "7582",
    "address": "Thôn Kép 1",
}


class Tags(HTMLParser):
    """Every <script>'s attributes, and every element's attributes that run or style inline."""

    def __init__(self):
        super().__init__()
        self.scripts, self.inline = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        self.inline += [f"<{tag} {name}=...>" for name in attrs if name == "style" or name.startswith("on")]


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_no_inline_code_but_nonced(response) -> dict[str, list[str]]:
    """The page's policy has a nonce and no 'unsafe-inline' for scripts; every <script> on the page is
    a file or carries that nonce; no element has an inline handler or style."""
    assert response.status_code == 200
    csp = policy(response)
    nonces = [source for source in csp["script-src"] if source.startswith("'nonce-")]
    assert len(nonces) == 1, csp["script-src"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["style-src"] == ["'self'"]
    tags = Tags()
    tags.feed(response.content.decode())
    assert tags.scripts, "the page has its scripts"
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    for script in tags.scripts:
        assert script.get("src") or script.get("nonce") == nonce, script
        assert script.get("nonce") in (None, nonce), script
    assert tags.inline == []
    return csp


@pytest.fixture
def shop(make_storefront):
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    stall = StallFactory(commune=commune, partner__name="HTX Lục Ngạn Xanh")
    lychee = make_product(stall=stall, title="Vải thiều Lục Ngạn", price=65000, stock=10)
    make_storefront(communes=[commune])
    return stall, lychee


def thank_you_page(client, stall, product):
    client.post(f"/shop/basket/add/{product.pk}/", {"product_id": product.pk, "quantity": 2})
    placed = client.post("/shop/checkout/", {**CHECKOUT, f"pay_{stall.pk}": "cod"})
    assert placed.status_code == 302
    return client.get(placed.url)


def test_a_storefront_page_runs_only_its_own_scripts(client, shop, settings):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_123"

    response = client.get("/")

    csp = assert_no_inline_code_but_nonced(response)
    assert csp["connect-src"] == ["'self'"]
    assert not any("stripe" in source for sources in csp.values() for source in sources)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


def test_a_product_page_and_the_basket_too(client, shop):
    stall, lychee = shop
    assert_no_inline_code_but_nonced(client.get(lychee.get_absolute_url()))
    client.post(f"/shop/basket/add/{lychee.pk}/", {"product_id": lychee.pk, "quantity": 1})
    assert_no_inline_code_but_nonced(client.get("/shop/basket/"))
    assert_no_inline_code_but_nonced(client.get("/shop/checkout/"))


def test_the_thank_you_page_without_stripe(client, shop):
    response = thank_you_page(client, *shop)

    csp = assert_no_inline_code_but_nonced(response)
    assert "js.stripe.com" not in response.content.decode()
    assert not any("stripe" in source for sources in csp.values() for source in sources)


def test_the_thank_you_page_lets_stripes_payment_element_in(client, shop, settings):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_123"

    response = thank_you_page(client, *shop)

    csp = assert_no_inline_code_but_nonced(response)
    html = response.content.decode()
    assert '<script src="https://js.stripe.com/v3/"' in html and 'Stripe("pk_test_123"' in html
    assert "https://js.stripe.com" in csp["script-src"]
    assert "https://js.stripe.com" in csp["frame-src"] and "https://hooks.stripe.com" in csp["frame-src"]
    assert csp["connect-src"] == ["'self'", "https://api.stripe.com"]


def test_the_stall_orders_page_speaks_with_a_nonce(client, make_storefront):
    seller = UserFactory()
    stall = StallFactory(owner=seller)
    stall.partner.users.add(seller)
    place_order((make_product(stall=stall, title="Vải thiều Lục Ngạn"), 2))
    make_storefront(communes=[stall.commune])
    client.force_login(seller)

    response = client.get(f"/ban-hang/gian-hang/{stall.pk}/don-hang/")

    assert_no_inline_code_but_nonced(response)
    assert "speechSynthesis" in response.content.decode()


def test_the_back_office_has_its_own_policy(client, make_storefront):
    make_storefront()
    client.force_login(UserFactory(staff=True))

    for url in ("/cms/", "/django-admin/", "/shop/dashboard/"):
        response = client.get(url)

        assert response.status_code == 200, url
        csp = policy(response)
        assert csp["script-src"] == ["'self'", "'unsafe-inline'"], url  # a nonce would void 'unsafe-inline'
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'self'"], url


def production_env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "STRIPE_"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),  # throwaway values: production.py refuses to start without
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/never",  # never connected to
        "ALLOWED_HOSTS": "cho-ocop.example",
    }


def run_with_production_settings(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, *args]
    env = production_env()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert done.returncode == 0, done.stdout + done.stderr
    return done


PRODUCTION_NAMES = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "DATA_UPLOAD_MAX_NUMBER_FIELDS",
    "CONTENT_SECURITY_POLICY",
]
PRINT_SETTINGS = (
    "import json, sys, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({name: getattr(settings, name) for name in sys.argv[1:]}, default=str))"
)


def test_production_settings_are_https_only_with_a_year_of_hsts():
    done = run_with_production_settings("-c", PRINT_SETTINGS, *PRODUCTION_NAMES)

    production = json.loads(done.stdout.strip().splitlines()[-1])
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and production["SECURE_HSTS_PRELOAD"] is False
    assert production["SECURE_REFERRER_POLICY"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert production["X_FRAME_OPTIONS"] == "DENY"
    cookies = (
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
    )
    assert all(production[name] is True for name in cookies)
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["upgrade-insecure-requests"] is True
    assert 0 < production["DATA_UPLOAD_MAX_MEMORY_SIZE"] <= 5 * 1024 * 1024
    assert 0 < production["DATA_UPLOAD_MAX_NUMBER_FIELDS"] <= 1000


def test_production_settings_pass_the_deploy_check_without_a_warning():
    done = run_with_production_settings("manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


def test_wagtails_preview_panel_may_frame_the_page_it_renders(make_storefront):
    home = make_storefront()

    response = home.make_preview_request()  # what the preview panel's frame gets, through the middleware

    csp = policy(response)
    assert csp["frame-ancestors"] == ["'self'"]
    assert any(source.startswith("'nonce-") for source in csp["script-src"])
