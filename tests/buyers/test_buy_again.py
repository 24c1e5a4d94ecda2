"""Issue #17 (4), buy again in one tap: what is still sold goes into the basket (at most the stock),
and the basket page says plainly what could not be added and why."""

import pytest
from django.utils import translation

from marketplace.demo_orders import buy
from sellers.models import Stall
from tests.factories import make_product, seller_with_stall

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_buy_again_adds_what_is_sold_and_explains_the_rest(client, sign_in):
    _seller, farm = seller_with_stall(partner__name="Vườn bác Tư")
    _other, gone = seller_with_stall(partner__name="Vườn đã nghỉ")
    lychee = make_product(stall=farm, title="Vải thiều", stock=50)
    honey = make_product(stall=farm, title="Mật ong", stock=50)
    tea = make_product(stall=farm, title="Chè Tân Cương", stock=50)
    pomelo = make_product(stall=gone, title="Bưởi Diễn", stock=50)
    payments = buy([(lychee, 2), (honey, 3), (tea, 1), (pomelo, 1)], phone="0912 345 678")
    order = next(p for p in payments if p.stall == farm).order
    other_order = next(p for p in payments if p.stall == gone).order
    honey.stockrecords.update(num_in_stock=1, num_allocated=0)  # 1 left of the 3 bought
    tea.stockrecords.update(num_in_stock=0, num_allocated=0)
    Stall.objects.filter(pk=gone.pk).update(status=Stall.Status.SUSPENDED)
    sign_in(client)

    response = client.post(f"/khach/mua-lai/{order.number}/", follow=True)

    assert response.redirect_chain[-1][0] == "/shop/basket/"
    basket = response.context["request"].basket
    assert {line.product.title: line.quantity for line in basket.all_lines()} == {
        "Vải thiều": 2,
        "Mật ong": 1,
    }
    said = " ".join(messages_of(response))
    with translation.override("vi"):
        assert translation.gettext("%(product)s: out of stock.") % {"product": "Chè Tân Cương"} in said
        assert (
            translation.gettext("%(product)s: only %(count)s left, %(count)s added.")
            % {"product": "Mật ong", "count": 1}
            in said
        )

    again = client.post(f"/khach/mua-lai/{other_order.number}/", follow=True)
    with translation.override("vi"):
        assert translation.gettext("%(product)s: no stall sells it now.") % {
            "product": "Bưởi Diễn"
        } in " ".join(messages_of(again))
        assert translation.gettext("Nothing from this order can be bought now.") in messages_of(again)
    assert again.context["request"].basket.num_items == 3


def test_buy_again_never_goes_beyond_the_stock_with_what_the_basket_holds(client, sign_in):
    _seller, farm = seller_with_stall()
    lychee = make_product(stall=farm, title="Vải thiều", stock=10)
    (payment,) = buy([(lychee, 3)], phone="0912 345 678")
    lychee.stockrecords.update(num_in_stock=5, num_allocated=0)
    sign_in(client)

    client.post(f"/khach/mua-lai/{payment.order.number}/")
    response = client.post(f"/khach/mua-lai/{payment.order.number}/", follow=True)

    assert response.context["request"].basket.num_items == 5


def test_buy_again_is_a_post_of_the_orders_own_buyer(client, sign_in):
    _seller, farm = seller_with_stall()
    lychee = make_product(stall=farm, title="Vải thiều")
    (payment,) = buy([(lychee, 1)], phone="0912 345 678")

    assert client.post(f"/khach/mua-lai/{payment.order.number}/").status_code == 404  # a stranger
    sign_in(client)
    assert client.get(f"/khach/mua-lai/{payment.order.number}/").status_code == 405
    assert client.post(f"/khach/mua-lai/{'9' * 5000}/").status_code == 404
