"""Issue #16 in Chromium on the smallest phone (320×568): the checkout's communes follow the province,
its errors are listed and focused at the top, and after it the VietQR block fits the screen with the
QR on the first screen and copy buttons that copy. Without JavaScript the same page still works.
The seller's order at 360×640: one next step, the buyer's number to tap, the address to the province."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.factories import CommuneFactory, StallFactory, UserFactory, make_product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SMALLEST = {**PHONE, "viewport": {"width": 320, "height": 568}}
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def shop(make_storefront):
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    coop = StallFactory(
        commune=commune,
        partner__name="HTX Nông sản Lục Ngạn Xanh",
        bank_bin="970436",
        bank_account_number="0011001234567",
        bank_account_name="HỢP TÁC XÃ NÔNG SẢN LỤC NGẠN XANH",
    )
    farm = StallFactory(commune=commune, partner__name="Cam bưởi cô Lan")
    products = [
        make_product(stall=coop, title="Vải thiều Lục Ngạn", price=65000),
        make_product(stall=farm, title="Cam sành", price=40000),
    ]
    make_storefront(communes=[commune])
    return coop, farm, products


@pytest.fixture
def small_phone(browser, live_server):
    context = browser.new_context(locale="vi-VN", **SMALLEST)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    yield context.new_page()
    context.close()


@pytest.fixture
def small_phone_without_js(browser):
    context = browser.new_context(locale="vi-VN", java_script_enabled=False, **SMALLEST)
    yield context.new_page()
    context.close()


def fill_basket(page, base: str, products) -> None:
    for product in products:
        page.goto(base + product.get_absolute_url())
        page.get_by_role("button", name="Thêm vào giỏ").click()


def test_checkout_and_vietqr_on_a_320px_phone(small_phone, live_server, shop):
    page, base = small_phone, live_server.url
    coop, farm, products = shop
    fill_basket(page, base, products)
    page.goto(base + "/shop/checkout/")
    commune = page.get_by_label("Xã hoặc phường")

    # the commune is not the shop's own; the list follows the province with no second button
    assert commune.input_value() == ""
    assert page.get_by_role("button", name="Hiện các xã của tỉnh này").is_hidden()
    page.get_by_label("Tỉnh").select_option("1")  # Hà Nội
    expect(page.locator('#id_commune option[value="7582"]')).to_have_count(0)
    page.get_by_label("Tỉnh").select_option("24")
    expect(page.locator('#id_commune option[value="7582"]')).to_have_count(1)
    assert page.evaluate(SIDEWAYS) <= 0

    # a mistake is listed at the top, focused, with a link that leads to the field
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_role("button", name="Đặt hàng", exact=True).click()
    summary = page.locator("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert summary.bounding_box()["y"] < 568
    summary.get_by_role("link", name="Họ và tên", exact=False).click()
    assert page.evaluate("document.activeElement.id") == "id_name"

    page.get_by_label("Họ và tên").fill("Trần Thị Mai")
    commune.select_option(label="Xã Lục Ngạn")
    page.get_by_label("Số nhà, đường, thôn").fill("Thôn Kép 1")
    stalls = page.locator(".stall-order")
    stalls.filter(has_text="HTX Nông sản Lục Ngạn Xanh").get_by_label("Chuyển khoản (VietQR)").check()
    page.get_by_role("button", name="Đặt hàng", exact=True).click()

    # the page after it: nothing sideways, the QR on the first screen, the copy buttons copy
    page.wait_for_selector(".vietqr .qr svg")
    assert page.evaluate(SIDEWAYS) <= 0
    assert page.locator(".vietqr .qr").bounding_box()["y"] < 568
    holder = page.get_by_text("HỢP TÁC XÃ NÔNG SẢN LỤC NGẠN XANH")
    assert holder.bounding_box()["x"] + holder.bounding_box()["width"] <= 320
    page.get_by_role("button", name="Sao chép số tài khoản").click()
    assert page.evaluate("navigator.clipboard.readText()") == "0011001234567"
    page.get_by_role("button", name="Sao chép số tiền").click()
    assert page.evaluate("navigator.clipboard.readText()") == "95000"  # 65.000 ₫ and the delivery
    assert page.locator(".vietqr .copied").inner_text().startswith("Đã sao chép")
    amount = page.locator(".vietqr .copy-text.price")
    assert amount.bounding_box()["height"] < 40  # "95.000 ₫" on one line


def test_without_javascript_the_province_button_and_plain_values_remain(
    small_phone_without_js, live_server, shop
):
    page, base = small_phone_without_js, live_server.url
    fill_basket(page, base, shop[2])
    page.goto(base + "/shop/checkout/")

    page.get_by_label("Tỉnh").select_option("1")
    page.get_by_role("button", name="Hiện các xã của tỉnh này").click()

    assert page.locator('#id_commune option[value="7582"]').count() == 0
    assert page.get_by_label("Tỉnh").input_value() == "1"
    assert page.locator("#error-summary").count() == 0


def test_the_sellers_order_on_a_360px_phone(browser, live_server, shop):
    coop, farm, products = shop
    seller = UserFactory()
    type(farm).objects.filter(pk=farm.pk).update(owner=seller)
    buyer = Client()
    buyer.post(f"/shop/basket/add/{products[1].pk}/", {"product_id": products[1].pk, "quantity": 1})
    buyer.post(
        "/shop/checkout/",
        {
            "name": "Trần Thị Mai",
            "phone": "0912345678",
            "delivery": "delivery",
            "province": "24",
            "commune": "7582",
            "address": "Thôn Kép 1",
            f"pay_{farm.pk}": "cod",
        },
    )
    signed_in = Client()
    signed_in.force_login(seller)
    host = urlsplit(live_server.url).hostname
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(locale="vi-VN", **{**PHONE, "viewport": {"width": 360, "height": 640}})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}]
    )
    page = context.new_page()

    page.goto(f"{live_server.url}/ban-hang/gian-hang/{farm.pk}/don-hang/")

    order = page.locator("article.order")
    assert [b.inner_text() for b in order.locator(".actions button").all()] == ["Xác nhận"]
    assert order.get_by_role("button", name="Hủy đơn này").is_hidden()  # folded until asked for
    call = order.get_by_role("link", name="0912 345 678")
    assert call.get_attribute("href") == "tel:0912345678" and call.bounding_box()["height"] >= 48
    assert "Thôn Kép 1, Xã Lục Ngạn, Bắc Ninh" in order.inner_text()
    assert page.evaluate(SIDEWAYS) <= 0
    context.close()
