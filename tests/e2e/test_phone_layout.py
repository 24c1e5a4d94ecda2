"""No page of the buyer, seller, commune and cooperative journeys scrolls sideways on a small phone
(360×640; the checkout and the VietQR page also at 320×568). A failure names the widest element, so
it says what to fix.

The demo data, a basket with a line, an order paid by VietQR and a stall waiting for the commune are
made once for the module (committed to the test database, flushed afterwards); each page is one test."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from oscar.core.loading import get_model
from pytest_django.live_server_helper import LiveServer

from marketplace import demo_data
from marketplace.demo import demo_seed
from marketplace.payments.models import OrderPayment
from sellers import services as seller_services
from sellers.models import PhoneAccount, Stall
from tests.e2e.conftest import PHONE
from tests.factories import UserFactory, make_product
from traceability.models import Stamp
from traceability.selectors import stamp_url_for

Product = get_model("catalogue", "Product")

# The mark makes pytest-django create the test database and run these tests among the transactional
# ones (each leaves the database empty); _django_db_marker below keeps it from emptying it after each.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BUYER_PHONE = "0912345678"
CHECKOUT_FORM = {
    "name": "Trần Thị Mai",
    "phone": BUYER_PHONE,
    "email": "mai@example.vn",
    "delivery": "delivery",
    "province": "24",  # Bắc Ninh
    "commune": str(demo_data.LUC_NGAN),
    "address": "Thôn Kép 1, đường tỉnh 290",
}
SMALL = {"width": 360, "height": 640}
SMALLEST = {"width": 320, "height": 568}

# The elements reaching past the right edge of the screen (those clipped by a scrolling or hidden
# ancestor inside the screen do not count), widest first, the most deeply nested first among equals.
WIDEST_ELEMENTS = """
(limit) => {
  const screen = document.documentElement.clientWidth;
  const label = (el, classes) => {
    const names = (typeof el.className === "string" ? el.className : "").split(/\\s+/).filter(Boolean);
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + names.slice(0, classes).map((c) => "." + c).join("");
  };
  const describe = (el) => {
    const parent = el.parentElement;
    const up = parent && parent !== document.body ? label(parent, 1) + " > " : "";
    const text = (el.innerText || el.value || el.getAttribute("alt") || "").replace(/\\s+/g, " ").trim();
    return up + label(el, 3) + (text ? ` "${text.slice(0, 50)}"` : "");
  };
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow !== "visible" && up.getBoundingClientRect().right <= screen + 0.5) return true;
    }
    return false;
  };
  const depth = (el) => { let n = 0; for (; el; el = el.parentElement) n++; return n; };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= screen + 0.5 || clipped(el)) continue;
    found.push({right: Math.round(box.right), width: Math.round(box.width), depth: depth(el), el});
  }
  found.sort((a, b) => b.right - a.right || b.depth - a.depth);
  return found.slice(0, limit).map(
    (f) => `${describe(f.el)} (right edge at ${f.right} px, ${f.width} px wide)`);
}
"""


def cookies_of(client: Client, base: str) -> list[dict]:
    return [{"name": name, "value": morsel.value, "url": base} for name, morsel in client.cookies.items()]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def basket_with_two_stalls() -> Client:
    client = Client()
    for sku, quantity in (("LNX-VAI", 2), ("HTL-CAM", 1)):
        product = Product.objects.get(upc=sku)
        client.post(f"/shop/basket/add/{product.pk}/", {"product_id": product.pk, "quantity": quantity})
    return client


def waiting_stall(commune) -> Stall:
    """A household's stall with two products, sent to the commune: what the commune reviews."""
    household = UserFactory(first_name="Hoàng Thị Hoa")
    PhoneAccount.objects.create(user=household, phone="+84987654321")
    stall = seller_services.stall_create(
        owner=household,
        actor=household,
        name="Vườn nhãn lồng nhà bà Hoàng Thị Hoa",
        commune=commune,
        phone="+84987654321",
        village="Thôn Đồng Cốc",
        story="Nhà tôi trồng nhãn lồng và vải thiều trên đồi đã ba đời, bón phân chuồng, không phun thuốc.",
    )
    make_product(stall=stall, title="Nhãn lồng Đồng Cốc loại một", price=55000, stock=80)
    make_product(stall=stall, title="Mật ong hoa vải nguyên chất", price=180000, stock=20)
    return seller_services.stall_submit(stall=stall, actor=household)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The live server and what every page needs, made once: {"base", "pages": {name: (url, cookies)}}."""
    media = tmp_path_factory.mktemp("phone-layout-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        server = LiveServer("localhost")
        base = server.url
        try:
            demo_seed(with_images=True)
            yield {"base": base, "pages": _pages(base)}
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def _pages(base: str) -> dict[str, tuple[str, list[dict]]]:
    users = get_user_model().objects
    seller = users.get(username=demo_data.SELLER_USER["username"])
    manager = users.get(username=demo_data.COOPERATIVE_MANAGER_USER["username"])
    commune_staff = users.get(username=demo_data.COMMUNE_STAFF_USER["username"])
    seller_stall = Stall.objects.get(slug=demo_data.SELLER_USER["stall"])
    coop = Stall.objects.get(slug=demo_data.COOPERATIVE_MANAGER_USER["stall"])
    waiting_stall(seller_stall.commune)

    basket = cookies_of(basket_with_two_stalls(), base)
    buyer = basket_with_two_stalls()
    data = {**CHECKOUT_FORM, f"pay_{coop.pk}": "vietqr"}
    for stall in Stall.objects.filter(partner__stockrecords__product__upc="HTL-CAM"):
        data[f"pay_{stall.pk}"] = "cod"
    placed = buyer.post("/shop/checkout/", data)
    assert placed.status_code == 302, f"the order is placed: {placed.content[:2000]}"
    ordered = cookies_of(buyer, base)
    transfer = OrderPayment.objects.select_related("order").filter(method="vietqr").latest("pk")

    stamp = Stamp.objects.select_related("lot__product", "run").filter(run__isnull=False).first()
    lot = stamp.lot
    as_seller = cookies_of(signed_in(seller), base)
    as_manager = cookies_of(signed_in(manager), base)
    lychee = Product.objects.get(upc="LNX-VAI")
    return {
        # the buyer
        "home": ("/", []),
        "category list": ("/shop/catalogue/", []),
        "search with a query": ("/search/?q=vai+thieu", []),
        "product page": (lychee.get_absolute_url(), []),
        "basket with a line": ("/shop/basket/", basket),
        "checkout address step": ("/shop/checkout/", basket),
        "VietQR payment page": (placed.url, ordered),
        "order tracking": (f"/shop/track/#{transfer.order.number}", []),
        "sign-in page": ("/shop/accounts/login/", []),
        # the household
        "seller sign-up by phone": ("/ban-hang/dang-ky/", []),
        "seller dashboard": (f"/ban-hang/gian-hang/{seller_stall.pk}/", as_seller),
        "stall opening form": ("/ban-hang/gian-hang/moi/", as_seller),
        "product form": (f"/ban-hang/gian-hang/{seller_stall.pk}/san-pham/moi/", as_seller),
        "seller's orders": (f"/ban-hang/gian-hang/{coop.pk}/don-hang/", as_manager),
        # the commune
        "commune review": ("/ban-hang/xa/", cookies_of(signed_in(commune_staff), base)),
        # the cooperative
        "trace desk": (f"/ban-hang/gian-hang/{coop.pk}/truy-xuat/", as_manager),
        "lot page": (f"/ban-hang/gian-hang/{coop.pk}/truy-xuat/lo/{lot.pk}/", as_manager),
        # a buyer scans the stamp
        "stamp trace page": (stamp_url_for(stamp).removeprefix(settings.STAMP_BASE_URL), []),
    }


@pytest.fixture
def _django_db_marker():
    """pytest-django's would flush the database after each test: the module's data stays until its end."""


@pytest.fixture
def _isolated_media():
    """The module's photos stay for all its tests (tests/conftest.py gives each test a fresh folder)."""
    yield


@pytest.fixture
def open_page(site, browser, django_db_blocker):
    """Opens one of the module's pages on a phone of the given size, signed in as its journey needs."""
    contexts = []

    def open_(name: str, viewport: dict):
        url, cookies = site["pages"][name]
        context = browser.new_context(locale="vi-VN", **{**PHONE, "viewport": viewport})
        contexts.append(context)
        if cookies:
            context.add_cookies(cookies)
        page = context.new_page()
        path, _, order_number = url.partition("#")
        response = page.goto(site["base"] + path)
        if name == "order tracking":  # the result of a lookup, with the order's timeline
            page.locator("input[name=number]").fill(order_number)
            page.locator("input[name=phone]").fill(BUYER_PHONE)
            with page.expect_navigation():
                page.locator("input[name=phone]").press("Enter")
            assert order_number in page.locator("main").inner_text(), "the tracking page found the order"
        else:
            assert response.ok, f"{name}: {response.status} at {url}"
        return page

    with django_db_blocker.unblock():  # the live server's thread reads the module's data
        yield open_
    for context in contexts:
        context.close()


def assert_no_sideways_scroll(page, name: str, viewport: dict) -> None:
    """The page is no wider than the screen. Measured against the screen's width, not innerWidth: a phone
    zooms out a page wider than the screen, and its innerWidth then grows to the page's width."""
    width = viewport["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width <= width:
        return
    culprits = "\n  ".join(page.evaluate(WIDEST_ELEMENTS, 3)) or "(no single element: margins or transforms)"
    pytest.fail(
        f"{name} at {width}×{viewport['height']} scrolls sideways: the page is {scroll_width} px wide."
        f" Widest elements:\n  {culprits}",
        pytrace=False,
    )


PAGES = [
    "home",
    "category list",
    "search with a query",
    "product page",
    "basket with a line",
    "checkout address step",
    "VietQR payment page",
    "order tracking",
    "sign-in page",
    "seller sign-up by phone",
    "seller dashboard",
    "stall opening form",
    "product form",
    "seller's orders",
    "commune review",
    "trace desk",
    "lot page",
    "stamp trace page",
]


@pytest.mark.parametrize("name", PAGES)
def test_the_page_does_not_scroll_sideways_at_360_px(open_page, name):
    page = open_page(name, SMALL)
    assert_no_sideways_scroll(page, name, SMALL)


@pytest.mark.parametrize("name", ["checkout address step", "VietQR payment page"])
def test_paying_does_not_scroll_sideways_at_320_px(open_page, name):
    page = open_page(name, SMALLEST)
    assert_no_sideways_scroll(page, name, SMALLEST)
