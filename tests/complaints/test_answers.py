"""Issue #17 point 3, the stall's answer and the commune's decision: refunds never above what was paid
(a card one through stripe-mock, a cash one with a proof photo confirmed by the buyer), a replacement,
a decline with a reason, the commune stepping in; other stalls and other communes' staff cannot act;
every step is on the complaint's timeline and texted to the other party."""

from datetime import timedelta

import pytest
from django.test import Client

from marketplace.complaints.models import Complaint
from marketplace.complaints.services import complaint_counts
from marketplace.payments.models import OrderPayment, Refund
from sellers import roles
from tests.complaints.conftest import BUYER_PHONE, complain, open_link, photo
from tests.factories import CommuneFactory, burst, commune_member, seller_with_stall

pytestmark = pytest.mark.django_db
STALL_PHONE = "+84987654321"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stall_url(complaint) -> str:
    return f"/ban-hang/gian-hang/{complaint.stall_id}/khieu-nai/{complaint.pk}/"


def staff_url(complaint) -> str:
    return f"/ban-hang/xa/khieu-nai/{complaint.pk}/"


def answer(client, complaint, action, **data):
    return client.post(stall_url(complaint), {"action": action, **data})


@pytest.fixture
def opened(buyer, cod):
    complain(buyer, cod)
    return Complaint.objects.get()


def test_the_stall_sees_its_complaints_with_the_amount_prefilled(opened, farm, django_assert_max_num_queries):
    stall = signed_in(farm.seller)
    with django_assert_max_num_queries(20):
        listing = stall.get(f"/ban-hang/gian-hang/{farm.stall.pk}/khieu-nai/").content.decode()
    assert opened.payment.order.number in listing and "Hàng bị hỏng, dập" in listing
    page = stall.get(stall_url(opened)).content.decode()
    assert 'value="100000"' in page and "Vải bị dập, chảy nước" in page


def test_a_cod_complaint_is_refunded_with_proof_and_confirmed_by_the_buyer(
    opened, farm, buyer, outbox, committed
):
    stall = signed_in(farm.seller)
    response = answer(stall, opened, "refund", amount="60.000")
    assert response.status_code == 400 and "Thêm ảnh biên lai" in response.content.decode()
    assert not Refund.objects.exists()

    with committed():
        response = answer(stall, opened, "refund", amount="60.000", proof=photo("bien-lai.jpg"))

    assert response.status_code == 302
    opened.refresh_from_db()
    refund = Refund.objects.get()
    assert (opened.state, opened.refunded, refund.status) == ("refunded", 60000, "awaiting_buyer")
    assert outbox[-1].phone == BUYER_PHONE
    page = buyer.get(f"/khach/don-hang/{opened.payment.checkout.reference}/").content.decode()
    assert "chờ người mua xác nhận" in page and "Tôi đã nhận 60.000 ₫ tiền hoàn" in page

    with committed():
        response = buyer.post(f"/khieu-nai/hoan-tien/{refund.pk}/da-nhan/")
    buyer.post(f"/khieu-nai/hoan-tien/{refund.pk}/da-nhan/")  # a second tap changes nothing

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert OrderPayment.objects.get().status == "partly_refunded"
    assert [step.action for step in opened.steps.all()] == ["opened", "refunded", "confirmed"]
    assert STALL_PHONE in [m.phone for m in outbox] and "60.000 ₫" in outbox[-1].text
    assert buyer.get(f"/khieu-nai/hoan-tien/{refund.pk}/anh/").status_code == 200
    assert Client().get(f"/khieu-nai/hoan-tien/{refund.pk}/anh/").status_code == 404


def test_a_card_complaint_is_refunded_in_part_through_stripe(card_paid, farm, client, outbox, committed):
    buyer = open_link(client, card_paid)
    complain(buyer, card_paid)
    complaint = Complaint.objects.get()

    with committed():
        answer(signed_in(farm.seller), complaint, "refund", amount="30000", words="Xin lỗi chị")

    card_paid.refresh_from_db()
    assert card_paid.status == "partly_refunded" and card_paid.refunded == 30000
    page = buyer.get(f"/khach/don-hang/{card_paid.checkout.reference}/").content.decode()
    assert "Gian hàng đã trả lại 30.000 ₫ (một phần số tiền)" in page and "Gian hàng đã hoàn tiền" in page
    assert "Đã hoàn một phần" in page
    assert any(m.phone == BUYER_PHONE and "30.000 ₫" in m.text for m in outbox)


def test_a_failed_card_refund_leaves_the_complaint_open(card_paid, farm, client, monkeypatch):
    from marketplace.payments import card

    complain(open_link(client, card_paid), card_paid)
    complaint = Complaint.objects.get()

    def refuse(**_kwargs):
        raise card.CardError("Stripe is away")

    monkeypatch.setattr(card, "create_refund", refuse)
    response = answer(signed_in(farm.seller), complaint, "refund", amount="30000")

    complaint.refresh_from_db()
    assert response.status_code == 400 and "Stripe is away" in response.content.decode()
    assert complaint.state == "open" and complaint.refunded == 0
    card_paid.refresh_from_db()
    assert card_paid.status == "paid"


def test_two_partial_refunds_never_exceed_what_was_paid(opened, farm, buyer, cod):
    stall = signed_in(farm.seller)
    assert cod.amount == 130000  # two lychee boxes and the delivery
    answer(stall, opened, "refund", amount="110000", proof=photo())
    complain(buyer, cod, reason="missing")
    second = Complaint.objects.get(state="open")

    response = answer(stall, second, "refund", amount="80000", proof=photo())

    assert response.status_code == 400
    assert "chỉ còn hoàn được tối đa 20.000 ₫" in response.content.decode()
    second.refresh_from_db()
    assert second.state == "open" and Refund.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_parallel_burst_of_refund_answers_refunds_once(cod, farm):
    complain(open_link(Client(), cod), cod)
    complaint = Complaint.objects.get()
    stall = signed_in(farm.seller)
    session = stall.cookies

    def send(i):
        client = Client()
        client.cookies = session
        return answer(client, complaint, "refund", amount="60000", proof=photo()).status_code

    burst(send, 4)
    assert sum(refund.amount for refund in Refund.objects.all()) <= cod.amount
    assert Refund.objects.count() == 1


def test_replace_and_decline_are_texted_to_the_buyer(opened, farm, buyer, cod, outbox, committed):
    stall = signed_in(farm.seller)
    response = answer(stall, opened, "decline", words="")
    assert response.status_code == 400 and "Hãy viết lý do từ chối" in response.content.decode()

    with committed():
        answer(stall, opened, "decline", words="Hàng giao đã đủ")
    opened.refresh_from_db()
    assert opened.state == "declined"
    assert outbox[-1].phone == BUYER_PHONE and "Hàng giao đã đủ" in outbox[-1].text

    complain(buyer, cod)  # still unsettled: no second complaint
    assert Complaint.objects.count() == 1


def test_the_commune_decides_after_a_decline(opened, farm, buyer, outbox, committed):
    answer(signed_in(farm.seller), opened, "decline", words="Hàng giao đã đủ")
    PhoneAccount = farm.seller.phone_account.__class__
    PhoneAccount.objects.create(user=farm.staff, phone="+84911111111")

    with committed():
        buyer.post(f"/khieu-nai/{opened.pk}/nho-xa/")
    opened.refresh_from_db()
    assert opened.state == "escalated"
    assert {"+84911111111", STALL_PHONE} <= {m.phone for m in outbox}

    staff = signed_in(farm.staff)
    assert opened.payment.order.number in staff.get("/ban-hang/xa/khieu-nai/").content.decode()
    assert answer(signed_in(farm.seller), opened, "refund", amount="1000", proof=photo()).status_code == 400
    with committed():
        response = staff.post(
            staff_url(opened),
            {"action": "refund", "amount": "50000", "proof": photo(), "words": "Vải dập thật"},
        )

    assert response.status_code == 302
    opened.refresh_from_db()
    assert (opened.state, opened.refunded) == ("decided", 50000)
    assert Refund.objects.get().created_by == farm.staff
    told = {m.phone for m in outbox if "xã đã quyết định" in m.text and "50.000 ₫" in m.text}
    assert told == {STALL_PHONE, BUYER_PHONE}


def test_an_open_complaint_may_go_to_the_commune_only_after_two_days(opened, buyer):
    buyer.post(f"/khieu-nai/{opened.pk}/nho-xa/")
    opened.refresh_from_db()
    assert opened.state == "open"

    Complaint.objects.filter(pk=opened.pk).update(created_at=opened.created_at - timedelta(days=2, minutes=1))
    buyer.post(f"/khieu-nai/{opened.pk}/nho-xa/")
    opened.refresh_from_db()
    assert opened.state == "escalated"


def test_the_commune_closes_with_a_reason(opened, farm, buyer, outbox, committed):
    answer(signed_in(farm.seller), opened, "decline", words="Không")
    buyer.post(f"/khieu-nai/{opened.pk}/nho-xa/")
    staff = signed_in(farm.staff)
    assert staff.post(staff_url(opened), {"action": "close", "words": ""}).status_code == 400

    with committed():
        staff.post(staff_url(opened), {"action": "close", "words": "Hàng đúng mô tả"})

    opened.refresh_from_db()
    assert opened.state == "decided" and opened.refunded == 0
    assert {BUYER_PHONE, STALL_PHONE} <= {m.phone for m in outbox[-2:]}


def test_others_cannot_see_or_act(opened, farm, buyer):
    answer(signed_in(farm.seller), opened, "decline", words="Không")
    buyer.post(f"/khieu-nai/{opened.pk}/nho-xa/")
    other_seller, other_stall = seller_with_stall(commune=farm.commune)
    other_staff = commune_member(commune=CommuneFactory(), role=roles.COMMUNE_STAFF)
    seller_client = signed_in(other_seller)

    assert (
        seller_client.get(f"/ban-hang/gian-hang/{other_stall.pk}/khieu-nai/{opened.pk}/").status_code == 404
    )
    assert seller_client.get(stall_url(opened)).status_code == 404
    assert (
        opened.payment.order.number
        not in seller_client.get(f"/ban-hang/gian-hang/{other_stall.pk}/khieu-nai/").content.decode()
    )
    staff_client = signed_in(other_staff)
    assert staff_client.get(staff_url(opened)).status_code == 404
    response = staff_client.post(staff_url(opened), {"action": "close", "words": "Đóng"})
    assert response.status_code == 404
    assert opened.payment.order.number not in staff_client.get("/ban-hang/xa/khieu-nai/").content.decode()
    assert signed_in(other_seller).get("/ban-hang/xa/khieu-nai/").status_code == 403
    assert Client().get(staff_url(opened)).status_code == 302  # to the log-in page
    assert Client().post(f"/khieu-nai/{opened.pk}/nho-xa/").status_code == 404
    opened.refresh_from_db()
    assert opened.state == "escalated" and not Refund.objects.exists()


def test_complaint_counts_for_the_dashboards(opened, farm, buyer, cod):
    answer(signed_in(farm.seller), opened, "refund", amount="40000", proof=photo())
    complain(buyer, cod, reason="missing")

    counts = complaint_counts(stalls=[farm.stall])
    assert counts["opened"] == 2
    assert counts["by_state"]["refunded"] == 1 and counts["by_state"]["open"] == 1
    assert counts["refunded"] == 40000
    assert complaint_counts(communes=[farm.commune])["opened"] == 2
    assert complaint_counts(communes=[CommuneFactory()])["opened"] == 0
    assert complaint_counts(since=opened.created_at + timedelta(days=1))["opened"] == 0


def test_a_replacement_is_recorded_and_texted_to_the_buyer(opened, farm, buyer, cod, outbox, committed):
    with committed():
        answer(signed_in(farm.seller), opened, "replace", words="Gửi bù thứ Bảy")

    opened.refresh_from_db()
    assert opened.state == "replaced"
    assert outbox[-1].phone == BUYER_PHONE and "thay thế" in outbox[-1].text
    page = buyer.get(f"/khach/don-hang/{cod.checkout.reference}/").content.decode()
    assert "Gian hàng đã gửi hàng thay thế" in page and "Gửi bù thứ Bảy" in page
    assert complain(buyer, cod, reason="missing").status_code == 302  # settled: another one may follow
    assert Complaint.objects.count() == 2


def test_the_communes_list_loads_in_a_few_queries(farm, client, django_assert_max_num_queries):
    from marketplace.demo_orders import buy

    for i in range(3):
        (payment,) = buy([(farm.product, 1)], phone=f"0912 345 60{i}")
        complain(open_link(Client(), payment), payment, photos=[photo()])
    staff = signed_in(farm.staff)

    with django_assert_max_num_queries(20):
        page = staff.get("/ban-hang/xa/khieu-nai/").content.decode()
    assert page.count("Hàng bị hỏng, dập") == 3
