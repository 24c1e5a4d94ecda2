"""Issue #17 in Chromium at 360 px: a guest buys through the real checkout, the stall delivers,
the buyer signs in by phone on another browser (the code from the text), finds the order under
"Đơn hàng của tôi", reviews the product and the stall with a photo (the rating then shows on the
product card in search), and taps "Mua lại"; the next checkout starts from the address typed
the first time. Screenshots in /tmp/shots17/buyers/."""

import io
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image
from playwright.sync_api import expect

from marketplace.buyers.services import buyer_account
from marketplace.demo_orders import buy
from marketplace.orders.actions import stall_order_advance
from marketplace.payments.models import Checkout, OrderPayment
from tests.conftest import last_code
from tests.e2e.conftest import PHONE, assert_accessible
from tests.factories import CommuneFactory, make_product, seller_with_stall

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SMALL = {**PHONE, "viewport": {"width": 360, "height": 740}}
SHOTS = Path("/tmp/shots17/buyers")  # noqa: S108 (screenshots to look at, nothing read back)
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (190, 40, 50)).save(buffer, "JPEG")
    return buffer.getvalue()


def shot(page, name: str) -> None:
    assert page.evaluate(SIDEWAYS) <= 0, f"{name} scrolls sideways at 360 px"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_guest_buys_then_signs_in_by_phone_finds_the_order_and_buys_again(
    browser, live_server, make_storefront, outbox
):
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    seller, farm = seller_with_stall(commune=commune, partner__name="Vườn vải bác Tư")
    lychee = make_product(stall=farm, title="Vải thiều Lục Ngạn", price=65000, stock=40)
    make_storefront(communes=[commune])
    base = live_server.url

    # A guest buys on their phone, through the real checkout pages.
    guest = browser.new_context(locale="vi-VN", **SMALL)
    page = guest.new_page()
    page.goto(base + lychee.get_absolute_url())
    page.get_by_role("button", name="Thêm vào giỏ").click()
    page.goto(base + "/shop/checkout/")
    page.get_by_label("Họ và tên").fill("Trần Thị Mai")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Tỉnh").select_option("24")
    expect(page.locator('#id_commune option[value="7582"]')).to_have_count(1)
    page.get_by_label("Xã hoặc phường").select_option("7582")
    page.get_by_label("Số nhà, đường, thôn").fill("Thôn Kép 1")
    page.get_by_role("button", name="Đặt hàng", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Cảm ơn")
    guest.close()

    # The stall delivers.
    payment = OrderPayment.objects.select_related("order").get()
    for step in ("confirm", "ship", "deliver"):
        stall_order_advance(stall=farm, order=payment.order, action=step, actor=seller)

    # The buyer, on another browser, signs in with the code texted to the phone.
    context = browser.new_context(locale="vi-VN", **SMALL)
    page = context.new_page()
    page.goto(base + "/shop/track/")
    page.get_by_role(
        "link", name="Đăng nhập bằng số điện thoại để xem mọi đơn hàng, đánh giá hoặc khiếu nại"
    ).click()
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    shot(page, "1-sign-in-phone")
    assert_accessible(page, "phone sign-in")
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    page.get_by_label("Mã 6 số trong tin nhắn").fill(last_code(outbox, "+84912345678"))
    shot(page, "2-sign-in-code")
    page.get_by_role("button", name="Tiếp tục").click()

    # "Đơn hàng của tôi" from the menu: the guest order is there, delivered.
    page.goto(base + "/")
    page.locator(".site-menu > summary").click()
    my_orders = page.get_by_role("link", name="Đơn hàng của tôi")
    assert my_orders.bounding_box()["height"] >= 44  # a thumb's tap
    shot(page, "3-menu")
    my_orders.click()
    order = page.locator(".buyer-order").filter(has_text=payment.order.number)
    expect(order).to_contain_text("Vườn vải bác Tư")
    expect(order).to_contain_text("1 × Vải thiều Lục Ngạn")
    expect(order.locator(".order-step")).to_have_text("Đã giao")
    shot(page, "4-my-orders")
    assert_accessible(page, "my orders")

    order.get_by_role("link", name="Xem đơn hàng").click()
    expect(page.locator(".timeline").first).to_contain_text("Đã giao")
    shot(page, "5-order-page")

    # The buyer rates the product and the stall, with a photo from the phone.
    page.get_by_role("link", name="Đánh giá Vải thiều Lục Ngạn").click()
    page.locator("label[for=id_stars-4]").click()
    page.locator("label[for=id_stall_stars-5]").click()
    page.get_by_label("Kể cho người mua khác (không bắt buộc)").fill("Vải ngọt, bác Tư gói rất cẩn thận.")
    page.get_by_label("Ảnh (không bắt buộc, tối đa 3 ảnh)").set_input_files(
        {"name": "vai.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator(".after-sale").first).to_contain_text("Cảm ơn bạn đã đánh giá.")
    # The rating shows on the product card, in search.
    page.goto(base + "/search/?q=vai+thieu")
    card = page.locator("article.card", has_text="Vải thiều Lục Ngạn")
    expect(card.locator(".rating")).to_contain_text("4,0")
    expect(card).to_contain_text("(1 đánh giá)")
    shot(page, "5b-search-card-rated")
    page.goto(f"{base}/khach/don-hang/{payment.checkout.reference}/")

    # "Mua lại": the product is in the basket, and the checkout starts from the first address.
    page.get_by_role("button", name=f"Mua lại (đơn {payment.order.number})").click()
    expect(page).to_have_url(base + "/shop/basket/")
    expect(page.locator("main")).to_contain_text("Vải thiều Lục Ngạn")
    shot(page, "6-basket-after-buy-again")
    page.goto(base + "/shop/checkout/")
    assert page.get_by_label("Họ và tên").input_value() == "Trần Thị Mai"
    assert page.get_by_label("Số nhà, đường, thôn").input_value() == "Thôn Kép 1"
    assert page.get_by_label("Xã hoặc phường").input_value() == "7582"
    shot(page, "7-checkout-remembers")
    context.close()


def test_one_tap_on_a_past_address_fills_the_checkout(browser, live_server, make_storefront):
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    _seller, farm = seller_with_stall(commune=commune)
    lychee = make_product(stall=farm, title="Vải thiều Lục Ngạn", price=65000, stock=40)
    make_storefront(communes=[commune])
    for name, address in (("Trần Thị Mai", "Thôn Kép 1"), ("Nguyễn Văn Bình", "Số 5 phố Chợ")):
        (payment,) = buy([(lychee, 1)], phone="0912 345 678", name=name, until=None)
        Checkout.objects.filter(pk=payment.checkout_id).update(address=address, commune_code=7582)
    client = Client()
    client.force_login(buyer_account(phone="+84912345678"))
    client.post(f"/shop/basket/add/{lychee.pk}/", {"product_id": lychee.pk, "quantity": 1})
    context = browser.new_context(locale="vi-VN", **SMALL)
    context.add_cookies(
        [
            {"name": name, "value": morsel.value, "url": live_server.url}
            for name, morsel in client.cookies.items()
        ]
    )
    page = context.new_page()

    page.goto(live_server.url + "/shop/checkout/")
    assert page.get_by_label("Số nhà, đường, thôn").input_value() == "Số 5 phố Chợ"  # the last one
    assert page.get_by_role("button", name="Dùng địa chỉ này").is_hidden()  # JavaScript fills at once
    shot(page, "8-checkout-past-addresses")
    with page.expect_navigation():
        page.get_by_label("Trần Thị Mai", exact=False).check()

    assert page.get_by_label("Họ và tên").input_value() == "Trần Thị Mai"
    assert page.get_by_label("Số nhà, đường, thôn").input_value() == "Thôn Kép 1"
    assert page.get_by_label("Xã hoặc phường").input_value() == "7582"
    context.close()
