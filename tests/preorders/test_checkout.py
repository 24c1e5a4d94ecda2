"""Pre-orders through the normal checkout: a window's line is priced and limited by its window, never
by stock; every refusal says why and leaves nothing behind; a burst never oversells a window."""

from datetime import timedelta

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.checkout.preorders import PreorderProblem, preorder_line_add
from marketplace.payments.checkout import CheckoutProblem, place_orders
from seasons.models import PreOrder, SaleWindow
from seasons.preorders import release
from tests.factories import burst, make_product, make_window
from tests.preorders.conftest import buyer, preorder_basket

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


def test_a_window_line_is_priced_at_the_window_and_kept_apart_from_stock(coop, window):
    # given: the same lychee also sold from stock, 3 kg at 80.000 ₫
    StockRecord.objects.filter(product=window.product).update(num_in_stock=3)
    basket = preorder_basket(window, 4)
    basket.add_product(window.product, 1)
    basket._lines = None

    # then: two lines, the pre-order at the window's price and limit
    preorder, in_stock = sorted(
        basket.all_lines(), key=lambda line: line.line_reference != f"window-{window.pk}"
    )
    assert (preorder.unit_price_incl_tax, preorder.quantity) == (60000, 4)
    assert preorder.purchase_info.availability.num_available == 100
    assert in_stock.unit_price_incl_tax == 80000
    assert basket.total_incl_tax == 4 * 60000 + 80000

    # when: placed, one order for the stall with both lines
    checkout = place_orders(basket=basket, buyer=buyer(), methods={coop.pk: "cod"})

    payment = checkout.payments.get()
    assert payment.order.lines.count() == 2 and payment.amount == 320000 + 25000
    record = StockRecord.objects.get(product=window.product)
    assert (record.num_in_stock, record.num_allocated) == (3, 1)  # only the in-stock kilogram
    window.refresh_from_db()
    assert (window.reserved, window.state) == (4, "open")
    (taken,) = PreOrder.objects.all()
    assert (taken.quantity, taken.phone, taken.order) == (4, "+84912345678", payment.order)
    assert taken.line.quantity == 4 and taken.line.line_price_incl_tax == 240000


def test_two_adds_of_one_window_make_one_line_and_the_basket_refuses_past_the_window(window):
    basket = preorder_basket(window, 30)
    preorder_line_add(basket=basket, window=window, quantity=20)
    assert [line.quantity for line in basket.all_lines()] == [50]

    SaleWindow.objects.filter(pk=window.pk).update(reserved=60)
    window.refresh_from_db()
    with pytest.raises(PreorderProblem) as refused:
        preorder_line_add(basket=basket, window=window, quantity=1)
    assert refused.value.message == "Chỉ còn 40 kg Vải thiều Lục Ngạn để đặt trước."
    assert [line.quantity for line in basket.all_lines()] == [50]


def _refused(basket, *, phone="+84912345678") -> CheckoutProblem:
    with pytest.raises(CheckoutProblem) as refused:
        place_orders(
            basket=basket,
            buyer=buyer(phone),
            methods={basket.all_lines()[0].stockrecord.partner.stall.pk: "cod"},
        )
    return refused.value


@pytest.mark.parametrize(
    ("change", "quantity", "message"),
    [
        ({"state": "closed", "closed_because": "stall"}, 5, "Đợt đặt trước Vải thiều Lục Ngạn đã đóng."),
        ({"closes_on": -1}, 5, "Đợt đặt trước Vải thiều Lục Ngạn đã đóng."),
        ({"state": "cancelled"}, 5, "Đợt đặt trước Vải thiều Lục Ngạn đã đóng."),
        ({"min_per_buyer": 10}, 5, "Đặt trước Vải thiều Lục Ngạn ít nhất 10 kg."),
        ({"max_per_buyer": 4}, 5, "Mỗi người mua đặt tối đa 4 kg."),
        ({"reserved": 97}, 5, "Chỉ còn 3 kg Vải thiều Lục Ngạn để đặt trước."),
        ({"price": 65000}, 5, "Giá đặt trước Vải thiều Lục Ngạn nay là 65.000 ₫ (trước là 60.000 ₫)."),
    ],
)
def test_each_bad_pre_order_says_why_and_creates_nothing(window, change, quantity, message):
    basket = preorder_basket(window, quantity)
    if "closes_on" in change:
        change = {
            "opens_on": timezone.localdate() - timedelta(days=9),
            "closes_on": timezone.localdate() - timedelta(days=1),
        }
    SaleWindow.objects.filter(pk=window.pk).update(**change)
    reserved = SaleWindow.objects.get(pk=window.pk).reserved

    problem = _refused(basket)

    assert problem.messages == [message]
    assert problem.prices_changed == ("price" in change)
    assert Order.objects.count() == 0 and PreOrder.objects.count() == 0
    assert SaleWindow.objects.get(pk=window.pk).reserved == reserved
    basket.refresh_from_db()
    assert basket.status == Basket.OPEN and basket.lines.count() == 1


def test_the_per_buyer_maximum_counts_earlier_pre_orders_of_the_same_phone(coop, window):
    SaleWindow.objects.filter(pk=window.pk).update(max_per_buyer=50)
    place_orders(basket=preorder_basket(window, 48), buyer=buyer(), methods={coop.pk: "cod"})

    problem = _refused(preorder_basket(window, 5))

    assert problem.messages == ["Mỗi người mua đặt tối đa 50 kg; bạn đã đặt 48 kg."]
    assert PreOrder.objects.count() == 1
    # another phone is not held back by it; a cancelled pre-order no longer counts
    place_orders(basket=preorder_basket(window, 5), buyer=buyer("+84987654321"), methods={coop.pk: "cod"})
    PreOrder.objects.filter(phone="+84912345678").update(cancelled_at=timezone.now())
    place_orders(basket=preorder_basket(window, 5), buyer=buyer(), methods={coop.pk: "cod"})
    assert SaleWindow.objects.get(pk=window.pk).reserved == 58


def test_the_last_kilograms_close_the_window_as_full(coop, window):
    SaleWindow.objects.filter(pk=window.pk).update(reserved=95)

    place_orders(basket=preorder_basket(window, 5), buyer=buyer(), methods={coop.pk: "cod"})

    window.refresh_from_db()
    assert (window.reserved, window.state, window.closed_because) == (100, "closed", "full")
    assert window.closed_at is not None
    assert not SaleWindow.objects.open_on().filter(pk=window.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_race_for_the_last_five_kilograms():
    window = make_window(capacity=5, price=60000)
    stall = window.stall
    baskets = [preorder_basket(window, 1) for _ in range(50)]

    def checkout(i):
        try:
            place_orders(basket=baskets[i], buyer=buyer(f"+8491200{i:04d}"), methods={stall.pk: "cod"})
            return "ordered"
        except CheckoutProblem as problem:
            return problem.messages[0]

    outcomes = burst(checkout, 50)

    assert outcomes.count("ordered") == 5
    refusals = [outcome for outcome in outcomes if outcome != "ordered"]
    assert len(refusals) == 45 and all("đã đóng" in refusal for refusal in refusals)
    window.refresh_from_db()
    assert (window.reserved, window.capacity, window.state, window.closed_because) == (5, 5, "closed", "full")
    assert Order.objects.count() == 5 and PreOrder.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_one_phone_racing_ten_checkouts_gets_no_more_than_its_maximum():
    window = make_window(capacity=100, max_per_buyer=3)
    baskets = [preorder_basket(window, 1) for _ in range(10)]

    def checkout(i):
        try:
            place_orders(basket=baskets[i], buyer=buyer(), methods={window.stall.pk: "cod"})
            return "ordered"
        except CheckoutProblem as problem:
            return problem.messages[0]

    outcomes = burst(checkout, 10)

    assert outcomes.count("ordered") == 3
    assert outcomes.count("Mỗi người mua đặt tối đa 3 kg; bạn đã đặt 3 kg.") == 7
    assert SaleWindow.objects.get(pk=window.pk).reserved == 3
    assert PreOrder.objects.filter(phone="+84912345678").count() == 3


def test_an_in_stock_product_and_a_window_of_another_product_share_one_order(coop, window):
    honey = make_product(stall=coop, title="Mật ong rừng", price=150000, stock=2)
    basket = preorder_basket(window, 2)
    basket.add_product(honey, 1)
    basket._lines = None

    checkout = place_orders(basket=basket, buyer=buyer(), methods={coop.pk: "cod"})

    assert checkout.payments.count() == 1
    assert StockRecord.objects.get(product=honey).num_allocated == 1
    assert PreOrder.objects.get().quantity == 2


def test_cancelled_pre_order_lines_give_their_kilograms_back_and_reopen_a_full_window(coop, window):
    SaleWindow.objects.filter(pk=window.pk).update(capacity=5)
    checkout = place_orders(basket=preorder_basket(window, 5), buyer=buyer(), methods={coop.pk: "cod"})
    lines = list(checkout.payments.get().order.lines.all())
    assert SaleWindow.objects.get(pk=window.pk).state == "closed"

    assert release(lines=lines) == {lines[0].pk}
    assert release(lines=lines) == {lines[0].pk}  # twice changes nothing more

    window.refresh_from_db()
    assert (window.reserved, window.state, window.closed_because) == (0, "open", "")
    assert PreOrder.objects.get().cancelled_at is not None
    assert not StockRecord.objects.get(product=window.product).num_allocated  # never allocated
