"""A buyer pre-orders from the product page through the ordinary checkout, pays the deposit by VietQR
or card (or nothing now with cash), follows the pre-order, and the stall records the balance."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from oscar.core.loading import get_model

from marketplace.payments import card, vietqr
from marketplace.payments.models import OrderPayment
from marketplace.payments.refunds import refundable
from marketplace.payments.services import bank_signature
from seasons.models import PreOrder, SaleWindow
from tests.factories import UserFactory, make_window

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")

FORM = {
    "name": "Trần Thị Mai",
    "phone": "0912 345 678",
    "delivery": "delivery",
    "province": "24",
    "commune": "7582",
    "address": "Thôn Kép 1",
}


@pytest.fixture
def deposit_window(window, make_storefront, settings):
    settings.BANK_WEBHOOK_SECRET = "bank-test-secret"
    make_storefront(communes=[window.stall.commune])
    SaleWindow.objects.filter(pk=window.pk).update(deposit_percent=30, max_per_buyer=50)
    window.refresh_from_db()
    return window


def bank_notice(client, payment, *, transfer_id: str, amount: int):
    content = f"{payment.order.number} {payment.checkout.reference}"
    body = json.dumps({"id": transfer_id, "account": "0011001234567", "amount": amount, "content": content})
    return client.post(
        "/shop/checkout/webhook/ngan-hang/",
        body.encode(),
        content_type="application/json",
        HTTP_X_SIGNATURE=bank_signature(body.encode()),
    )


def test_a_pre_order_with_a_vietqr_deposit_from_the_product_page_to_the_balance(client, deposit_window):
    window, coop = deposit_window, deposit_window.stall
    # given: the lychee is out of stock, its window open
    product_page = client.get(window.product.get_absolute_url()).content.decode()
    assert f'action="/dat-truoc/{window.pk}/"' in product_page
    assert "Còn 100 kg" in product_page and "60.000 ₫" in product_page
    assert "từ 05/06 đến 20/07/2027" in product_page and "tối đa 50 kg" in product_page

    # when: 10 kg pre-ordered, straight to the checkout
    added = client.post(f"/dat-truoc/{window.pk}/", {"quantity": "10"})
    assert added.status_code == 302 and added.url == "/shop/checkout/"
    assert "Đặt trước · giao dự kiến 05/06–20/07/2027" in client.get("/shop/basket/").content.decode()
    checkout_page = client.get("/shop/checkout/").content.decode()
    assert "Đặt trước · giao dự kiến 05/06–20/07/2027" in checkout_page
    assert "Đặt cọc 180.000 ₫ bây giờ, còn 445.000 ₫ trả khi nhận hàng" in checkout_page
    assert "Trả đủ 625.000 ₫ bây giờ" in checkout_page
    placed = client.post(
        "/shop/checkout/", {**FORM, f"pay_{coop.pk}": "vietqr", f"deposit_{coop.pk}": "deposit"}
    )

    # then: the QR asks for the deposit only
    assert placed.status_code == 302
    payment = OrderPayment.objects.select_related("order", "checkout").get()
    assert (payment.amount, payment.deposit, payment.status) == (625000, 180000, "pending")
    page = client.get(placed.url).content.decode()
    parsed = vietqr.parse_payload(re.search(r'data-payload="([^"]+)"', page).group(1))
    assert parsed["amount"] == 180000
    assert "Tiền cọc cần trả bây giờ: 180.000 ₫. Còn 445.000 ₫ trả khi nhận hàng." in page
    assert SaleWindow.objects.get(pk=window.pk).reserved == 10

    # the bank's notice of the whole amount is not the deposit's: nothing recorded; the deposit is
    assert bank_notice(client, payment, transfer_id="FT1", amount=100000).status_code == 409
    assert bank_notice(client, payment, transfer_id="FT2", amount=180000).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "deposit_paid" and refundable(payment) == 180000
    page = client.get(placed.url).content.decode()
    assert "Đã đặt cọc 180.000 ₫. Trả nốt 445.000 ₫ khi nhận hàng." in page and "data-payload" not in page

    # the buyer tracks it without an account: harvest dates, the window's state, deposit and balance
    tracked = Client().post("/shop/track/", {"number": payment.order.number, "phone": "0912345678"})
    html = tracked.content.decode()
    assert "Đặt trước · giao dự kiến 05/06–20/07/2027" in html
    assert "Vẫn đang nhận đặt trước" in html and "Đã đặt cọc 180.000 ₫" in html

    # at delivery the stall's "paid" button records the balance
    seller = UserFactory()
    coop.owner = seller
    coop.save()
    client.force_login(seller)
    client.post(f"/ban-hang/gian-hang/{coop.pk}/don-hang/{payment.order.pk}/paid/")
    payment.refresh_from_db()
    assert payment.status == "paid" and refundable(payment) == 625000


def test_cash_on_delivery_pays_nothing_now_and_whole_now_asks_for_everything(deposit_window):
    window, coop = deposit_window, deposit_window.stall
    cash, whole = Client(), Client()
    for buyer in (cash, whole):
        buyer.post(f"/dat-truoc/{window.pk}/", {"quantity": "10"})

    cash.post("/shop/checkout/", {**FORM, f"pay_{coop.pk}": "cod"})
    placed = whole.post(
        "/shop/checkout/",
        {**FORM, "phone": "0987654321", f"pay_{coop.pk}": "vietqr", f"deposit_{coop.pk}": "whole"},
    )

    by_method = {p.method: p for p in OrderPayment.objects.all()}
    assert (by_method["cod"].deposit, by_method["vietqr"].deposit) == (0, 0)
    page = whole.get(placed.url).content.decode()
    assert vietqr.parse_payload(re.search(r'data-payload="([^"]+)"', page).group(1))["amount"] == 625000
    assert SaleWindow.objects.get(pk=window.pk).reserved == 20


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("", "Hãy ghi số lượng bạn muốn đặt trước."),
        ("mười", "Hãy ghi số lượng muốn đặt trước bằng số nguyên."),
        ("0", "Hãy đặt trước ít nhất 1."),
        ("51", "Mỗi người mua đặt tối đa 50 kg."),
    ],
)
def test_a_bad_quantity_on_the_pre_order_button_says_why(client, deposit_window, quantity, message):
    response = client.post(f"/dat-truoc/{deposit_window.pk}/", {"quantity": quantity}, follow=True)

    assert message in response.content.decode()
    assert not Basket.objects.filter(lines__isnull=False).exists()


def test_a_closed_window_takes_no_pre_order_and_its_card_says_so(client, deposit_window):
    SaleWindow.objects.filter(pk=deposit_window.pk).update(state="picking")

    response = client.post(f"/dat-truoc/{deposit_window.pk}/", {"quantity": "5"}, follow=True)
    html = response.content.decode()

    assert "Đợt đặt trước Vải thiều Lục Ngạn đã đóng." in html
    assert not Basket.objects.filter(lines__isnull=False).exists()
    assert client.post("/dat-truoc/999999/", {"quantity": "5"}).status_code == 404


def test_a_card_deposit_on_stripe_mock(client, deposit_window, stripe_mock, monkeypatch):
    window, coop = deposit_window, deposit_window.stall
    asked = []
    create_intent = card.create_intent
    monkeypatch.setattr(
        card, "create_intent", lambda **kw: asked.append(kw["amount_vnd"]) or create_intent(**kw)
    )
    client.post(f"/dat-truoc/{window.pk}/", {"quantity": "10"})

    placed = client.post("/shop/checkout/", {**FORM, f"pay_{coop.pk}": "card"})

    payment = OrderPayment.objects.select_related("order").get()
    assert asked == [180000] and payment.deposit == 180000 and payment.reference.startswith("pi_")

    def deliver(event_id, kind, amount):
        intent = {"id": payment.reference, "amount": amount, "amount_received": amount}
        body = json.dumps({"id": event_id, "type": kind, "data": {"object": intent}}).encode()
        return client.post(
            "/shop/checkout/webhook/stripe/",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=card.signed_header(body, "whsec_test_secret"),
        )

    # a failed deposit: the buyer is told and may try again; the kilograms stay reserved for the order
    deliver("evt_failed", "payment_intent.payment_failed", 180000)
    page = client.get(placed.url).content.decode()
    assert "Thanh toán thẻ không thành công" in page and "180.000 ₫" in page
    assert SaleWindow.objects.get(pk=window.pk).reserved == 10 and PreOrder.objects.count() == 1
    assert deliver("evt_ok", "payment_intent.succeeded", 180000).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "deposit_paid" and payment.deposit_paid_at is not None


def test_the_product_page_shows_todays_window_and_the_next_in_one_query(
    client, deposit_window, django_assert_max_num_queries
):
    # given: today's window, and next season's opening in 200 days
    window = deposit_window
    later = window.closes_on + timedelta(days=200)
    make_window(stall=window.stall, product=window.product, opens_on=later, closes_on=later)
    client.cookies["sessionid"] = "someone"  # a visitor of their own: the page renders, uncached
    client.get(window.product.get_absolute_url())

    with django_assert_max_num_queries(8):  # as many as without windows: they come in one query
        html = client.get(window.product.get_absolute_url()).content.decode()

    assert html.count('action="/dat-truoc/') == 1  # the next window cannot be ordered yet
    assert f"Đợt đặt trước tới mở ngày {later:%d/%m/%Y}." in html
    assert "Đặt cọc" in html and "30&nbsp;%" in html


def test_an_out_of_stock_product_open_for_pre_orders_leads_with_its_window_not_sold_out(
    client, deposit_window
):
    """Lychee in November: no stock, a window open. The buyer reads how to pre-order, not "Hết hàng"
    with a waiting list; once the window closes, the page says sold out again."""
    window = deposit_window
    url = window.product.get_absolute_url()
    client.cookies["sessionid"] = "someone"  # rendered for this visitor, not from the page cache

    html = client.get(url).content.decode()
    assert 'action="/dat-truoc/' in html
    assert "Hết hàng" not in html and 'class="buy-box"' not in html

    window.state = SaleWindow.State.CLOSED
    window.save(update_fields=["state"])
    html = client.get(url).content.decode()
    assert "Hết hàng" in html and 'action="/dat-truoc/' not in html
