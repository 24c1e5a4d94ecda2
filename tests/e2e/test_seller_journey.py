"""A farm household opens a stall from a phone; the commune verifies; buyers see the product."""

import re

import pytest
from PIL import Image

from ground.messaging import LocmemMessageBackend
from sellers.models import StallPage
from tests.e2e.conftest import PHONE, assert_accessible
from tests.factories import TEST_PASSWORD, CommuneFactory, commune_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def latest_code(phone: str) -> str:
    texts = [message.text for message in LocmemMessageBackend.outbox if message.phone == phone]
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def photo_file(tmp_path):
    path = tmp_path / "vai-thieu.jpg"
    Image.new("RGB", (1600, 1200), "#c0392b").save(path, "JPEG")
    return path


def test_household_opens_a_stall_lists_a_product_and_goes_live(
    browser, live_server, make_storefront, tmp_path, outbox
):

    commune = CommuneFactory(name="Xã Lục Ngạn", province_name="Bắc Ninh")
    make_storefront(title="Chợ OCOP xã Lục Ngạn", communes=[commune])
    staff = commune_member(commune=commune, role="commune_staff")
    staff.email = "canbo@example.vn"
    staff.save()

    household = browser.new_context(locale="vi-VN", **PHONE)
    page = household.new_page()
    taps = 0

    # 1. sign up with a phone number and the code from the text message
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Bán hàng").click()
    page.get_by_role("link", name="Mở gian hàng").click()
    assert_accessible(page, "sign-up")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Họ tên của bạn").fill("Nguyễn Văn Thành")
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    page.get_by_label("Mã 6 số trong tin nhắn").fill(latest_code("+84912345678"))
    page.get_by_role("button", name="Tiếp tục").click()
    taps += 7

    # 2. the stall (a new seller lands on the stall form straight after signing up)
    assert_accessible(page, "stall form")
    page.get_by_label("Tên gian hàng").fill("Vườn vải nhà ông Thành")
    page.get_by_label("Xã").select_option(label=str(commune))
    page.get_by_label("thôn, ấp").fill("Thôn Kép 2")
    page.get_by_label("câu chuyện").fill("Ba đời trồng vải trên đồi Kép.")
    page.get_by_role("button", name="Lưu").click()
    taps += 5

    # 3. a product with a photo
    assert_accessible(page, "stall dashboard")
    page.get_by_role("link", name="Thêm sản phẩm").click()
    assert_accessible(page, "product form")
    page.get_by_label("Tên sản phẩm").fill("Vải thiều nhà ông Thành")
    page.get_by_label("Giá (đồng)").fill("65.000")
    page.get_by_label("Số lượng đang có").fill("50")
    page.get_by_label("Ảnh").set_input_files(photo_file(tmp_path))
    page.get_by_role("button", name="Lưu sản phẩm").click()
    assert "Đã lưu “Vải thiều nhà ông Thành”" in page.content()
    taps += 6

    # 4. send it to the commune
    page.get_by_role("link", name="Vườn vải nhà ông Thành").click()
    page.get_by_role("button", name="Gửi xã duyệt").click()
    assert "Chờ xã duyệt" in page.locator(".status").inner_text()
    taps += 2
    assert taps <= 25

    # the product is not public yet
    buyer = browser.new_context(locale="vi-VN", **PHONE).new_page()
    buyer.goto(f"{live_server.url}/")
    assert "Vải thiều nhà ông Thành" not in buyer.content()

    # 5. commune staff verify it
    officer = browser.new_context(locale="vi-VN").new_page()
    officer.goto(f"{live_server.url}/shop/accounts/login/")
    officer.locator("#id_login-username").fill("canbo@example.vn")
    officer.locator("#id_login-password").fill(TEST_PASSWORD)
    officer.locator("button[name=login_submit]").click()
    officer.goto(f"{live_server.url}/ban-hang/xa/")
    assert_accessible(officer, "commune review")
    officer.get_by_role("button", name="Duyệt").click()
    assert "đã được duyệt" in officer.content()

    # 6. buyers see it on the commune home page and on the stall's page, with its photo
    buyer.goto(f"{live_server.url}/")
    card = buyer.locator(".card", has_text="Vải thiều nhà ông Thành")
    assert "65.000 ₫" in card.inner_text()
    assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0") is True
    stall_page = StallPage.objects.get(stall__partner__name="Vườn vải nhà ông Thành")
    buyer.goto(f"{live_server.url}{stall_page.url}")
    assert buyer.locator("h1").inner_text() == "Vườn vải nhà ông Thành"
    assert "Ba đời trồng vải trên đồi Kép." in buyer.content()
    assert "Vải thiều nhà ông Thành" in buyer.locator(".grid").inner_text()
    assert_accessible(buyer, "stall page")

    # and the household's dashboard says it is verified
    page.reload()
    assert "Đã duyệt" in page.locator(".status").inner_text()
    household.close()
