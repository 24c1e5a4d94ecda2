"""A household opens its stall with one product on a phone, on its commune's site: the taps and the
typed fields are counted by the page itself (every click, and every field that got input)."""

import json
import re

import pytest
from PIL import Image

from ground.messaging import LocmemMessageBackend
from tests.e2e.conftest import PHONE
from tests.factories import CommuneFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_TAPS = 25
MAX_FIELDS = 12

# Counted in the page, kept in the tab's sessionStorage across page loads.
COUNTER = """
addEventListener('click', () => {
  sessionStorage.taps = String(Number(sessionStorage.taps || 0) + 1);
}, true);
addEventListener('input', (event) => {
  const name = event.target && event.target.name;
  if (!name) return;
  const fields = JSON.parse(sessionStorage.fields || '[]');
  const key = location.pathname + '#' + name;
  if (!fields.includes(key)) { fields.push(key); sessionStorage.fields = JSON.stringify(fields); }
}, true);
"""


def latest_code(phone: str) -> str:
    texts = [message.text for message in LocmemMessageBackend.outbox if message.phone == phone]
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def type_into(page, label: str, text: str) -> None:
    """As a person does it: tap the field, then type."""
    field = page.get_by_label(label)
    field.click()
    field.fill(text)


def test_a_household_opens_a_stall_with_one_product_in_few_taps(
    browser, live_server, make_storefront, tmp_path, outbox
):
    commune = CommuneFactory(name="Xã Lục Ngạn", province_name="Bắc Ninh")
    make_storefront(title="Chợ OCOP xã Lục Ngạn", communes=[commune])
    photo = tmp_path / "vai.jpg"
    Image.new("RGB", (1200, 900), "#c0392b").save(photo, "JPEG")
    context = browser.new_context(locale="vi-VN", **PHONE)
    context.add_init_script(COUNTER)
    page = context.new_page()

    # sign up: number, name, the code from the text
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Bán hàng").click()
    page.get_by_role("link", name="Mở gian hàng").click()
    type_into(page, "Số điện thoại di động", "0912 345 678")
    type_into(page, "Họ tên của bạn", "Nguyễn Văn Thành")
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    type_into(page, "Mã 6 số trong tin nhắn", latest_code("+84912345678"))
    page.get_by_role("button", name="Tiếp tục").click()

    # the stall: straight to its form, the commune already chosen on the commune's site
    assert page.get_by_label("Xã").input_value() == str(commune.pk)
    type_into(page, "Tên gian hàng", "Vườn vải nhà ông Thành")
    type_into(page, "thôn, ấp", "Thôn Kép 2")
    page.get_by_role("button", name="Lưu").click()
    assert "Doanh thu" not in page.content()

    # one product, its price typed the short way, with a photo
    page.get_by_role("link", name="Thêm sản phẩm").first.click()
    type_into(page, "Tên sản phẩm", "Vải thiều nhà ông Thành")
    type_into(page, "Giá (đồng)", "65k")
    type_into(page, "Số lượng đang có", "50")
    with page.expect_file_chooser() as chooser:
        page.get_by_label("Ảnh").click()
    chooser.value.set_files(photo)
    page.get_by_role("button", name="Lưu sản phẩm").click()
    assert "Đã lưu “Vải thiều nhà ông Thành”" in page.content()
    assert "65.000 ₫" in page.content()

    # send it to the commune
    page.get_by_role("button", name="Gửi xã duyệt").click()
    assert "Chờ xã duyệt" in page.locator(".status").inner_text()

    taps = int(page.evaluate("sessionStorage.taps"))
    fields = json.loads(page.evaluate("sessionStorage.fields"))
    assert taps <= MAX_TAPS, f"{taps} taps"
    assert len(fields) <= MAX_FIELDS, fields
    context.close()
