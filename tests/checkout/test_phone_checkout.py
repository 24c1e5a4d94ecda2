"""Issue #16, the buyer's checkout and tracking on a phone: nothing wrongly pre-filled, the communes
follow the province, errors listed at the top, the digits keyboard for phone numbers, one order code
typed any way, and a timeline with dates and a delivery estimate."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import formats, timezone
from oscar.core.loading import get_model

from marketplace.payments.models import OrderPayment
from tests.factories import CommuneFactory, StallFactory, UserFactory, make_product

pytestmark = pytest.mark.django_db

ShippingEvent = get_model("order", "ShippingEvent")

FORM = {
    "name": "Trần Thị Mai",
    "phone": "0912 345 678",
    "email": "",
    "delivery": "delivery",
    "province": "24",
    "commune": "7582",
    "address": "Thôn Kép 1",
}


@pytest.fixture
def shop(make_storefront):
    """A storefront of xã Lục Ngạn with a cooperative (paid by transfer) and a farm (cash only)."""
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    coop = StallFactory(
        commune=commune,
        partner__name="HTX Lục Ngạn Xanh",
        bank_bin="970436",
        bank_account_number="0011001234567",
        bank_account_name="HTX LUC NGAN XANH",
    )
    farm = StallFactory(commune=commune, partner__name="Vườn bưởi cô Lan")
    lychee = make_product(stall=coop, title="Vải thiều Lục Ngạn", price=65000)
    pomelo = make_product(stall=farm, title="Bưởi da xanh", price=50000)
    make_storefront(communes=[commune])
    return coop, farm, lychee, pomelo


def fill_basket(client, shop):
    for product in shop[2:]:
        client.post(f"/shop/basket/add/{product.pk}/", {"product_id": product.pk, "quantity": 1})


def place(client, shop, **changes):
    coop, farm = shop[:2]
    fill_basket(client, shop)
    return client.post(
        "/shop/checkout/", {**FORM, f"pay_{coop.pk}": "vietqr", f"pay_{farm.pk}": "cod", **changes}
    )


def selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


# 1. The form -------------------------------------------------------------------------------------


def test_the_commune_is_not_pre_filled_with_the_shops_own_commune(client, shop):
    fill_basket(client, shop)

    html = client.get("/shop/checkout/").content.decode()

    assert "Xã Lục Ngạn" in html  # the storefront's province: its communes are offered
    assert selected(html, "commune") in ([], [""])  # but none is chosen for the buyer
    assert 'value="Trần' not in html


def test_a_returning_buyer_starts_from_their_last_address(client, shop):
    place(client, shop)

    fill_basket(client, shop)
    html = client.get("/shop/checkout/").content.decode()

    assert 'value="Trần Thị Mai"' in html and 'value="0912 345 678"' in html
    assert 'value="Thôn Kép 1"' in html
    assert selected(html, "commune") == ["7582"] and selected(html, "province") == ["24"]


def test_a_signed_in_buyer_gets_their_accounts_last_address_in_a_new_browser(shop):
    buyer = UserFactory()
    first, second = Client(), Client()
    first.force_login(buyer)
    place(first, shop)
    second.force_login(buyer)

    fill_basket(second, shop)

    assert 'value="Thôn Kép 1"' in second.get("/shop/checkout/").content.decode()


def test_the_commune_list_follows_the_province_without_a_second_button(client, shop):
    fill_basket(client, shop)

    html = client.get("/shop/checkout/").content.decode()
    hanoi = client.get("/shop/checkout/xa/?tinh=1").json()["communes"]
    bac_ninh = client.get("/shop/checkout/xa/?tinh=24").json()["communes"]

    assert 'data-url="/shop/checkout/xa/"' in html and 'addEventListener("change"' in html
    assert ["7582", "Xã Lục Ngạn"] in bac_ninh and ["7582", "Xã Lục Ngạn"] not in hanoi
    assert hanoi and all(code.isdigit() for code, _name in hanoi)
    assert client.get("/shop/checkout/xa/?tinh=abc").json() == {"communes": []}


def test_without_javascript_the_communes_button_still_lists_the_new_provinces_communes(client, shop):
    fill_basket(client, shop)

    response = client.post("/shop/checkout/", {**FORM, "province": "1", "commune": "", "refresh": "1"})

    html = response.content.decode()
    assert response.status_code == 200 and "Xã Lục Ngạn" not in html
    assert 'class="error-summary"' not in html  # asking for the communes is not a mistake


def test_errors_are_listed_at_the_top_with_links_to_the_fields(client, shop):
    response = place(client, shop, commune="26425", phone="12345")

    html = response.content.decode()
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary and 'role="alert"' in summary.group(0) and "autofocus" in summary.group(0)
    assert '<a href="#id_commune">' in summary.group(
        1
    ) and "Xã này không thuộc tỉnh đã chọn." in summary.group(1)
    assert '<a href="#id_phone">' in summary.group(1)
    assert html.index("error-summary") < html.index('name="name"')  # before the first field


def test_phone_fields_bring_up_the_digits_keyboard_and_the_saved_details(client, shop):
    fill_basket(client, shop)

    checkout = client.get("/shop/checkout/").content.decode()
    track = client.get("/shop/track/").content.decode()

    for html in (checkout, track):
        phone = re.search(r'<input[^>]*name="phone"[^>]*>', html).group(0)
        assert 'type="tel"' in phone and 'inputmode="numeric"' in phone and 'autocomplete="tel"' in phone
    assert re.search(
        r'<input[^>]*autocomplete="name"[^>]*name="name"|<input[^>]*name="name"[^>]*autocomplete="name"',
        checkout,
    )
    assert 'autocomplete="address-line1"' in checkout and 'autocomplete="address-level1"' in checkout


# 2. The VietQR block (the browser checks its size: tests/e2e/test_phone_checkout.py) -------------


def test_the_transfer_comes_first_with_copy_buttons_and_an_unbroken_amount(client, shop):
    page = client.get(place(client, shop).url).content.decode()

    assert page.index('class="qr"') < page.index("Vườn bưởi cô Lan")  # the transfer before the cash order
    assert page.index('class="qr"') < page.index("1 × Vải thiều Lục Ngạn")  # the QR before the order's lines
    amount = OrderPayment.objects.get(method="vietqr").amount  # 65.000 ₫ and the delivery
    for value in ("0011001234567", str(amount)):
        assert re.search(rf'<button type="button" class="copy[^"]*" value="{value}"[^>]*hidden>', page)
    assert f"{amount:,}".replace(",", ".") + "\u00a0₫" in unescape(page)  # "₫" never wraps
    assert 'class="copy-text">0011001234567<' in page  # without JavaScript: plain text to select


# 3. One order code, a timeline with dates, a delivery estimate ---------------------------------


def test_the_tracking_page_takes_the_checkout_code_or_an_order_number_typed_any_way(client, shop):
    place(client, shop)
    payment = OrderPayment.objects.select_related("order", "checkout").first()
    number, reference = payment.order.number, payment.checkout.reference

    for typed in (
        reference,
        reference.lower(),
        f" {reference[:4]} {reference[4:]} ",
        f"#{number}",
        f"# {number} ",
    ):
        found = Client().post("/shop/track/", {"number": typed, "phone": "0912345678"})
        assert found.status_code == 200, typed
        assert "Vải thiều Lục Ngạn" in found.content.decode() and "Bưởi da xanh" in found.content.decode()


def test_a_code_without_the_buyers_phone_still_reveals_nothing(client, shop):
    place(client, shop)
    reference = OrderPayment.objects.select_related("checkout").first().checkout.reference

    wrong = Client().post("/shop/track/", {"number": reference, "phone": "0987654321"})

    assert wrong.status_code == 404
    revealed = wrong.content.decode()
    assert "Vải thiều Lục Ngạn" not in revealed and "Trần Thị Mai" not in revealed


def test_the_thank_you_page_shows_the_code_that_tracking_takes(client, shop):
    page = client.get(place(client, shop).url).content.decode()
    reference = OrderPayment.objects.select_related("checkout").first().checkout.reference

    assert f"<strong>{reference}</strong>" in page
    assert f'href="/shop/track/?ma={reference}"' in page
    assert f'value="{reference}"' in client.get(f"/shop/track/?ma={reference}").content.decode()


def test_each_step_reached_shows_when_and_the_delivery_is_estimated(client, shop):
    coop = shop[0]
    place(client, shop)
    payment = OrderPayment.objects.select_related("order").get(stall=coop)
    seller = UserFactory()
    type(coop).objects.filter(pk=coop.pk).update(owner=seller)
    client.force_login(seller)
    for action in ("confirm", "ship"):
        client.post(f"/ban-hang/gian-hang/{coop.pk}/don-hang/{payment.order.pk}/{action}/")

    html = (
        Client()
        .post("/shop/track/", {"number": payment.order.number, "phone": "0912345678"})
        .content.decode()
    )

    shipped = ShippingEvent.objects.get(order=payment.order, event_type__code="shipped").date_created
    placed = timezone.localtime(payment.order.date_placed)
    assert f'datetime="{placed.isoformat()}"' in html
    assert formats.date_format(timezone.localtime(shipped), "SHORT_DATETIME_FORMAT") in html
    first, last = (timezone.localdate(shipped) + timedelta(days=days) for days in (2, 4))
    assert (
        f"Dự kiến nhận hàng: từ {formats.date_format(first, 'SHORT_DATE_FORMAT')} "
        f"đến {formats.date_format(last, 'SHORT_DATE_FORMAT')}."
    ) in html


def test_the_province_list_starts_by_asking_not_on_the_first_province_of_the_alphabet():
    from django.utils import translation  # noqa: PLC0415 (only this test switches the language)

    from marketplace.checkout.forms import province_choices  # noqa: PLC0415 (only this test reads it)

    with translation.override("vi"):
        first, second = province_choices()[:2]

    assert first == ("", "Chọn tỉnh của bạn")
    assert second[1] == "An Giang"  # then the provinces, in order
