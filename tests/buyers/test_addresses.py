"""Issue #17 (4), keep addresses: the checkout form of a buyer signed in by phone starts from their
last checkout (guest ones of that phone too) and offers their other past addresses in one tap."""

import pytest

from marketplace.demo_orders import buy
from marketplace.payments.models import Checkout
from tests.buyers.conftest import OTHER_PHONE
from tests.factories import make_product, seller_with_stall

pytestmark = pytest.mark.django_db


@pytest.fixture
def lychee():
    _seller, farm = seller_with_stall()
    return make_product(stall=farm, title="Vải thiều", price=65000)


def placed(product, *, phone="0912 345 678", name="Trần Thị Mai", address="Thôn Kép 1") -> Checkout:
    (payment,) = buy([(product, 1)], phone=phone, name=name)
    Checkout.objects.filter(pk=payment.checkout_id).update(address=address, commune_code=7582)
    return payment.checkout


def checkout_page(client, product, data=None):
    client.post(f"/shop/basket/add/{product.pk}/", {"product_id": product.pk, "quantity": 1})
    if data is None:
        return client.get("/shop/checkout/")
    return client.post("/shop/checkout/", data)


def test_the_form_starts_from_the_last_address_of_the_phone(client, sign_in, lychee):
    placed(lychee, address="Thôn Kép 1")  # as a guest, on another device
    placed(lychee, address="Số 5 phố Chợ")
    placed(lychee, phone=OTHER_PHONE, name="Người khác", address="Ngõ 9")
    sign_in(client)

    form = checkout_page(client, lychee).context["form"]

    assert form.initial["name"] == "Trần Thị Mai"
    assert form.initial["phone"] == "0912 345 678"
    assert form.initial["address"] == "Số 5 phố Chợ"
    assert form.initial["commune"] == 7582


def test_past_addresses_are_offered_and_one_tap_fills_the_fields(client, sign_in, lychee):
    placed(lychee, address="Thôn Kép 1")
    placed(lychee, address="Số 5 phố Chợ")
    placed(lychee, address="Số 5 phố Chợ")  # the same again: offered once
    placed(lychee, address="Xóm Bãi")
    placed(lychee, address="Đội 3")
    theirs = placed(lychee, phone=OTHER_PHONE, name="Người khác", address="Ngõ 9")
    sign_in(client)

    page = checkout_page(client, lychee)
    html = page.content.decode()
    assert [a.fields["address"] for a in page.context["addresses"]] == ["Đội 3", "Xóm Bãi", "Số 5 phố Chợ"]
    assert 'name="saved_address"' in html
    assert "Ngõ 9" not in html

    chosen = page.context["addresses"][2].reference
    refreshed = checkout_page(client, lychee, {"saved_address": chosen, "use_address": "1", "name": "x"})
    assert refreshed.status_code == 200
    assert refreshed.context["form"].initial["address"] == "Số 5 phố Chợ"
    assert refreshed.context["form"].initial["name"] == "Trần Thị Mai"
    assert f'value="{chosen}" checked' in refreshed.content.decode()

    # Another buyer's checkout reference, guessed, fills nothing.
    refused = checkout_page(client, lychee, {"saved_address": theirs.reference, "use_address": "1"})
    assert "Ngõ 9" not in refused.content.decode()


def test_a_stranger_is_offered_no_address(client, lychee):
    placed(lychee)

    page = checkout_page(client, lychee)

    assert page.context["addresses"] == []
    assert 'name="saved_address"' not in page.content.decode()
