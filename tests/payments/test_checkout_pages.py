"""A guest buys from two stalls on one page, sees how to pay each, and tracks the orders; the stall and
the payment notifications confirm the money once."""

import json
import re

import pytest
from django.core import mail
from django.test import Client
from oscar.core.loading import get_model

from marketplace.payments import card, vietqr
from marketplace.payments.models import OrderPayment
from marketplace.payments.services import bank_signature
from sellers import services as seller_services
from sellers.models import PhoneAccount
from tests.conftest import last_code
from tests.factories import CommuneFactory, StallFactory, UserFactory, make_product

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

FORM = {
    "name": "Trần Thị Mai",
    "phone": "0912 345 678",
    "email": "mai@example.vn",
    "delivery": "delivery",
    "province": "24",
    "commune": "7582",
    "address": "Thôn Kép 1",
}


@pytest.fixture
def shop(make_storefront, outbox):
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    coop = StallFactory(
        commune=commune,
        partner__name="HTX Lục Ngạn Xanh",
        bank_bin="970436",
        bank_account_number="0011001234567",
        bank_account_name="HTX LUC NGAN XANH",
        delivery_fee=25000,
    )
    farm = StallFactory(commune=commune, partner__name="Vườn bưởi cô Lan", delivery_fee=20000)
    lychee = make_product(stall=coop, title="Vải thiều Lục Ngạn", price=65000, stock=10)
    pomelo = make_product(stall=farm, title="Bưởi da xanh", price=50000, stock=3)
    make_storefront(communes=[commune])
    return coop, farm, lychee, pomelo


def fill_basket(client, *items):
    for product, quantity in items:
        client.post(f"/shop/basket/add/{product.pk}/", {"product_id": product.pk, "quantity": quantity})


def place(client, shop, **changes):
    coop, farm, lychee, pomelo = shop
    fill_basket(client, (lychee, 2), (pomelo, 1))
    data = {**FORM, f"pay_{coop.pk}": "vietqr", f"pay_{farm.pk}": "cod", **changes}
    return client.post("/shop/checkout/", data)


def test_the_checkout_page_shows_each_stall_with_its_delivery_and_ways_to_pay(client, shop):
    coop, farm, lychee, pomelo = shop
    fill_basket(client, (lychee, 2), (pomelo, 1))

    html = client.get("/shop/checkout/").content.decode()

    assert "HTX Lục Ngạn Xanh" in html and "Vườn bưởi cô Lan" in html
    assert "155.000 ₫" in html and "70.000 ₫" in html and "225.000 ₫" in html  # each stall, then the total
    assert f'name="pay_{coop.pk}" value="vietqr"' in html
    assert f'name="pay_{farm.pk}" value="vietqr"' not in html  # no bank account: no transfer
    assert "Xã Lục Ngạn" in html  # the storefront's province: its communes are listed already


def test_a_guest_places_two_orders_and_sees_how_to_pay_each(client, shop, outbox, committed):
    with committed():
        response = place(client, shop)

    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    payments = {p.stall.name: p for p in OrderPayment.objects.select_related("order", "stall")}
    qr = payments["HTX Lục Ngạn Xanh"]
    assert (qr.amount, payments["Vườn bưởi cô Lan"].amount) == (155000, 70000)
    assert "<svg" in page and "0011001234567" in page and "Vietcombank" in page
    assert 'value="155000"' in page
    assert "Trả 70.000 ₫ tiền mặt khi nhận hàng" in page
    assert qr.order.number in page and payments["Vườn bưởi cô Lan"].order.number in page
    parsed = vietqr.parse_payload(re.search(r'data-payload="([^"]+)"', page).group(1))  # CRC verified
    assert (parsed["bank_bin"], parsed["account"], parsed["amount"]) == ("970436", "0011001234567", 155000)
    texts = [m.text for m in outbox if m.phone == "+84912345678"]
    assert texts and qr.order.number in texts[-1]
    assert mail.outbox and mail.outbox[-1].to == ["mai@example.vn"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "12345"}, "Hãy nhập số di động Việt Nam"),
        ({"commune": "26425"}, "Xã này không thuộc tỉnh đã chọn."),
        ({"address": ""}, "Ghi số nhà, đường hoặc thôn"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(client, shop, changes, message):
    response = place(client, shop, **changes)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'value="Trần Thị Mai"' in html
    assert not Order.objects.exists()
    assert "Vải thiều Lục Ngạn" in client.get("/shop/basket/").content.decode()


def test_a_price_changed_meanwhile_is_shown_and_nothing_is_ordered(client, shop):
    coop, farm, lychee, pomelo = shop
    fill_basket(client, (lychee, 2), (pomelo, 1))
    StockRecord.objects.filter(product=lychee).update(price=70000)

    response = client.post("/shop/checkout/", {**FORM, f"pay_{coop.pk}": "vietqr", f"pay_{farm.pk}": "cod"})

    html = response.content.decode()
    assert response.status_code == 409
    assert "Giá của Vải thiều Lục Ngạn nay là 70.000 ₫" in html
    assert 'value="Trần Thị Mai"' in html and not Order.objects.exists()
    assert "140.000 ₫" in client.get("/shop/checkout/").content.decode()  # the basket now has the new price


def test_another_browser_cannot_open_the_thank_you_page(client, shop):
    url = place(client, shop).url

    assert Client().get(url).status_code == 404


def test_tracking_by_order_number_and_phone(client, shop):
    place(client, shop)
    order = Order.objects.order_by("number").first()
    tracker = Client()

    found = tracker.post("/shop/track/", {"number": order.number, "phone": "0912345678"})
    wrong = tracker.post("/shop/track/", {"number": order.number, "phone": "0987654321"})

    html = found.content.decode()
    assert found.status_code == 200
    assert all(o.number in html for o in Order.objects.all())
    assert "Đã đặt hàng" in html
    revealed = wrong.content.decode()
    assert wrong.status_code == 404
    assert "Vải thiều Lục Ngạn" not in revealed and "Trần Thị Mai" not in revealed
    assert "Không có đơn nào khớp" in wrong.content.decode()


def test_tracking_is_rate_limited(client, shop):
    for _ in range(10):
        client.post("/shop/track/", {"number": "100001", "phone": "0912345678"})

    assert client.post("/shop/track/", {"number": "100001", "phone": "0912345678"}).status_code == 429


def test_the_stall_confirms_a_transfer_once_and_hears_it(client, shop):
    coop, farm, lychee, pomelo = shop
    place(client, shop)
    payment = OrderPayment.objects.get(stall=coop)
    seller = UserFactory()
    coop.owner = seller
    coop.save()
    client.force_login(seller)
    action = f"/ban-hang/gian-hang/{coop.pk}/don-hang/{payment.order.pk}/paid/"

    client.post(action)
    client.post(action)
    first = client.get(f"/ban-hang/gian-hang/{coop.pk}/don-hang/").content.decode()
    second = client.get(f"/ban-hang/gian-hang/{coop.pk}/don-hang/").content.decode()

    payment.refresh_from_db()
    assert payment.status == "paid" and payment.confirmed_by == seller
    assert payment.order.payment_events.count() == 1
    assert f"Đã nhận 155.000 đồng cho đơn {payment.order.number}" in first
    assert "speechSynthesis" in first and "Đã nhận 155.000" not in second


def bank_notice(client, payment, *, transfer_id: str, account: str = "0011001234567", amount=155000):
    """A signed bank notice of a transfer for this order (its number and checkout in the content)."""
    content = f"{payment.order.number} {payment.checkout.reference}"
    body = json.dumps({"id": transfer_id, "account": account, "amount": amount, "content": content}).encode()
    return client.post(
        "/shop/checkout/webhook/ngan-hang/",
        body,
        content_type="application/json",
        HTTP_X_SIGNATURE=bank_signature(body),
    )


def test_a_signed_bank_notification_confirms_the_transfer_once(client, shop, settings):
    settings.BANK_WEBHOOK_SECRET = "bank-test-secret"
    coop, farm, lychee, pomelo = shop
    place(client, shop)
    payment = OrderPayment.objects.get(stall=coop)
    content = f"{payment.order.number} {payment.checkout.reference} CHUYEN KHOAN"
    body = json.dumps(
        {"id": "FT2611240001", "account": "0011001234567", "amount": 155000, "content": content}
    ).encode()

    def notify(data, signature=None):
        return client.post(
            "/shop/checkout/webhook/ngan-hang/",
            data,
            content_type="application/json",
            HTTP_X_SIGNATURE=signature or bank_signature(data),
        )

    assert notify(body, "0" * 64).status_code == 400
    assert notify(body).json()["status"] == "ok"
    assert notify(body).json()["status"] == "already processed"
    wrong_amount = json.dumps(
        {"id": "FT2", "account": "0011001234567", "amount": 1000, "content": content}
    ).encode()
    elsewhere = json.dumps(
        {"id": "FT3", "account": "999888777", "amount": 155000, "content": content}
    ).encode()
    no_reference = json.dumps(
        {"id": "FT4", "account": "0011001234567", "amount": 155000, "content": payment.order.number}
    ).encode()
    assert notify(elsewhere).status_code == 409  # paid into another account: not this stall's money
    assert notify(no_reference).status_code == 404  # the order number alone is not enough
    assert notify("é".encode(), "ẞ" * 64).status_code == 400
    assert notify(wrong_amount).status_code == 409
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.reference == "FT2611240001"
    assert payment.order.payment_events.count() == 1


def test_card_payment_with_stripe_mock_and_its_webhook(client, shop, stripe_mock):
    coop, farm, lychee, pomelo = shop
    response = place(client, shop, **{f"pay_{farm.pk}": "card"})
    payment = OrderPayment.objects.get(stall=farm)
    assert payment.method == "card" and payment.reference.startswith("pi_")  # created on stripe-mock

    paid = client.post(f"/shop/checkout/the/{payment.order.number}/", follow=True)
    assert "Đã gửi thanh toán thẻ" in paid.content.decode()

    event = {
        "id": "evt_test_1",
        "type": "payment_intent.succeeded",
        "data": {
            "object": {"id": payment.reference, "amount": 70000, "amount_received": 70000, "metadata": {}}
        },
    }
    body = json.dumps(event).encode()

    def deliver(data, secret="whsec_test_secret"):
        return client.post(
            "/shop/checkout/webhook/stripe/",
            data,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=card.signed_header(data, secret),
        )

    assert deliver(body, secret="whsec_wrong").status_code == 400
    assert deliver(body).json()["status"] == "ok"
    assert deliver(body).json()["status"] == "already processed"
    unknown = json.dumps(
        {**event, "id": "evt_2", "data": {"object": {"id": "pi_unknown", "amount": 1}}}
    ).encode()
    assert deliver(unknown).status_code == 404
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.order.payment_events.count() == 1
    assert "Đã thanh toán. Cảm ơn bạn." in client.get(response.url).content.decode()


def test_a_stall_in_oscars_dashboard_sees_only_its_own_lines(client, shop):
    """Oscar shows a partner every line of an order holding one of its lines: orders are per stall
    here, so that is only the stall's own lines, and another stall's order is not found."""
    from django.contrib.auth.models import Permission

    coop, farm, lychee, pomelo = shop
    place(client, shop)
    seller = UserFactory()
    seller.user_permissions.add(Permission.objects.get(codename="dashboard_access"))
    farm.partner.users.add(seller)
    dashboard = Client()
    dashboard.force_login(seller)
    own = OrderPayment.objects.get(stall=farm).order
    other = OrderPayment.objects.get(stall=coop).order

    page = dashboard.get(f"/shop/dashboard/orders/{own.number}/")

    assert page.status_code == 200
    assert "Bưởi da xanh" in page.content.decode() and "Vải thiều Lục Ngạn" not in page.content.decode()
    assert dashboard.get(f"/shop/dashboard/orders/{other.number}/").status_code == 404


def test_the_buyer_hears_of_each_status_change(client, shop, outbox, committed):
    coop, farm, lychee, pomelo = shop
    place(client, shop)
    payment = OrderPayment.objects.get(stall=farm)
    seller = UserFactory()
    farm.owner = seller
    farm.save()
    client.force_login(seller)

    with committed():
        client.post(f"/ban-hang/gian-hang/{farm.pk}/don-hang/{payment.order.pk}/confirm/")
    with committed():
        client.post(f"/ban-hang/gian-hang/{farm.pk}/don-hang/{payment.order.pk}/ship/")

    texts = [m.text for m in outbox if m.phone == "+84912345678"]
    assert f"đơn {payment.order.number} – Gian hàng đã xác nhận" in texts[-2]
    assert f"đơn {payment.order.number} – Đang giao" in texts[-1]


def test_a_failed_card_payment_is_shown_and_a_later_success_still_counts(client, shop, stripe_mock):
    coop, farm, lychee, pomelo = shop
    response = place(client, shop, **{f"pay_{farm.pk}": "card"})
    payment = OrderPayment.objects.get(stall=farm)

    def deliver(event_id, kind):
        intent = {"id": payment.reference, "amount": 70000, "amount_received": 70000}
        body = json.dumps({"id": event_id, "type": kind, "data": {"object": intent}}).encode()
        return client.post(
            "/shop/checkout/webhook/stripe/",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=card.signed_header(body, "whsec_test_secret"),
        )

    deliver("evt_failed", "payment_intent.payment_failed")
    assert "Thanh toán thẻ không thành công" in client.get(response.url).content.decode()
    deliver("evt_ok", "payment_intent.succeeded")
    deliver("evt_late_failure", "payment_intent.payment_failed")  # never undoes a confirmed payment
    payment.refresh_from_db()
    assert payment.status == "paid"


def test_with_a_publishable_key_the_card_is_typed_into_stripes_own_form(client, shop, stripe_mock, settings):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_123"
    coop, farm, lychee, pomelo = shop

    page = client.get(place(client, shop, **{f"pay_{farm.pk}": "card"}).url).content.decode()

    assert "https://js.stripe.com/v3/" in page and 'Stripe("pk_test_123"' in page
    assert re.search(r'class="card-form" data-client-secret="pi_\w+_secret_\w+"', page)
    assert "thẻ thử" not in page  # the test-card shortcut is only for stripe-mock without a key


def test_the_open_orders_page_hears_a_transfer_confirmed_by_the_bank(client, shop, settings):
    settings.BANK_WEBHOOK_SECRET = "bank-test-secret"
    coop, farm, lychee, pomelo = shop
    place(client, shop)
    payment = OrderPayment.objects.get(stall=coop)
    seller, stranger = UserFactory(), UserFactory()
    coop.owner = seller
    coop.save()
    page = Client()
    page.force_login(seller)
    url = f"/ban-hang/gian-hang/{coop.pk}/don-hang/thong-bao/"
    assert page.get(url).json() == {"announcements": []}

    body = json.dumps(
        {
            "id": "FT1",
            "account": "0011001234567",
            "amount": 155000,
            "content": f"{payment.order.number} {payment.checkout.reference}",
        }
    ).encode()
    client.post(
        "/shop/checkout/webhook/ngan-hang/",
        body,
        content_type="application/json",
        HTTP_X_SIGNATURE=bank_signature(body),
    )

    assert page.get(url).json() == {"announcements": [f"Đã nhận 155.000 đồng cho đơn {payment.order.number}"]}
    assert page.get(url).json() == {"announcements": []}  # said once
    page.force_login(stranger)
    assert page.get(url).status_code == 404


def test_webhooks_without_their_secret_say_so(client, shop, settings):
    settings.STRIPE_WEBHOOK_SECRET = settings.BANK_WEBHOOK_SECRET = ""

    assert (
        client.post("/shop/checkout/webhook/stripe/", b"{}", content_type="application/json").status_code
        == 503
    )
    assert (
        client.post("/shop/checkout/webhook/ngan-hang/", b"{}", content_type="application/json").status_code
        == 503
    )


def test_the_page_after_checkout_keeps_the_account_shown_whatever_the_stall_changes(client, shop):
    coop, farm, lychee, pomelo = shop
    url = place(client, shop).url
    type(coop).objects.filter(pk=coop.pk).update(bank_bin="970422", bank_account_number="0099887766554")

    page = client.get(url).content.decode()

    parsed = vietqr.parse_payload(re.search(r'data-payload="([^"]+)"', page).group(1))
    assert (parsed["bank_bin"], parsed["account"]) == ("970436", "0011001234567")
    assert "Vietcombank" in page and "0099887766554" not in page


def test_an_order_without_an_account_of_its_own_says_to_ask_the_stall(client, shop):
    coop, farm, lychee, pomelo = shop
    url = place(client, shop).url
    # an order placed before orders kept their account, whose stall had no complete details
    OrderPayment.objects.filter(stall=coop).update(payee_bank_bin="", payee_account_number="")

    page = client.get(url)

    assert page.status_code == 200 and "hỏi gian hàng cách trả" in page.content.decode()


def test_a_bank_notice_for_an_order_placed_before_a_change_of_account_matches_the_old_account(
    client, shop, settings, outbox, committed
):
    settings.BANK_WEBHOOK_SECRET = "bank-test-secret"
    coop, farm, lychee, pomelo = shop
    household = UserFactory()
    PhoneAccount.objects.create(user=household, phone="+84987654321")
    type(coop).objects.filter(pk=coop.pk).update(owner=household)
    coop.refresh_from_db()
    place(client, shop)
    payment = OrderPayment.objects.get(stall=coop)
    with committed():
        seller_services.payout_change_request(
            stall=coop,
            actor=household,
            bank_bin="970422",
            bank_account_number="0099887766554",
            bank_account_name="TRAN VAN LONG",
        )
    seller_services.payout_change_confirm(stall=coop, actor=household, code=last_code(outbox, "+84987654321"))

    def notify(transfer_id, account):
        return bank_notice(client, payment, transfer_id=transfer_id, account=account)

    assert notify("FT-new", "0099887766554").status_code == 409  # not the account this buyer was shown
    payment.refresh_from_db()
    assert payment.status != "paid"
    assert notify("FT-old", "0011001234567").json()["status"] == "ok"
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.reference == "FT-old"


def test_a_bank_notice_with_a_fraction_of_a_dong_is_refused_and_pays_nothing(client, shop, settings):
    settings.BANK_WEBHOOK_SECRET = "bank-test-secret"
    coop, farm, lychee, pomelo = shop
    place(client, shop)
    payment = OrderPayment.objects.get(stall=coop)

    def notify(transfer_id, amount):
        return bank_notice(client, payment, transfer_id=transfer_id, amount=amount)

    answers = [notify(f"FT-{n}", amount).status_code for n, amount in enumerate([155000.9, "155000", -1])]

    payment.refresh_from_db()
    assert answers == [400, 400, 400]
    assert payment.status != "paid"
    assert notify("FT-ok", 155000).status_code == 200  # the same transfer, written exactly, still counts
