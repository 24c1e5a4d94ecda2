"""Placing a basket across stalls: one order per stall, all or none, and never overselling."""

import threading

import pytest
from django.db import connection
from oscar.core.loading import get_class, get_model

from marketplace.payments.checkout import Buyer, CheckoutProblem, place_orders, refresh_prices, stall_groups
from marketplace.payments.models import Checkout, OrderPayment
from sellers.models import Stall
from tests.factories import StallFactory, make_product

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
Selector = get_class("partner.strategy", "Selector")

BUYER = Buyer(
    name="Trần Thị Mai",
    phone="+84912345678",
    email="mai@example.vn",
    delivery=Checkout.Delivery.DELIVERY,
    province_code=24,
    province_name="Bắc Ninh",
    commune_code=7582,
    commune_name="Xã Lục Ngạn",
    address="Thôn Kép 1",
)


def basket_with(*items) -> Basket:
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    for product, quantity in items:
        basket.add_product(product, quantity)
    return basket


@pytest.fixture
def two_stalls():
    coop = StallFactory(
        partner__name="HTX Lục Ngạn Xanh",
        bank_bin="970436",
        bank_account_number="0011001234567",
        bank_account_name="HTX LUC NGAN XANH",
        delivery_fee=25000,
        free_delivery_from=300000,
    )
    farm = StallFactory(partner__name="Vườn bưởi cô Lan", delivery_fee=20000)
    lychee = make_product(stall=coop, title="Vải thiều Lục Ngạn", price=65000, stock=10)
    pomelo = make_product(stall=farm, title="Bưởi da xanh", price=50000, stock=3)
    return coop, farm, lychee, pomelo


def test_one_checkout_makes_one_order_per_stall(two_stalls):
    coop, farm, lychee, pomelo = two_stalls
    basket = basket_with((lychee, 2), (pomelo, 1))

    checkout = place_orders(
        basket=basket,
        buyer=BUYER,
        methods={coop.pk: OrderPayment.Method.VIETQR, farm.pk: OrderPayment.Method.COD},
    )

    payments = {p.stall: p for p in checkout.payments.select_related("order")}
    assert set(payments) == {coop, farm}
    coop_order, farm_order = payments[coop].order, payments[farm].order
    assert [line.product for line in coop_order.lines.all()] == [lychee]
    assert [line.product for line in farm_order.lines.all()] == [pomelo]
    assert (payments[coop].amount, payments[farm].amount) == (130000 + 25000, 50000 + 20000)
    assert (payments[coop].method, payments[farm].method) == ("vietqr", "cod")
    assert coop_order.shipping_address.phone_number == "+84912345678"
    assert coop_order.number != farm_order.number
    basket.refresh_from_db()
    assert basket.status == Basket.SUBMITTED
    assert StockRecord.objects.get(product=pomelo).net_stock_level == 2


def test_free_delivery_above_the_stalls_amount_and_free_pickup(two_stalls):
    coop, farm, lychee, pomelo = two_stalls
    basket = basket_with((lychee, 5), (pomelo, 1))

    delivered = {g.stall: g.delivery_fee for g in stall_groups(basket)}
    picked_up = {g.stall: g.delivery_fee for g in stall_groups(basket, delivery=Checkout.Delivery.PICKUP)}

    assert delivered == {coop: 0, farm: 20000}  # 325.000 ₫ at the cooperative: free from 300.000 ₫
    assert picked_up == {coop: 0, farm: 0}


def test_a_changed_price_stops_the_order_and_the_basket_is_repriced(two_stalls):
    coop, farm, lychee, pomelo = two_stalls
    basket = basket_with((lychee, 2), (pomelo, 1))
    StockRecord.objects.filter(product=lychee).update(price=70000)

    with pytest.raises(CheckoutProblem) as problem:
        place_orders(basket=basket, buyer=BUYER, methods={coop.pk: "cod", farm.pk: "cod"})

    assert problem.value.prices_changed
    assert "Vải thiều Lục Ngạn" in problem.value.messages[0] and "70.000 ₫" in problem.value.messages[0]
    assert not Order.objects.exists() and not Checkout.objects.exists()
    assert refresh_prices(basket) and basket.all_lines()[0].price_incl_tax == 70000
    assert (
        len(place_orders(basket=basket, buyer=BUYER, methods={coop.pk: "cod", farm.pk: "cod"}).payments.all())
        == 2
    )


@pytest.mark.parametrize("what", ["stock", "suspended"])
def test_nothing_is_half_created(two_stalls, what):
    coop, farm, lychee, pomelo = two_stalls
    basket = basket_with((lychee, 2), (pomelo, 3))
    if what == "stock":
        StockRecord.objects.filter(product=pomelo).update(num_in_stock=2)
    else:
        Stall.objects.filter(pk=farm.pk).update(status=Stall.Status.SUSPENDED)

    with pytest.raises(CheckoutProblem) as problem:
        place_orders(basket=basket, buyer=BUYER, methods={coop.pk: "cod", farm.pk: "cod"})

    assert "Bưởi da xanh" in problem.value.messages[0]
    assert not Order.objects.exists() and not OrderPayment.objects.exists()
    assert StockRecord.objects.get(product=lychee).num_allocated in (None, 0)
    basket.refresh_from_db()
    assert basket.status == Basket.OPEN


def test_vietqr_is_offered_only_to_a_stall_with_a_bank_account_and_cards_only_when_configured(
    two_stalls, settings
):
    coop, farm, lychee, pomelo = two_stalls
    settings.STRIPE_SECRET_KEY = ""
    basket = basket_with((pomelo, 1))

    for method in ("vietqr", "card"):
        with pytest.raises(CheckoutProblem):
            place_orders(basket=basket, buyer=BUYER, methods={farm.pk: method})


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_race_for_the_last_five_units():
    stall = StallFactory()
    product = make_product(stall=stall, title="Vải thiều loại 1", price=65000, stock=5)
    baskets = [basket_with((product, 1)) for _ in range(50)]
    barrier = threading.Barrier(50)
    outcomes = []

    def buy(basket):
        barrier.wait()
        try:
            place_orders(basket=basket, buyer=BUYER, methods={stall.pk: "cod"})
            outcomes.append("ordered")
        except CheckoutProblem as problem:
            outcomes.append(problem.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(basket,)) for basket in baskets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("ordered") == 5
    assert outcomes.count("Hết hàng: Vải thiều loại 1.") == 45
    assert Order.objects.count() == 5
    record = StockRecord.objects.get(product=product)
    assert record.net_stock_level == 0 and record.num_allocated == 5


def test_after_login_the_merged_basket_is_repriced_and_moved_to_a_stall_that_sells(client, two_stalls):
    from tests.factories import UserFactory

    coop, farm, lychee, pomelo = two_stalls
    other = StallFactory(partner__name="Vườn vải bà Hòa")
    StockRecord.objects.create(
        product=lychee,
        partner=other.partner,
        partner_sku="LX-2",
        price=68000,
        price_currency="VND",
        num_in_stock=9,
    )
    client.post(f"/shop/basket/add/{lychee.pk}/", {"product_id": lychee.pk, "quantity": 2})
    StockRecord.objects.filter(partner=coop.partner).update(price=60000)
    Stall.objects.filter(pk=coop.pk).update(status=Stall.Status.SUSPENDED)  # the stall it was added from
    buyer = UserFactory()

    client.force_login(buyer)
    client.get("/shop/basket/")  # the cookie basket merges into the buyer's

    line = Basket.objects.get(owner=buyer, status=Basket.OPEN).lines.get()
    assert line.stockrecord.partner == other.partner
    assert line.price_incl_tax == 68000


def test_a_second_submission_of_the_same_basket_orders_nothing_more(two_stalls):
    coop, farm, lychee, pomelo = two_stalls
    basket = basket_with((pomelo, 2))
    stale_copy = Basket.objects.get(pk=basket.pk)  # what a double click's second request loaded
    stale_copy.strategy = basket.strategy
    place_orders(basket=basket, buyer=BUYER, methods={farm.pk: "cod"})

    with pytest.raises(CheckoutProblem):
        place_orders(basket=stale_copy, buyer=BUYER, methods={farm.pk: "cod"})

    assert Order.objects.count() == 1
    assert StockRecord.objects.get(product=pomelo).num_allocated == 2


def test_two_lines_on_one_stock_record_are_counted_together(two_stalls):
    coop, farm, lychee, pomelo = two_stalls
    basket = basket_with((pomelo, 2))
    line = basket.all_lines()[0]
    basket.lines.create(
        line_reference="second",
        product=pomelo,
        stockrecord=line.stockrecord,
        quantity=2,
        price_currency="VND",
        price_excl_tax=line.price_excl_tax,
        price_incl_tax=line.price_incl_tax,
    )
    basket._lines = None

    with pytest.raises(CheckoutProblem) as problem:
        place_orders(basket=basket, buyer=BUYER, methods={farm.pk: "cod"})

    assert "Bưởi da xanh" in problem.value.messages[0] and not Order.objects.exists()
