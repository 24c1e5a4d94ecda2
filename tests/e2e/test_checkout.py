"""A guest on a phone buys from two stalls in one checkout, pays one by VietQR and one in cash, and
tracks both orders with the order number and the phone number."""

import pytest
import zxingcpp
from oscar.core.loading import get_model
from PIL import Image

from marketplace.demo import demo_seed
from marketplace.payments import vietqr
from marketplace.payments.models import OrderPayment
from tests.e2e.conftest import assert_accessible

Product = get_model("catalogue", "Product")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def add_to_basket(page, base: str, sku: str, quantity: str) -> None:
    page.goto(base + Product.objects.get(upc=sku).get_absolute_url())
    page.get_by_label("Số lượng").fill(quantity)
    page.get_by_role("button", name="Thêm vào giỏ").click()


def test_a_guest_buys_from_two_stalls_pays_by_vietqr_and_cash_and_tracks_both(phone, live_server, tmp_path):
    demo_seed(with_images=False)
    base = live_server.url

    add_to_basket(phone, base, "LNX-VAI", "2")  # HTX Nông sản Lục Ngạn Xanh
    add_to_basket(phone, base, "HTL-CAM", "1")  # Cam bưởi cô Lan
    phone.get_by_role("link", name="Giỏ hàng").click()
    assert phone.locator("#by-stall ~ .stall-order, .stall-order").count() == 2
    phone.get_by_role("link", name="Đặt hàng").click()

    phone.get_by_label("Họ và tên").fill("Trần Thị Mai")
    phone.get_by_label("Số điện thoại di động").fill("0912 345 678")
    phone.get_by_label("Tỉnh").select_option(label="Bắc Ninh")
    phone.get_by_label("Xã hoặc phường").select_option(label="Xã Lục Ngạn")  # the list followed the province
    phone.get_by_label("Số nhà, đường, thôn").fill("Thôn Kép 1")
    stalls = phone.locator(".stall-order")
    stalls.filter(has_text="HTX Nông sản Lục Ngạn Xanh").get_by_label("Chuyển khoản (VietQR)").check()
    stalls.filter(has_text="Cam bưởi cô Lan").get_by_label("Trả tiền mặt khi nhận hàng").check()
    assert_accessible(phone, "checkout")
    phone.get_by_role("button", name="Đặt hàng", exact=True).click()

    assert "Cảm ơn bạn! Đơn hàng đã được đặt." in phone.locator("h1").inner_text()
    payments = {p.method: p for p in OrderPayment.objects.select_related("order")}
    transfer, cash = payments["vietqr"], payments["cod"]
    # the QR on the screen scans to a transfer of the exact amount to the cooperative's own account
    phone.locator(".vietqr .qr").screenshot(path=tmp_path / "qr.png")
    decoded = zxingcpp.read_barcodes(Image.open(tmp_path / "qr.png"))[0].text
    assert vietqr.parse_payload(decoded)["amount"] == transfer.amount
    assert f"Trả {cash.amount:,} ₫".replace(",", ".") in phone.locator("main").inner_text()
    assert_accessible(phone, "thank you")

    for order in (transfer.order, cash.order):
        phone.goto(f"{base}/shop/track/")
        phone.get_by_label("Số đơn hàng").fill(order.number)
        phone.get_by_label("Số điện thoại đã dùng khi đặt hàng").fill("0912345678")
        phone.get_by_role("button", name="Xem đơn của tôi").click()
        text = phone.locator("main").inner_text()
        assert transfer.order.number in text and cash.order.number in text
        assert "Đã đặt hàng" in text
    assert_accessible(phone, "tracking")
