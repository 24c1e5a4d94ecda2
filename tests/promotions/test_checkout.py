"""Funded vouchers through the real checkout: which stall's order each lowers, and who pays for it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from oscar.core.loading import get_class

from marketplace.payments.checkout import CheckoutProblem, place_orders
from marketplace.payments.services import vietqr_for
from marketplace.promotions import services
from marketplace.promotions.demo import seed_vouchers
from marketplace.promotions.models import DiscountFunding
from sellers.models import Stall
from tests.factories import burst, make_product
from tests.promotions.conftest import BUYER, basket_with, make_voucher

pytestmark = pytest.mark.django_db
Applicator = get_class("offer.applicator", "Applicator")


def _orders(checkout):
    return {
        payment.stall.name: payment for payment in checkout.payments.select_related("order", "stall__partner")
    }


def test_a_stall_funded_code_lowers_only_that_stalls_order_and_the_stall_bears_it(shop):
    # given: VAI2027, 20.000 ₫ off from 300.000 ₫ at the lychee stall; 3 kg lychee and 2 pomelos
    code = make_voucher("VAI2027", stall=shop["lychee_stall"], value=20000, min_spend=300000)
    basket = basket_with((shop["lychee"], 3), (shop["pomelo"], 2), vouchers=[code])

    # when
    checkout = place_orders(basket=basket, buyer=BUYER, methods=_vietqr(shop))

    # then: 300.000 - 20.000 + 30.000 delivery; the pomelos' 100.000 untouched
    orders = _orders(checkout)
    lychee, pomelo = orders["Vườn vải Hùng Lan"], orders["Vườn bưởi cô Lan"]
    assert lychee.amount == 310000 and lychee.order.total_incl_tax == 310000
    assert pomelo.amount == 100000
    assert lychee.order.discounts.get().amount == 20000
    assert not pomelo.order.discounts.exists()
    funding = DiscountFunding.objects.get()
    assert (funding.order, funding.stall, funding.amount, funding.code) == (
        lychee.order,
        shop["lychee_stall"],
        20000,
        "VAI2027",
    )
    assert funding.stall_bears_it
    # the QR asks for what the buyer pays: 310.000 ₫ (EMVCo tag 54)
    assert "5406310000" in vietqr_for(lychee)["payload"]


def test_a_province_code_lowers_each_stall_in_the_province_and_the_province_owes_each(shop):
    code = make_voucher("BACNINH10", funder="province", discount="percent", value=10)
    basket = basket_with((shop["lychee"], 3), (shop["pomelo"], 1), (shop["tea"], 1), vouchers=[code])

    checkout = place_orders(basket=basket, buyer=BUYER, methods=_vietqr(shop))

    orders = _orders(checkout)
    assert orders["Vườn vải Hùng Lan"].amount == 300000 - 30000 + 30000
    assert orders["Vườn bưởi cô Lan"].amount == 50000 - 5000
    assert orders["Chè Tân Cương"].amount == 200000  # Thái Nguyên: not Bắc Ninh's code
    rows = {row.stall.name: row for row in DiscountFunding.objects.select_related("stall__partner")}
    assert {name: row.amount for name, row in rows.items()} == {
        "Vườn vải Hùng Lan": 30000,
        "Vườn bưởi cô Lan": 5000,
    }
    assert all(row.funder == "province" and row.province_code == 24 for row in rows.values())
    assert not any(row.stall_bears_it for row in rows.values())
    assert all(row.checkout_reference == checkout.reference for row in rows.values())


def test_a_fixed_amount_is_given_once_to_the_stall_with_the_most_covered_goods(shop):
    code = make_voucher("MUAVAI", funder="province", value=50000)
    basket = basket_with((shop["lychee"], 1), (shop["pomelo"], 3), vouchers=[code])  # 100.000 / 150.000

    checkout = place_orders(basket=basket, buyer=BUYER, methods=_vietqr(shop))

    orders = _orders(checkout)
    assert orders["Vườn bưởi cô Lan"].amount == 100000
    assert orders["Vườn vải Hùng Lan"].amount == 100000 + 30000
    assert list(DiscountFunding.objects.values_list("amount", flat=True)) == [50000]


def test_a_code_used_once_per_phone_is_refused_the_second_time_and_nothing_is_placed(shop):
    code = make_voucher("MOTLAN", stall=shop["lychee_stall"], once_per_phone=True)
    place_orders(basket=basket_with((shop["lychee"], 1), vouchers=[code]), buyer=BUYER, methods=_vietqr(shop))

    again = basket_with((shop["lychee"], 1), vouchers=[code])
    with pytest.raises(CheckoutProblem) as problem:
        place_orders(basket=again, buyer=BUYER, methods=_vietqr(shop))

    assert "MOTLAN" in problem.value.messages[0]
    assert DiscountFunding.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_one_use_code_is_used_exactly_once_by_ten_buyers_at_the_same_moment(shop):
    # given: ten buyers, each a different product of the stall (no shared stock row to queue on)
    code = make_voucher("CHIMOT", stall=shop["lychee_stall"], max_uses=1)
    baskets = [
        basket_with((make_product(stall=shop["lychee_stall"], price=100000, stock=5), 1), vouchers=[code])
        for _buyer in range(10)
    ]

    def checkout(index):
        try:
            place_orders(basket=baskets[index], buyer=BUYER, methods=_vietqr(shop))
        except CheckoutProblem as problem:
            return problem.messages
        return "placed"

    # when
    results = burst(checkout, 10)

    # then
    assert results.count("placed") == 1
    assert all("CHIMOT" in result[0] for result in results if result != "placed")
    assert DiscountFunding.objects.count() == 1


def _vietqr(shop):
    return {shop[name].pk: "vietqr" for name in ("lychee_stall", "pomelo_stall", "tea_stall")}


def test_the_demo_codes_are_made_once(shop):
    Stall.objects.filter(pk=shop["lychee_stall"].pk).update(slug="htx-luc-ngan-xanh")
    first, again = seed_vouchers(), seed_vouchers()

    assert [f.pk for f in first] == [f.pk for f in again]
    assert [(f.voucher.code, f.funder, f.value, f.min_spend) for f in first] == [
        ("BACNINH10", "province", 10, 0),
        ("VAI2027", "stall", 20000, 300000),
    ]


def test_with_two_codes_checkout_gives_each_stall_what_the_basket_page_showed(shop):
    # given: the province's 10 % and the lychee stall's 20.000 ₫; a line takes one code's discount
    province = make_voucher("BACNINH10", funder="province", discount="percent", value=10)
    own = make_voucher("VAI2027", stall=shop["lychee_stall"], value=20000)
    shown = basket_with((shop["lychee"], 3), (shop["pomelo"], 1), vouchers=[province, own])
    Applicator().apply(shown, AnonymousUser())
    on_the_page = {
        (line.code, line.stall.name): line.amount for line in services.basket_vouchers(shown).lines
    }

    # when
    place_orders(
        basket=basket_with((shop["lychee"], 3), (shop["pomelo"], 1), vouchers=[province, own]),
        buyer=BUYER,
        methods=_vietqr(shop),
    )

    # then
    placed = {
        (row.code, row.stall.name): row.amount
        for row in DiscountFunding.objects.select_related("stall__partner")
    }
    assert (
        placed
        == on_the_page
        == {("VAI2027", "Vườn vải Hùng Lan"): 20000, ("BACNINH10", "Vườn bưởi cô Lan"): 5000}
    )
