"""The code on the basket page, in the buyer's words; who may make which code."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.payments.checkout import place_orders
from marketplace.promotions.models import VoucherFunding
from tests.factories import StallFactory, make_product, province_member, seller_with_stall
from tests.promotions.conftest import BUYER, basket_with, make_voucher

pytestmark = pytest.mark.django_db


def _fill_basket(client, *items):
    for product, quantity in items:
        client.post(f"/shop/basket/add/{product.pk}/", {"product_id": product.pk, "quantity": quantity})


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_basket_page_shows_each_stalls_discount_and_what_the_buyer_pays(
    client, shop, django_assert_max_num_queries
):
    make_voucher("BACNINH10", funder="province", discount="percent", value=10)
    _fill_basket(client, (shop["lychee"], 3), (shop["pomelo"], 1), (shop["tea"], 1))

    added = client.post("/ma-giam-gia/them/", {"code": " bacninh10 "}, follow=True)

    assert _messages(added)[-1] == "Đã dùng mã BACNINH10: giảm 10%, do Tỉnh Bắc Ninh trả."
    with django_assert_max_num_queries(30):  # 19 without a code
        page = client.get("/shop/basket/")
    text = page.content.decode()
    assert "Mã BACNINH10: giảm 30.000 ₫ ở Vườn vải Hùng Lan" in text
    assert "Mã BACNINH10: giảm 5.000 ₫ ở Vườn bưởi cô Lan" in text
    assert "Chè Tân Cương (" not in text
    # 300.000 + 50.000 + 200.000 goods, 30.000 delivery, 35.000 off
    assert "545.000" in text

    # and the buyer can take the code off again
    voucher_pk = page.context["basket"].vouchers.get().pk
    removed = client.post(f"/ma-giam-gia/bo/{voucher_pk}/", follow=True)
    assert "Mã BACNINH10: giảm" not in removed.content.decode()
    assert not removed.context["basket"].vouchers.exists()


@pytest.mark.parametrize(
    ("code", "vietnamese", "english"),
    [
        ("KHONGCO", "Không có mã KHONGCO. Hãy xem lại chữ và số.", "There is no code KHONGCO."),
        ("HETHAN", "Mã HETHAN đã hết hạn", "The code HETHAN ended on"),
        ("SAPTOI", "Mã SAPTOI dùng được từ ngày", "The code SAPTOI can be used from"),
        ("HETLUOT", "Mã HETLUOT đã hết lượt dùng.", "The code HETLUOT has been used up."),
        (
            "VAI2027",
            "Mã VAI2027 chỉ áp dụng cho hàng của Vườn vải Hùng Lan.",
            "only for goods from Vườn vải Hùng Lan",
        ),
        (
            "BACNINH10",
            "Mã BACNINH10 chỉ áp dụng cho hàng của các gian hàng ở tỉnh Bắc Ninh.",
            "stalls in Bắc Ninh",
        ),
        (
            "TU500K",
            "Mã TU500K cần mua từ 500.000 ₫ hàng được giảm; bạn đang có 200.000 ₫.",
            "needs 500.000 ₫",
        ),
    ],
)
def test_a_code_that_cannot_be_used_says_why_in_the_buyers_language(client, shop, code, vietnamese, english):
    today = timezone.localdate()
    lychee_stall, tea_stall = shop["lychee_stall"], shop["tea_stall"]
    make_voucher(
        "HETHAN", stall=tea_stall, starts_on=today - timedelta(days=9), ends_on=today - timedelta(days=1)
    )
    make_voucher(
        "SAPTOI", stall=tea_stall, starts_on=today + timedelta(days=2), ends_on=today + timedelta(days=9)
    )
    used = make_voucher("HETLUOT", stall=tea_stall, max_uses=1)
    place_orders(
        basket=basket_with((shop["tea"], 1), vouchers=[used]), buyer=BUYER, methods={tea_stall.pk: "cod"}
    )
    make_voucher("VAI2027", stall=lychee_stall)
    make_voucher("BACNINH10", funder="province", discount="percent", value=10)
    make_voucher("TU500K", stall=tea_stall, min_spend=500000)
    _fill_basket(client, (shop["tea"], 1))

    answer = client.post("/ma-giam-gia/them/", {"code": code}, follow=True)
    client.cookies["django_language"] = "en"
    english_answer = client.post("/ma-giam-gia/them/", {"code": code}, follow=True)

    assert vietnamese in _messages(answer)[-1]
    assert english in _messages(english_answer)[-1]
    assert client.get("/shop/basket/").context["basket"].vouchers.count() == 0


def test_a_seller_makes_a_code_for_their_own_stall_only_and_never_a_provinces(client):
    seller, stall = seller_with_stall()
    other = StallFactory()
    client.force_login(seller)
    today = timezone.localdate().isoformat()
    code = {"code": "vuon2027", "discount": "amount", "value": "20000", "starts_on": today, "ends_on": today}

    made = client.post(f"/ban-hang/gian-hang/{stall.pk}/ma-giam-gia/", code | {"funder": "stall"})
    elsewhere = client.post(
        f"/ban-hang/gian-hang/{other.pk}/ma-giam-gia/", code | {"code": "KHAC2027", "funder": "stall"}
    )
    province = client.post(
        f"/ban-hang/gian-hang/{stall.pk}/ma-giam-gia/", code | {"code": "TINH2027", "funder": "province"}
    )
    cooperative = client.post(
        f"/ban-hang/gian-hang/{stall.pk}/ma-giam-gia/", code | {"code": "HTX2027", "funder": "cooperative"}
    )

    assert made.status_code == 302
    funding = VoucherFunding.objects.get()
    assert (funding.voucher.code, funding.funder, funding.stall, funding.value) == (
        "VUON2027",
        "stall",
        stall,
        20000,
    )
    assert elsewhere.status_code == 404
    assert province.status_code == 400 and cooperative.status_code == 400  # a household is no cooperative
    assert VoucherFunding.objects.count() == 1


def test_a_cooperative_may_pay_for_its_members_codes(client, shop):
    seller, coop = seller_with_stall(kind="cooperative", partner__name="HTX Lục Ngạn")
    member = StallFactory(cooperative=coop, commune=coop.commune)
    client.force_login(seller)
    today = timezone.localdate().isoformat()
    client.post(
        f"/ban-hang/gian-hang/{coop.pk}/ma-giam-gia/",
        {
            "code": "HTX2027",
            "funder": "cooperative",
            "discount": "percent",
            "value": "5",
            "starts_on": today,
            "ends_on": today,
        },
    )
    funding = VoucherFunding.objects.get()
    product = make_product(stall=member, price=100000)

    checkout = place_orders(
        basket=basket_with((product, 2), (shop["tea"], 1), vouchers=[funding]),
        buyer=BUYER,
        methods={member.pk: "cod", shop["tea_stall"].pk: "cod"},
    )

    row = checkout.payments.get(stall=member).order.fundings.get()
    assert (row.amount, row.funder_stall, row.stall_bears_it) == (10000, coop, False)
    assert not checkout.payments.get(stall=shop["tea_stall"]).order.fundings.exists()


def test_province_staff_make_codes_for_their_own_province_only(client, shop):
    staff = province_member(province_code=24)
    client.force_login(staff)
    today = timezone.localdate().isoformat()
    code = {"discount": "percent", "value": "10", "starts_on": today, "ends_on": today, "funder": "province"}

    made = client.post("/ma-giam-gia/", code | {"code": "BACNINH10", "province": "24"})
    elsewhere = client.post("/ma-giam-gia/", code | {"code": "THAINGUYEN", "province": "19"})
    client.force_login(seller_with_stall()[0])
    seller_page = client.get("/ma-giam-gia/")

    assert made.status_code == 302
    assert elsewhere.status_code == 400
    assert [(f.voucher.code, f.province_code, f.province_name) for f in VoucherFunding.objects.all()] == [
        ("BACNINH10", 24, "Bắc Ninh")
    ]
    assert seller_page.status_code == 404


def test_the_stall_order_page_says_who_pays_the_discount_and_what_the_stall_still_receives(client, shop):
    seller, stall = seller_with_stall(partner__name="Vườn vải Hùng Lan", delivery_fee=0)
    lychee = make_product(stall=stall, price=100000)
    code = make_voucher("BACNINH20K", funder="province", value=20000)
    own = make_voucher("VAI2027", stall=stall, value=10000)
    place_orders(basket=basket_with((lychee, 3), vouchers=[code]), buyer=BUYER, methods={stall.pk: "cod"})
    place_orders(basket=basket_with((lychee, 1), vouchers=[own]), buyer=BUYER, methods={stall.pk: "cod"})
    client.force_login(seller)

    page = client.get(f"/ban-hang/gian-hang/{stall.pk}/don-hang/").content.decode()

    assert (
        "Giảm 20.000 ₫ (Tỉnh Bắc Ninh trả) — bạn vẫn nhận đủ 300.000 ₫: 280.000 ₫ từ người mua, "
        "20.000 ₫ từ Tỉnh Bắc Ninh." in page
    )
    assert "Giảm 10.000 ₫ với mã VAI2027 của gian hàng bạn: gian hàng chịu khoản giảm này." in page


def test_the_funders_pages_say_who_owes_whom(client, shop):
    lychee_stall = shop["lychee_stall"]
    seller = seller_with_stall()[0]
    lychee_stall.owner = seller
    lychee_stall.save(update_fields=["owner"])
    province = make_voucher("BACNINH10", funder="province", discount="percent", value=10)
    own = make_voucher("VAI2027", stall=lychee_stall, value=20000)
    place_orders(
        basket=basket_with((shop["lychee"], 3), vouchers=[province]),
        buyer=BUYER,
        methods={lychee_stall.pk: "cod"},
    )
    place_orders(
        basket=basket_with((shop["lychee"], 1), vouchers=[own]), buyer=BUYER, methods={lychee_stall.pk: "cod"}
    )

    client.force_login(seller)
    stall_page = client.get(f"/ban-hang/gian-hang/{lychee_stall.pk}/ma-giam-gia/").content.decode()
    client.force_login(province_member(province_code=24))
    province_page = client.get("/ma-giam-gia/").content.decode()

    assert "VAI2027" in stall_page and "BACNINH10" not in stall_page.split("Giảm giá trên đơn")[0]
    assert "Bắc Ninh nợ bạn 30.000 ₫ (số đơn: 1)" in stall_page
    assert "Mã của bạn đã giảm 20.000 ₫ (số đơn: 1)" in stall_page
    assert "Vườn vải Hùng Lan: 30.000 ₫ (số đơn: 1)" in province_page
    assert "Số người mua đã dùng: 1" in province_page
