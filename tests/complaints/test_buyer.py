"""Issue #17 point 3, the buyer's side: a complaint only by the order's buyer, only on delivered lines,
only within the window after delivery; one unsettled complaint per order; photos kept private."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.complaints.models import Complaint, ComplaintPhoto
from marketplace.demo_orders import buy
from tests.complaints.conftest import BUYER_PHONE, complain, open_link, photo
from tests.factories import burst, seller_with_stall

pytestmark = pytest.mark.django_db
ShippingEvent = get_model("order", "ShippingEvent")


def test_the_buyer_opens_a_complaint_with_photos_and_the_stall_is_texted(buyer, cod, farm, outbox, committed):
    page = buyer.get(f"/khieu-nai/don/{cod.order.number}/").content.decode()
    assert "Hàng bị hỏng, dập" in page and "Gửi khiếu nại" in page

    with committed():
        response = complain(buyer, cod, photos=[photo(), photo("2.jpg")])

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.state, complaint.value, complaint.photos.count()) == ("open", 100000, 2)
    assert [m.phone for m in outbox][-1] == "+84987654321"
    assert (
        cod.order.number in outbox[-1].text
        and f"/ban-hang/gian-hang/{farm.stall.pk}/khieu-nai/" in outbox[-1].text
    )
    order_page = buyer.get(response.url.split("#")[0]).content.decode()
    assert "Đang chờ gian hàng trả lời" in order_page and "Khiếu nại đã gửi" in order_page


def test_only_the_buyer_may_complain(cod):
    for stranger in (
        Client(),
        open_link(Client(), buy([(cod.order.lines.get().product, 1)], phone="0903 000 111")[0]),
    ):
        assert stranger.get(f"/khieu-nai/don/{cod.order.number}/").status_code == 404
        assert complain(stranger, cod).status_code == 404
    assert not Complaint.objects.exists()


def test_no_complaint_before_delivery(client, farm):
    (payment,) = buy([(farm.product, 1)], until="ship")
    open_link(client, payment)

    page = client.get(f"/khieu-nai/don/{payment.order.number}/").content.decode()
    assert "Gửi khiếu nại" not in page and "khi đơn hàng đã được giao" in page
    complain(client, payment)
    assert not Complaint.objects.exists()


def test_after_the_window_a_clear_message_and_no_form(buyer, cod, settings):
    ShippingEvent.objects.filter(order=cod.order).update(date_created=timezone.now() - timedelta(days=8))

    page = buyer.get(f"/khieu-nai/don/{cod.order.number}/").content.decode()
    assert "Gửi khiếu nại" not in page and "7 ngày sau khi giao" in page
    complain(buyer, cod)
    assert not Complaint.objects.exists()


def test_a_line_of_another_order_is_refused(buyer, cod, farm):
    (other,) = buy([(farm.product, 1)], phone="0903 000 111")

    response = complain(buyer, cod, lines=[other.order.lines.get().pk])

    assert response.status_code == 400 and not Complaint.objects.exists()


def test_bad_input_gets_a_message_next_to_the_field(buyer, cod):
    response = complain(buyer, cod, reason="", words="x" * 2001, photos=[photo(), photo(), photo(), photo()])

    page = response.content.decode()
    assert response.status_code == 400
    assert "Hãy chọn vấn đề gặp phải." in page and "Tối đa 3 ảnh." in page
    assert not Complaint.objects.exists()
    response = complain(buyer, cod, photos=[photo(padding=16 * 1024 * 1024)])
    assert "Ảnh quá lớn" in response.content.decode()


def test_a_double_submit_makes_one_complaint(buyer, cod):
    complain(buyer, cod)
    complain(buyer, cod)
    assert Complaint.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_parallel_burst_makes_one_complaint(cod):
    session = open_link(Client(), cod).cookies

    def send(i):
        client = Client()
        client.cookies = session
        return complain(client, cod).status_code

    assert set(burst(send, 5)) <= {302}
    assert Complaint.objects.count() == 1


def test_photos_are_private(buyer, cod, farm, committed):
    complain(buyer, cod, photos=[photo()])
    url = f"/khieu-nai/anh/{ComplaintPhoto.objects.get().pk}/"
    seller, _stall = seller_with_stall()
    other_stall = Client()
    other_stall.force_login(seller)
    own_stall = Client()
    own_stall.force_login(farm.seller)
    staff = Client()
    staff.force_login(farm.staff)

    assert buyer.get(url).status_code == 200
    assert own_stall.get(url).status_code == 200
    assert staff.get(url).status_code == 200
    assert Client().get(url).status_code == 404
    assert other_stall.get(url).status_code == 404
    assert Client().get(f"/khieu-nai/anh/{ComplaintPhoto.objects.get().pk + 1}/").status_code == 404
    image = ComplaintPhoto.objects.get().image
    assert "/media/" not in image.storage.path(image.name)  # outside the public media folder


def test_the_buyer_signed_in_by_phone_may_complain(cod, django_user_model):
    from sellers.models import PhoneAccount

    user = django_user_model.objects.create(username="mai")
    PhoneAccount.objects.create(user=user, phone=BUYER_PHONE)
    client = Client()
    client.force_login(user)

    assert complain(client, cod).status_code == 302
    assert Complaint.objects.get().steps.get().actor == user


def test_the_order_page_loads_complaints_in_a_few_queries(client, farm, django_assert_max_num_queries):
    from marketplace.complaints.services import annotate
    from marketplace.payments.services import checkout_payments
    from tests.factories import make_product

    others = [make_product(stall=seller_with_stall()[1], title=f"Bưởi {i}", price=40000) for i in range(2)]
    payments = buy([(farm.product, 1), *((product, 1) for product in others)])
    open_link(client, payments[0])
    for payment in payments:
        complain(client, payment, photos=[photo()])
    request = client.get(f"/khieu-nai/don/{payments[0].order.number}/").wsgi_request
    shown = checkout_payments(payments[0].checkout)

    with django_assert_max_num_queries(6):
        annotate(shown, request)

    assert all(len(payment.complaints.complaints) == 1 for payment in shown)
    assert all(payment.complaints.complaints[0].timeline for payment in shown)


def test_a_stall_without_its_own_phone_is_texted_on_its_owners(buyer, cod, farm, outbox, committed):
    type(farm.stall).objects.filter(pk=farm.stall.pk).update(phone="")

    with committed():
        complain(buyer, cod)

    assert outbox[-1].phone == farm.seller.phone_account.phone
