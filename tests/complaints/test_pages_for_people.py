"""Issue #17 after a walk through the complaint on a phone: each person finds the next thing to do
where they look first. The stall's home says a complaint waits for its answer; commune staff reach
their queues from their own page; a buyer whose stall says it gave money back is asked, at the top of
the order, whether it arrived, and the text leads straight to the answer; the delivered order's page
puts the after-sale buttons before the timeline."""

import pytest

from marketplace.complaints.models import Complaint
from tests.complaints.conftest import BUYER_PHONE, complain, photo
from tests.complaints.test_answers import answer, signed_in

pytestmark = pytest.mark.django_db


def test_the_stalls_home_says_a_complaint_waits_for_its_answer(buyer, cod, farm):
    stall = signed_in(farm.seller)
    home = f"/ban-hang/gian-hang/{farm.stall.pk}/"
    assert "đang chờ bạn trả lời" not in stall.get(home).content.decode()

    complain(buyer, cod)

    html = stall.get(home).content.decode()
    assert "Có 1 khiếu nại của người mua đang chờ bạn trả lời." in html
    assert f'href="/ban-hang/gian-hang/{farm.stall.pk}/khieu-nai/"' in html


def test_commune_staff_reach_their_queues_from_their_own_page(farm):
    html = signed_in(farm.staff).get("/ban-hang/").content.decode()
    assert 'href="/ban-hang/xa/khieu-nai/"' in html and "Khiếu nại trong xã" in html
    assert 'href="/ban-hang/xa/danh-gia/"' in html


def test_a_buyer_is_asked_whether_the_money_arrived_and_the_text_leads_there(
    buyer, cod, farm, outbox, committed
):
    complain(buyer, cod)
    complaint = Complaint.objects.get()
    with committed():
        answer(signed_in(farm.seller), complaint, "refund", amount="20000", proof=photo())

    (text,) = [m.text for m in outbox if m.phone == BUYER_PHONE and "xác nhận" in m.text]
    assert text.endswith(f"#khieu-nai-{cod.order.number}")
    html = buyer.get(f"/khach/don-hang/{cod.checkout.reference}/").content.decode()
    assert "Gian hàng báo đã trả lại 20.000 ₫" in html and "bạn đã nhận được chưa?" in html
    assert "Đã thanh toán. Cảm ơn bạn." not in html  # not while the buyer has not said so
    assert "Khiếu nại / Báo lỗi đơn hàng" not in html  # the page asks for that word, not a new complaint
    assert "Chưa nhận được tiền?" in html  # and the commune is still one tap away


def test_the_delivered_orders_page_puts_the_after_sale_buttons_first(buyer, cod):
    html = buyer.get(f"/khach/don-hang/{cod.checkout.reference}/").content.decode()
    review, satisfaction, timeline = (
        html.index("Đánh giá Vải thiều Lục Ngạn"),
        html.index("Rất hài lòng"),
        html.index('class="timeline'),
    )
    assert review < satisfaction < timeline
