"""Issue #17 in Chromium on a 360 px phone: a complaint on a card order ends in a partial refund through
stripe-mock, and the buyer's timeline says so; a cash-on-delivery complaint ends in a refund the stall
records with a photo and the buyer confirms. Screenshots in /tmp/shots17/complaints/."""

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from marketplace.complaints.models import Complaint
from marketplace.demo_orders import buy
from marketplace.payments.buyers import order_link
from marketplace.payments.models import Refund
from tests.e2e.conftest import PHONE, assert_accessible
from tests.factories import CommuneFactory, make_product, seller_with_stall

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots17/complaints")  # noqa: S108 (screenshots to look at, nothing read back)
SIZE_360 = {**PHONE, "viewport": {"width": 360, "height": 740}}
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def farm(db):
    seller, stall = seller_with_stall(
        commune=CommuneFactory(), partner__name="Vườn vải ông Thành", phone="+84987654321"
    )
    return seller, stall, make_product(stall=stall, title="Vải thiều Lục Ngạn", price=50000)


def jpeg(path: Path) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 150), (180, 50, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate(SIDEWAYS) <= 0, f"{name} scrolls sideways"


def stall_page(browser, live_server, seller):
    client = Client()
    client.force_login(seller)
    context = browser.new_context(locale="vi-VN", **SIZE_360)
    host = urlsplit(live_server.url).hostname
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}]
    )
    return context, context.new_page()


def buyer_complains(browser, live_server, payment, tmp_path, name: str):
    context = browser.new_context(locale="vi-VN", **SIZE_360)
    page = context.new_page()
    page.goto(live_server.url + urlsplit(order_link(payment.checkout)).path)  # the texted link
    page.get_by_role("link", name="Khiếu nại / Báo lỗi đơn hàng").click()
    page.get_by_label("Hàng bị hỏng, dập").check()
    page.get_by_label("Kể cho gian hàng chuyện gì đã xảy ra").fill("Vải bị dập, chảy nước")
    page.get_by_label("Ảnh (tối đa 3 ảnh)").set_input_files(jpeg(tmp_path / "dap.jpg"))
    shot(page, f"{name}-1-buyer-form")
    assert_accessible(page, "the complaint form")
    page.get_by_role("button", name="Gửi khiếu nại").click()
    assert "Đã gửi khiếu nại" in page.locator(".messages").inner_text()
    assert "Đang chờ gian hàng trả lời" in page.locator(".complaints-box").inner_text()
    assert page.locator(".complaint-photos img").evaluate("img => img.naturalWidth") > 0  # served privately
    shot(page, f"{name}-2-buyer-sent")
    return context, page


def test_a_card_complaint_ends_in_a_partial_refund(browser, live_server, farm, stripe_mock, tmp_path):
    seller, stall, lychee = farm
    (payment,) = buy([(lychee, 2)], method="card")
    buyer_context, buyer = buyer_complains(browser, live_server, payment, tmp_path, "card")
    complaint = Complaint.objects.get()

    stall_context, page = stall_page(browser, live_server, seller)
    page.goto(f"{live_server.url}/ban-hang/gian-hang/{stall.pk}/khieu-nai/")
    page.get_by_role("link", name="Trả lời").click()
    assert page.get_by_label("Số tiền hoàn (đồng)").input_value() == "100000"
    page.get_by_label("Số tiền hoàn (đồng)").fill("30.000")
    shot(page, "card-3-stall-answer")
    assert_accessible(page, "the stall's answer")
    page.get_by_role("button", name="Hoàn tiền", exact=True).click()
    assert "Đã ghi nhận hoàn tiền" in page.locator(".messages").inner_text()
    stall_context.close()

    buyer.reload()
    box = buyer.locator(".complaints-box").inner_text()
    assert "Gian hàng đã trả lại 30.000 ₫ (một phần số tiền)" in box
    assert "Đã hoàn một phần" in buyer.locator("article.stall-order").inner_text()
    shot(buyer, "card-4-buyer-refunded")
    complaint.refresh_from_db()
    assert complaint.state == "refunded" and Refund.objects.get().stripe_id
    buyer_context.close()


def test_a_cash_complaint_ends_in_a_refund_the_buyer_confirms(browser, live_server, farm, tmp_path):
    seller, stall, lychee = farm
    (payment,) = buy([(lychee, 2)])
    buyer_context, buyer = buyer_complains(browser, live_server, payment, tmp_path, "cod")
    complaint = Complaint.objects.get()

    stall_context, page = stall_page(browser, live_server, seller)
    page.goto(f"{live_server.url}/ban-hang/gian-hang/{stall.pk}/khieu-nai/{complaint.pk}/")
    record = page.get_by_role("button", name="Tôi đã trả lại tiền: ghi nhận", exact=True)
    record.click()  # no photo yet: a clear message
    assert "Thêm ảnh biên lai" in page.locator(".has-error").inner_text()
    page.get_by_label("Ảnh biên lai chuyển khoản hoặc ảnh lúc trả tiền mặt").set_input_files(
        jpeg(tmp_path / "bien-lai.jpg")
    )
    record.click()
    assert "Đã ghi nhận hoàn tiền" in page.locator(".messages").inner_text()
    shot(page, "cod-3-stall-recorded")
    stall_context.close()

    buyer.reload()
    assert "chờ người mua xác nhận" in buyer.locator(".complaints-box").inner_text()
    shot(buyer, "cod-4-buyer-to-confirm")
    assert_accessible(buyer, "the buyer's order with its complaint")
    buyer.get_by_role("button", name="Tôi đã nhận 100.000 ₫ tiền hoàn").click()
    box = buyer.locator(".complaints-box").inner_text()
    assert "Người mua đã nhận 100.000 ₫ tiền hoàn" in box
    assert "Tôi đã nhận" not in box
    shot(buyer, "cod-5-buyer-confirmed")
    assert Refund.objects.get().status == "succeeded"
    buyer_context.close()


def test_the_commune_decides_a_declined_complaint(browser, live_server, farm, tmp_path):
    from sellers import roles
    from tests.factories import commune_member

    seller, stall, lychee = farm
    staff = commune_member(commune=stall.commune, role=roles.COMMUNE_STAFF)
    (payment,) = buy([(lychee, 1)])
    buyer_context, buyer = buyer_complains(browser, live_server, payment, tmp_path, "commune")
    complaint = Complaint.objects.get()

    stall_context, page = stall_page(browser, live_server, seller)
    page.goto(f"{live_server.url}/ban-hang/gian-hang/{stall.pk}/khieu-nai/{complaint.pk}/")
    page.get_by_text("Từ chối", exact=True).click()
    page.get_by_label("Vì sao bạn từ chối?").fill("Hàng giao đã đủ, quả còn tươi")
    page.get_by_role("button", name="Từ chối khiếu nại").click()
    shot(page, "commune-3-stall-declined")
    stall_context.close()

    buyer.reload()
    buyer.get_by_role("button", name="Nhờ xã giải quyết").click()
    assert "Đang chờ xã quyết định" in buyer.locator(".complaints-box").inner_text()

    staff_context, page = stall_page(browser, live_server, staff)
    page.goto(f"{live_server.url}/ban-hang/xa/khieu-nai/")
    shot(page, "commune-4-staff-list")
    page.get_by_role("link", name="Quyết định").click()
    page.get_by_label("Lý do quyết định").fill("Ảnh cho thấy quả bị dập")
    page.get_by_label("Ảnh biên lai chuyển khoản hoặc ảnh lúc trả tiền mặt").set_input_files(
        jpeg(tmp_path / "bien-lai.jpg")
    )
    shot(page, "commune-5-staff-decide")
    assert_accessible(page, "the commune's decision")
    page.get_by_role("button", name="Hoàn tiền", exact=True).click()
    assert "Đã ghi nhận quyết định" in page.locator(".messages").inner_text()
    staff_context.close()

    buyer.reload()
    assert "Xã báo đã trả lại 50.000 ₫" in buyer.locator(".complaints-box").inner_text()
    shot(buyer, "commune-6-buyer-decided")
    complaint.refresh_from_db()
    assert complaint.state == "decided"
    buyer_context.close()
