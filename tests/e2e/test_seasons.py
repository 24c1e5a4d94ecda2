"""Issue #19 in Chromium on a 360 px phone: a buyer pre-orders Lục Ngạn lychee from the commune's campaign
page with a 30 % VietQR deposit, the bank's notice of the deposit arrives, another buyer takes the last
kilograms so the window fills and the campaign page says so, the cooperative starts picking and prints
the pick list, and the first buyer tracks the pre-order. Screenshots in /tmp/shots19/ (or $SHOTS19)."""

import json
import os
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from marketplace.payments.models import OrderPayment
from marketplace.payments.services import bank_signature
from seasons.models import PreOrder, SaleWindow
from sellers.models import Stall
from tests.campaigns.conftest import campaign, text
from tests.e2e.conftest import PHONE, assert_accessible
from tests.factories import CommuneFactory, make_product, make_window, seller_with_stall

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS19", "/tmp/shots19"))  # noqa: S108 (screenshots to look at)
SIZE_360 = {**PHONE, "viewport": {"width": 360, "height": 740}}
SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def season(make_storefront, settings):
    """Xã Lục Ngạn's site with the campaign page; the verified cooperative's window: 20 kg of lychee at
    60.000 ₫, 30 % deposit, delivery 20.000 ₫, harvest 05/06–20/07/2027."""
    settings.BANK_WEBHOOK_SECRET = "bank-test-secret"
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    home = make_storefront(title="Chợ OCOP xã Lục Ngạn", communes=[commune])
    owner, coop = seller_with_stall(
        commune=commune,
        kind=Stall.Kind.COOPERATIVE,
        village="Thôn Kép 1",
        partner__name="HTX Nông sản Lục Ngạn Xanh",
        bank_bin="970436",
        bank_account_number="0011001234567",
        bank_account_name="HTX NONG SAN LUC NGAN XANH",
        delivery_fee=20000,
    )
    lychee = make_product(stall=coop, title="Vải thiều Lục Ngạn", price=80000, stock=0, unit="kg")
    window = make_window(
        stall=coop,
        product=lychee,
        capacity=20,
        price=60000,
        deposit_percent=30,
        harvest_from=date(2027, 6, 5),
        harvest_to=date(2027, 7, 20),
    )
    page = campaign(
        home,
        [
            text("<p>Vải chín cây, hái buổi sáng.</p>"),
            ("windows", {"heading": "Đặt trước vải", "products": []}),
        ],
        slug="mua-vai-thieu-2027",
    )
    return owner, coop, window, page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate(SIDEWAYS) <= 0, f"{name} scrolls sideways"


def bank_notice(payment, *, amount: int) -> int:
    content = f"{payment.order.number} {payment.checkout.reference}"
    body = json.dumps({"id": "FT-19", "account": "0011001234567", "amount": amount, "content": content})
    return (
        Client()
        .post(
            "/shop/checkout/webhook/ngan-hang/",
            body.encode(),
            content_type="application/json",
            HTTP_X_SIGNATURE=bank_signature(body.encode()),
        )
        .status_code
    )


def test_a_lychee_pre_order_from_the_campaign_page_to_the_pick_list_and_tracking(
    browser, live_server, season
):
    owner, coop, window, campaign_page = season
    base = live_server.url
    context = browser.new_context(locale="vi-VN", **SIZE_360)
    page = context.new_page()

    # the campaign page: the window's card with what is left, the deposit and one big button
    page.goto(base + campaign_page.url)
    assert page.locator("h1").inner_text() == "Mùa vải thiều Lục Ngạn 2027"
    card = page.locator(".sale-window")
    assert "Còn 20 kg" in card.inner_text() and "60.000 ₫" in card.inner_text()
    assert "30 %" in card.inner_text().replace("\xa0", " ")
    button = card.get_by_role("button", name="Đặt trước")
    assert button.bounding_box()["height"] >= 44
    shot(page, "1-campaign")
    assert_accessible(page, "the campaign page")

    page.get_by_role("link", name="Đặt trước ngay").click()  # the jump from the top to the first card
    assert 0 <= card.bounding_box()["y"] < 740
    card.get_by_label("Đặt trước bao nhiêu (kg)").fill("12")
    button.click()

    # the checkout: the pre-order's dates, the deposit chosen by default, VietQR
    page.wait_for_url("**/shop/checkout/")
    assert "Đặt trước · giao dự kiến 05/06–20/07/2027" in page.locator("main").inner_text()
    page.get_by_label("Họ và tên").fill("Trần Thị Mai")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Tỉnh").select_option("24")
    page.get_by_label("Xã hoặc phường").select_option(label="Xã Lục Ngạn")
    page.get_by_label("Số nhà, đường, thôn").fill("Thôn Kép 1")
    page.get_by_label("Chuyển khoản (VietQR)").check()
    deposit = page.get_by_label("Đặt cọc 216.000 ₫ bây giờ, còn 524.000 ₫ trả khi nhận hàng")
    assert deposit.is_checked()  # 30 % of 12 × 60.000 ₫; the rest and the 20.000 ₫ delivery later
    shot(page, "2-checkout")
    assert_accessible(page, "the checkout")
    page.get_by_role("button", name="Đặt hàng", exact=True).click()

    # after it: the QR asks for the deposit only
    page.wait_for_selector(".vietqr .qr svg")
    assert page.locator(".vietqr .pay-now").inner_text().replace("\xa0", " ") == "Chuyển tiền cọc 216.000 ₫"
    assert "Còn 524.000 ₫ trả khi nhận hàng." in page.locator(".preorder-info").inner_text()
    shot(page, "3-after-checkout")
    payment = OrderPayment.objects.select_related("order", "checkout").get()
    assert (payment.amount, payment.deposit) == (740000, 216000)

    # the bank's notice of the deposit: the page says it is paid, no more QR
    assert bank_notice(payment, amount=216000) == 200
    page.reload()
    assert "Đã đặt cọc 216.000 ₫. Trả nốt 524.000 ₫ khi nhận hàng." in page.locator("main").inner_text()
    assert page.locator(".vietqr").count() == 0
    shot(page, "4-deposit-paid")

    # another buyer takes the last 8 kg: the window is full, the campaign page has no button left
    other = Client()
    assert other.post(f"/dat-truoc/{window.pk}/", {"quantity": "8"}).status_code == 302
    placed = other.post(
        "/shop/checkout/",
        {
            "name": "Phạm Văn Long",
            "phone": "0987 654 321",
            "delivery": "delivery",
            "province": "24",
            "commune": "7582",
            "address": "Thôn Chũ",
            f"pay_{coop.pk}": "cod",
        },
    )
    assert placed.status_code == 302
    window.refresh_from_db()
    assert (window.reserved, window.state, window.closed_because) == (20, "closed", "full")
    page.goto(base + campaign_page.url)
    # (a full window stays on the campaign page, saying the whole harvest is ordered, with no button)
    assert page.locator(".sale-window").count() == 1
    assert "Đã hết" in page.locator(".sale-window").inner_text()
    assert page.get_by_role("button", name="Đặt trước").count() == 0
    shot(page, "5-campaign-full")

    # the cooperative's seller: the window, start picking, the pick list by village, printable
    signed_in = Client()
    signed_in.force_login(owner)
    seller_context = browser.new_context(locale="vi-VN", **SIZE_360)
    seller_context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": signed_in.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": urlsplit(base).hostname,
                "path": "/",
            }
        ]
    )
    seller = seller_context.new_page()
    seller.goto(f"{base}/ban-hang/gian-hang/{coop.pk}/mua-vu/")
    shot(seller, "6-windows")
    # a mistaken new window: every mistake listed at the top, each beside its field, nothing saved
    seller.get_by_role("link", name="Mở đợt đặt trước").click()
    seller.locator("select[name=product]").select_option(label="Vải thiều Lục Ngạn (kg)")
    seller.get_by_label("Mở đặt trước từ ngày").fill("2027-05-10")
    seller.get_by_label("Đóng đặt trước vào ngày").fill("2027-05-01")
    for label, value in (("Số lượng bán", "0"), ("Giá mỗi đơn vị (đồng)", "55.000"), ("Đặt cọc (%)", "150")):
        seller.get_by_label(label).fill(value)
    seller.get_by_role("button", name="Lưu đợt đặt trước").click()
    summary = seller.locator("#error-summary")
    assert summary.bounding_box()["y"] < 740
    for message in (
        "Ngày đóng đặt trước phải bằng hoặc sau ngày mở.",
        "Số lượng bán phải ít nhất là 1.",
        "Tiền đặt cọc là phần trăm, từ 0 đến 100.",
    ):
        assert message in summary.inner_text() and seller.get_by_text(message).count() == 2
    shot(seller, "6b-window-mistakes")
    assert SaleWindow.objects.count() == 1
    seller.goto(f"{base}/ban-hang/gian-hang/{coop.pk}/mua-vu/")
    seller.get_by_role("link", name="Vải thiều Lục Ngạn").first.click()
    assert "20 / 20 kg" in seller.locator(".window-filled").inner_text()
    shot(seller, "7-window")
    seller.get_by_role("button", name="Bắt đầu soạn hàng và báo người mua").click()
    seller.wait_for_url("**/danh-sach-soan-hang/")
    rows = seller.locator(".picklist-row")
    assert rows.count() == 2
    texts = sorted(rows.all_inner_texts())
    assert texts[0].startswith("☐ 12 kg") and "Trần Thị Mai" in texts[0] and "524.000 ₫" in texts[0]
    assert texts[1].startswith("☐ 8 kg") and "Phạm Văn Long" in texts[1] and "500.000 ₫" in texts[1]
    assert "2 đơn: 20 kg" in seller.locator(".picklist-total").inner_text()
    shot(seller, "8-picklist")
    assert_accessible(seller, "the pick list")
    seller.emulate_media(media="print")
    assert not seller.locator(".site-header").is_visible()
    assert rows.first.is_visible()
    assert SaleWindow.objects.get(pk=window.pk).state == "picking"
    seller_context.close()

    # the first buyer tracks the pre-order with the order number and phone
    page.goto(base + "/shop/track/")
    page.get_by_label("Số đơn hàng").fill(payment.order.number)
    page.get_by_label("Số điện thoại đã dùng khi đặt hàng").fill("0912345678")
    page.get_by_role("button", name="Xem đơn của tôi").click()
    tracked = page.locator("main").inner_text()
    assert "Đặt trước · giao dự kiến 05/06–20/07/2027" in tracked
    assert "Đã đặt cọc 216.000 ₫. Trả nốt 524.000 ₫ khi nhận hàng." in tracked
    shot(page, "9-tracking")
    assert PreOrder.objects.filter(phone="+84912345678", quantity=12).count() == 1
    context.close()
