import pytest
from oscar.core.loading import get_model

from sellers.models import Stall
from sellers.orders import stall_takings
from tests.factories import make_product, place_order, seller_with_stall

pytestmark = pytest.mark.django_db
PaymentEvent = get_model("order", "PaymentEvent")


@pytest.fixture
def mixed_order():
    """One order with a line from each of two stalls (before checkout splits orders per stall)."""
    seller_a, stall_a = seller_with_stall(status=Stall.Status.VERIFIED, partner__name="Vườn A")
    _, stall_b = seller_with_stall(status=Stall.Status.VERIFIED, partner__name="Vườn B")
    lychee = make_product(stall=stall_a, title="Vải thiều", price=65000)
    honey = make_product(stall=stall_b, title="Mật ong", price=250000)
    return seller_a, stall_a, place_order((lychee, 2), (honey, 1))


def test_stall_sees_only_its_own_lines(client, mixed_order, make_storefront):
    seller, stall, order = mixed_order
    make_storefront()
    client.force_login(seller)

    html = client.get(f"/ban-hang/gian-hang/{stall.pk}/don-hang/").content.decode()

    assert str(order.number) in html
    assert "2 × Vải thiều" in html and "130.000 ₫" in html
    assert "Mật ong" not in html and "250.000" not in html


def test_stall_confirms_ships_and_marks_paid_its_lines_only(client, mixed_order, make_storefront):
    seller, stall, order = mixed_order
    make_storefront()
    client.force_login(seller)
    base = f"/ban-hang/gian-hang/{stall.pk}/don-hang/{order.pk}"

    client.post(f"{base}/confirm/")
    client.post(f"{base}/ship/")
    client.post(f"{base}/paid/")
    client.post(f"{base}/paid/")  # twice: still one payment

    statuses = dict(order.lines.values_list("partner__name", "status"))
    assert statuses == {"Vườn A": "shipped", "Vườn B": "placed"}
    payment = PaymentEvent.objects.get(order=order)
    assert int(payment.amount) == 130000
    assert "Đã thanh toán" in client.get(f"/ban-hang/gian-hang/{stall.pk}/don-hang/").content.decode()


def test_shipping_before_confirming_is_refused_with_a_message(client, mixed_order, make_storefront):
    seller, stall, order = mixed_order
    make_storefront()
    client.force_login(seller)

    response = client.post(f"/ban-hang/gian-hang/{stall.pk}/don-hang/{order.pk}/ship/", follow=True)

    assert "Bước này chưa làm được lúc này." in response.content.decode()
    assert set(order.lines.values_list("status", flat=True)) == {"placed"}


def test_takings_today_and_this_month(client, mixed_order, make_storefront):
    seller, stall, _ = mixed_order
    make_storefront()
    client.force_login(seller)

    assert stall_takings(stall) == {"today": 130000, "month": 130000, "refunded": 0, "month_net": 130000}
    html = client.get(f"/ban-hang/gian-hang/{stall.pk}/").content.decode()
    assert html.count("130.000 ₫") == 2
