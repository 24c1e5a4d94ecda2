""" "Báo khi có hàng": a sold-out product takes a phone number; when its stock is back, that phone
gets one text, once, whatever saves the stock and however often."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.restock import services
from marketplace.restock.models import RestockAlert
from marketplace.restock.services import restock_prune
from sellers.models import PhoneAccount
from tests.factories import StallFactory, UserFactory, burst, make_product

pytestmark = pytest.mark.django_db
StockRecord = get_model("partner", "StockRecord")
BUTTON = "Báo cho tôi khi có hàng"


@pytest.fixture
def sold_out(make_storefront):
    make_storefront()
    stall = StallFactory(partner__name="Vườn bưởi nhà bà Tư")
    return make_product(stall=stall, title="Bưởi da xanh", stock=0)


def sign_up(product, phone="0912 345 678", address="113.160.1.2", client=None):
    client = client or Client(REMOTE_ADDR=address)
    return client.post(reverse("restock:subscribe", args=[product.pk]), {"phone": phone}, follow=True)


def restock(product, stock=5):
    record = StockRecord.objects.get(product=product)
    record.num_in_stock = stock
    record.save()


def test_the_form_shows_only_on_a_sold_out_product(client, sold_out):
    in_stock = make_product(title="Vải thiều", stock=10)

    html = client.get(sold_out.get_absolute_url()).content.decode()

    assert BUTTON in html
    assert "Chúng tôi chỉ nhắn một tin khi có hàng lại, rồi xoá số này. Không cần tài khoản." in html
    assert BUTTON not in client.get(in_stock.get_absolute_url()).content.decode()


def test_a_guest_signs_up_once_and_a_second_time_changes_nothing(sold_out):
    first = sign_up(sold_out)
    again = sign_up(sold_out, phone="+84 912-345-678")

    assert "Chúng tôi sẽ nhắn một tin đến 0912 345 678" in first.content.decode()
    # The same thanks: the answer never tells whether a phone was already waiting.
    assert "Chúng tôi sẽ nhắn một tin đến 0912 345 678" in again.content.decode()
    assert RestockAlert.objects.get().phone == "+84912345678"


def test_a_double_submit_in_parallel_makes_one_alert(transactional_db, sold_out):
    burst(lambda n: sign_up(sold_out, address=f"14.{n}.0.1").status_code, 6)

    assert RestockAlert.objects.filter(product=sold_out).count() == 1


def test_not_a_mobile_number_gets_the_checkouts_message_and_nothing_is_saved(sold_out):
    response = sign_up(sold_out, phone="024 3826 1234")
    too_long = sign_up(sold_out, phone="0" * 500)

    assert "Hãy nhập số di động Việt Nam, ví dụ 0912 345 678." in response.content.decode()
    assert response.status_code == too_long.status_code == 200
    assert 'value="024 3826 1234"' in response.content.decode()  # what was typed stays
    assert not RestockAlert.objects.exists()


def test_a_signed_in_buyer_finds_the_proven_phone_already_typed(client, sold_out):
    buyer = UserFactory()
    PhoneAccount.objects.create(user=buyer, phone="+84987654321")
    client.force_login(buyer)

    html = client.get(sold_out.get_absolute_url()).content.decode()

    assert 'value="0987 654 321"' in html


def test_an_in_stock_or_unknown_product_takes_no_alert(client, sold_out):
    in_stock = make_product(title="Vải thiều", stock=10)
    hidden = make_product(title="Mật ong", stock=0, is_public=False)

    assert sign_up(in_stock).redirect_chain[-1][0] == in_stock.get_absolute_url()
    assert sign_up(hidden).status_code == 404
    assert client.post("/bao-khi-co-hang/999999/", {"phone": "0912345678"}).status_code == 404
    assert not RestockAlert.objects.exists()


def test_one_phone_is_not_flooded_from_many_addresses(make_storefront):
    make_storefront()
    products = [make_product(title=f"Bưởi {n}", stock=0) for n in range(services.PER_PHONE[0] + 1)]

    answers = [sign_up(product, address=f"14.{n}.0.1") for n, product in enumerate(products)]

    assert RestockAlert.objects.count() == services.PER_PHONE[0]
    assert answers[-1].status_code == 429
    assert "Số này đã đăng ký chờ nhiều sản phẩm" in answers[-1].content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_parallel_burst_from_one_address_gets_no_more_than_the_limit(make_storefront):
    make_storefront()
    product = make_product(title="Bưởi", stock=0)
    limit = services.PER_ADDRESS[0]

    answers = burst(lambda n: sign_up(product, phone=f"091{n:07d}").status_code, limit + 5)

    assert answers.count(429) == 5
    assert RestockAlert.objects.count() == limit


@pytest.mark.django_db(transaction=True)
def test_a_parallel_burst_for_one_phone_gets_no_more_than_the_limit(make_storefront):
    make_storefront()
    limit = services.PER_PHONE[0]
    products = [make_product(title=f"Bưởi {n}", stock=0) for n in range(limit + 4)]

    burst(lambda n: sign_up(products[n], address=f"14.{n}.0.1").status_code, limit + 4)

    assert RestockAlert.objects.filter(phone="+84912345678").count() == limit


def test_stock_back_texts_each_phone_once_even_when_saved_twice(sold_out, outbox, committed):
    sign_up(sold_out, phone="0912345678")
    sign_up(sold_out, phone="0987654321", address="14.1.0.1")

    with committed():
        restock(sold_out, 5)
    with committed():
        restock(sold_out, 7)

    texts = sorted((message.phone, message.text) for message in outbox)
    assert [phone for phone, _text in texts] == ["+84912345678", "+84987654321"]
    assert texts[0][1].startswith(
        "Cho OCOP: Buoi da xanh da co hang lai tai Vuon buoi nha ba Tu. Mua tai: http"
    )
    assert texts[0][1].endswith(sold_out.get_absolute_url())
    assert not RestockAlert.objects.filter(notified_at__isnull=True).exists()


def test_a_cancelled_order_that_frees_the_last_one_texts_too(make_storefront, outbox, committed):
    make_storefront()
    product = make_product(title="Bưởi da xanh", stock=1)
    record = StockRecord.objects.get(product=product)
    record.allocate(1)  # someone ordered the last one
    sign_up(product)

    with committed():
        record.cancel_allocation(1)  # and the stall cancelled it (marketplace/orders/actions.py)

    assert [message.phone for message in outbox] == ["+84912345678"]


def test_no_text_while_it_is_still_sold_out_or_its_stall_is_suspended(sold_out, outbox, committed):
    sign_up(sold_out)

    with committed():
        restock(sold_out, 0)
    stall = StockRecord.objects.get(product=sold_out).partner.stall
    stall.status = stall.Status.SUSPENDED
    stall.save(update_fields=["status"])
    with committed():
        restock(sold_out, 5)

    assert outbox == []
    assert RestockAlert.objects.get().notified_at is None


@pytest.mark.django_db(transaction=True)
def test_two_processes_saving_stock_at_once_text_each_alert_once(make_storefront, outbox):
    make_storefront()
    product = make_product(title="Bưởi", stock=0)
    for n in range(5):
        sign_up(product, phone=f"091{n:07d}", address=f"14.{n}.0.1")
    StockRecord.objects.filter(product=product).update(num_in_stock=5)  # no signal: back for both at once

    counts = burst(lambda n: services.restock_notify(product_id=product.pk), 4)

    assert sum(counts) == 5
    assert sorted(message.phone for message in outbox) == [f"+8491{n:07d}" for n in range(5)]


def test_after_the_text_the_same_phone_may_sign_up_again(sold_out, outbox, committed):
    sign_up(sold_out)
    with committed():
        restock(sold_out, 5)
    restock(sold_out, 0)

    again = sign_up(sold_out)

    assert "Chúng tôi sẽ nhắn một tin" in again.content.decode()
    assert RestockAlert.objects.filter(notified_at__isnull=True).count() == 1


def test_alerts_older_than_90_days_are_forgotten_and_never_texted(sold_out, outbox, committed):
    sign_up(sold_out)
    sign_up(sold_out, phone="0987654321", address="14.1.0.1")
    RestockAlert.objects.filter(phone="+84912345678").update(created_at=timezone.now() - timedelta(days=91))

    with committed():
        restock(sold_out, 5)

    assert [message.phone for message in outbox] == ["+84987654321"]
    assert restock_prune() == 1
    assert list(RestockAlert.objects.values_list("phone", flat=True)) == ["+84987654321"]
