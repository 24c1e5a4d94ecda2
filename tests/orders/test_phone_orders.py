"""Issue #16, the seller's orders on a phone: only the next step's button, the buyer's number as a
tap-to-call link written the local way, the address down to the province."""

import re

import pytest
from django.test import Client

from marketplace.payments.models import OrderPayment
from tests.factories import CommuneFactory, UserFactory, make_product, seller_with_stall

pytestmark = pytest.mark.django_db

BUTTONS = ("Xác nhận", "Đã gửi hàng", "Đã giao", "Đã nhận tiền")


@pytest.fixture
def cash_order(make_storefront):
    """A guest's order from a farm, paid in cash on delivery; the farm's seller logged in."""
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    seller, farm = seller_with_stall(commune=commune, partner__name="Vườn bưởi cô Lan")
    pomelo = make_product(stall=farm, title="Bưởi da xanh", price=50000)
    make_storefront(communes=[commune])
    buyer = Client()
    buyer.post(f"/shop/basket/add/{pomelo.pk}/", {"product_id": pomelo.pk, "quantity": 1})
    buyer.post(
        "/shop/checkout/",
        {
            "name": "Trần Thị Mai",
            "phone": "0912 345 678",
            "delivery": "delivery",
            "province": "24",
            "commune": "7582",
            "address": "Thôn Kép 1",
            f"pay_{farm.pk}": "cod",
        },
    )
    page = Client()
    page.force_login(seller)
    return page, farm, OrderPayment.objects.get(stall=farm).order


def buttons(client, stall) -> list[str]:
    html = client.get(f"/ban-hang/gian-hang/{stall.pk}/don-hang/").content.decode()
    return [
        text for text in re.findall(r"<button type=\"submit\"[^>]*>([^<]+)</button>", html) if text in BUTTONS
    ]


def test_only_the_next_step_is_offered(cash_order):
    page, farm, order = cash_order
    action = f"/ban-hang/gian-hang/{farm.pk}/don-hang/{order.pk}"

    placed = buttons(page, farm)
    page.post(f"{action}/confirm/")
    confirmed = buttons(page, farm)
    page.post(f"{action}/ship/")
    shipped = buttons(page, farm)  # cash comes with the parcel: "paid" from here on
    page.post(f"{action}/deliver/")
    delivered = buttons(page, farm)
    page.post(f"{action}/paid/")

    assert placed == ["Xác nhận"]
    assert confirmed == ["Đã gửi hàng"]
    assert shipped == ["Đã giao", "Đã nhận tiền"]
    assert delivered == ["Đã nhận tiền"]
    assert buttons(page, farm) == []


def test_a_transfer_can_be_marked_paid_before_shipping(make_storefront):
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    seller, coop = seller_with_stall(
        commune=commune, bank_bin="970436", bank_account_number="0011001234567", bank_account_name="HTX"
    )
    lychee = make_product(stall=coop, price=65000)
    make_storefront(communes=[commune])
    buyer = Client()
    buyer.post(f"/shop/basket/add/{lychee.pk}/", {"product_id": lychee.pk, "quantity": 1})
    buyer.post(
        "/shop/checkout/",
        {
            "name": "Mai",
            "phone": "0912345678",
            "delivery": "pickup",
            "province": "24",
            f"pay_{coop.pk}": "vietqr",
        },
    )
    page = Client()
    page.force_login(seller)

    assert buttons(page, coop) == ["Xác nhận", "Đã nhận tiền"]


def test_the_buyers_number_is_a_tap_to_call_link_in_local_form(cash_order):
    page, farm, order = cash_order

    html = page.get(f"/ban-hang/gian-hang/{farm.pk}/don-hang/").content.decode()

    assert '<a class="call" href="tel:0912345678">0912 345 678</a>' in html
    assert "+84912345678" not in html


def test_the_address_has_the_commune_and_the_province(cash_order):
    page, farm, order = cash_order

    html = page.get(f"/ban-hang/gian-hang/{farm.pk}/don-hang/").content.decode()

    assert "Thôn Kép 1, Xã Lục Ngạn, Bắc Ninh" in html


def test_another_user_still_cannot_act_on_the_order(cash_order):
    page, farm, order = cash_order
    stranger = Client()
    stranger.force_login(UserFactory())

    assert stranger.post(f"/ban-hang/gian-hang/{farm.pk}/don-hang/{order.pk}/confirm/").status_code == 404


def test_an_order_the_stall_cannot_send_is_cancelled_before_shipping(cash_order, outbox, committed):
    page, farm, order = cash_order
    line = order.lines.get()
    allocated = line.stockrecord.num_allocated
    html = page.get(f"/ban-hang/gian-hang/{farm.pk}/don-hang/").content.decode()
    assert "Hủy đơn này" in html and "<details" in html  # folded away, never next to "Xác nhận"

    with committed():
        page.post(f"/ban-hang/gian-hang/{farm.pk}/don-hang/{order.pk}/cancel/")

    line.refresh_from_db()
    line.stockrecord.refresh_from_db()
    assert line.status == "cancelled"
    assert line.stockrecord.num_allocated == allocated - 1  # back on sale
    assert (
        buttons(page, farm) == []
        and "Hủy đơn này" not in page.get(f"/ban-hang/gian-hang/{farm.pk}/don-hang/").content.decode()
    )
    assert f"đơn {order.number} – Đã hủy" in [m.text for m in outbox if m.phone == "+84912345678"][-1]


def test_a_shipped_order_offers_no_cancel(cash_order):
    page, farm, order = cash_order
    for action in ("confirm", "ship"):
        page.post(f"/ban-hang/gian-hang/{farm.pk}/don-hang/{order.pk}/{action}/")

    refused = page.post(f"/ban-hang/gian-hang/{farm.pk}/don-hang/{order.pk}/cancel/", follow=True)

    assert "Hủy đơn này" not in refused.content.decode()
    assert "Bước này chưa làm được lúc này." in refused.content.decode()
    assert order.lines.get().status == "shipped"
