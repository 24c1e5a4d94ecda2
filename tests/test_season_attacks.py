"""Attacks on what #19 added (pre-orders, deposits, the stall's sale windows, vouchers, campaign pages):
each test tries one way in and asserts what the buyer, the farmer or the official would notice. A test
that failed here was a hole, fixed beside it; the others prove the attack held."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from PIL import Image

from ground.phone import normalize_mobile
from marketplace.campaigns.models import CampaignPage, GuidePage
from marketplace.checkout.preorders import PreorderProblem, preorder_line_add
from marketplace.harvest import services as harvest
from marketplace.harvest.models import WindowRefund
from marketplace.orders.actions import stall_order_advance
from marketplace.payments.checkout import Buyer, CheckoutProblem, place_orders
from marketplace.payments.models import Checkout, OrderPayment
from marketplace.payments.refunds import RefundProblem, refund_confirm, refund_record, refundable
from marketplace.payments.services import money_arrived
from marketplace.promotions import services as promotions
from marketplace.promotions.models import DiscountFunding, Funder, VoucherFunding
from seasons.models import PreOrder, SaleWindow
from sellers import roles
from tests.factories import (
    CommuneFactory,
    StallFactory,
    burst,
    commune_member,
    make_product,
    make_window,
    seller_with_stall,
)

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")
InvalidLineStatus = get_class("order.exceptions", "InvalidLineStatus")


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return SimpleUploadedFile("bien-lai.jpg", buffer.getvalue(), content_type="image/jpeg")


def _buyer(phone: str, *, name: str = "Trần Thị Mai") -> Buyer:
    """The buyer as the checkout form hands it over: the phone as typed, normalised by the form."""
    return Buyer(
        name=name,
        phone=normalize_mobile(phone),
        email="",
        delivery=Checkout.Delivery.DELIVERY,
        province_code=24,
        province_name="Bắc Ninh",
        commune_name="Xã Lục Ngạn",
        address="Thôn Kép 1",
    )


def _preorder(window, quantity: int, *, phone="0912 345 678", name="Trần Thị Mai", method="cod", whole=False):
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    preorder_line_add(basket=basket, window=window, quantity=quantity)
    checkout = place_orders(
        basket=basket,
        buyer=_buyer(phone, name=name),
        methods={window.stall.pk: method},
        user=None,
        pay_whole=frozenset({window.stall.pk}) if whole else frozenset(),
    )
    return checkout.payments.select_related("order").get()


@pytest.fixture
def farm(db):
    """A verified stall with a bank account, its lychee (out of stock) and a window open today:
    100 kg at 60.000 ₫, at most 10 kg a buyer, a 30 % deposit."""
    owner, stall = seller_with_stall(
        partner__name="Vườn vải Hùng Lan",
        bank_bin="970436",
        bank_account_number="0011001234567",
        bank_account_name="NGUYEN VAN HUNG",
    )
    lychee = make_product(stall=stall, title="Vải thiều Lục Ngạn", price=80000, stock=0, unit="kg")
    window = make_window(stall=stall, product=lychee, max_per_buyer=10, deposit_percent=30)
    return {"owner": owner, "stall": stall, "lychee": lychee, "window": window}


# /dat-truoc/<window>/ -------------------------------------------------------------------------------


def test_a_window_nobody_may_sell_from_takes_no_pre_order(client, farm):
    """Closed, cancelled, not yet open, a suspended stall's, an unpublished product's: the button says
    so and the basket stays empty."""
    window, stall = farm["window"], farm["stall"]
    url = f"/dat-truoc/{window.pk}/"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    changes = [
        ("state", SaleWindow.State.CLOSED),
        ("state", SaleWindow.State.CANCELLED),
        ("opens_on", tomorrow),
    ]
    for field, value in changes:
        SaleWindow.objects.filter(pk=window.pk).update(**{field: value})
        page = client.post(url, {"quantity": 2}, follow=True).content.decode()
        assert "Đợt đặt trước Vải thiều Lục Ngạn đã đóng" in page, field
        SaleWindow.objects.filter(pk=window.pk).update(
            state=SaleWindow.State.OPEN, opens_on=timezone.localdate()
        )

    stall.status = "suspended"
    stall.save(update_fields=["status"])
    page = client.post(url, {"quantity": 2}, follow=True).content.decode()
    assert "Đợt đặt trước Vải thiều Lục Ngạn đã đóng" in page
    assert not Basket.objects.filter(lines__isnull=False).exists()
    stall.status = "verified"
    stall.save(update_fields=["status"])

    # The stall hid the product (staff unpublished it): the window must not sell it either.
    farm["lychee"].is_public = False
    farm["lychee"].save(update_fields=["is_public"])
    page = client.post(url, {"quantity": 2}, follow=True).content.decode()
    assert "Đợt đặt trước Vải thiều Lục Ngạn đã đóng" in page

    assert not Basket.objects.filter(lines__isnull=False).exists()


def test_a_line_put_in_the_basket_before_the_product_was_unpublished_is_not_placed(farm):
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    preorder_line_add(basket=basket, window=farm["window"], quantity=2)
    farm["lychee"].is_public = False
    farm["lychee"].save(update_fields=["is_public"])

    with pytest.raises(CheckoutProblem):
        place_orders(basket=basket, buyer=_buyer("0912345678"), methods={farm["stall"].pk: "cod"})

    farm["window"].refresh_from_db()
    assert farm["window"].reserved == 0 and not PreOrder.objects.exists()


def test_the_pre_order_button_takes_only_a_whole_number_by_post_with_its_token(client, farm):
    window = farm["window"]
    url = f"/dat-truoc/{window.pk}/"
    for quantity in ("0", "-1", "1e9", "1.5", "9" * 40, "", "２ kg"):
        client.post(url, {"quantity": quantity})
    assert client.get(url).status_code == 405
    assert client.post("/dat-truoc/999999/", {"quantity": 1}).status_code == 404
    guarded = Client(enforce_csrf_checks=True)
    assert guarded.post(url, {"quantity": 1}).status_code == 403
    assert not Basket.objects.filter(lines__isnull=False).exists()

    # Eastern Arabic digits are a whole number too: read as 12, still under the window's own limits.
    page = client.post(url, {"quantity": "١٢"}, follow=True).content.decode()
    assert "Mỗi người mua đặt tối đa 10 kg" in page
    assert not Basket.objects.filter(lines__isnull=False).exists()


def test_the_per_buyer_maximum_holds_whatever_way_the_phone_is_written(farm):
    window = farm["window"]
    _preorder(window, 6, phone="0912 345 678")

    for phone in ("+84 912 345 678", "84912345678", "0912.345.678", "(+84)912-345-678"):
        with pytest.raises(CheckoutProblem) as refused:
            _preorder(window, 6, phone=phone)
        assert "Mỗi người mua đặt tối đa 10 kg; bạn đã đặt 6 kg" in refused.value.messages[0]
    _preorder(window, 4, phone="+84912345678")  # up to the maximum, in another basket

    window.refresh_from_db()
    assert window.reserved == 10
    assert PreOrder.objects.filter(phone="+84912345678").count() == 2


def test_nothing_public_shows_who_pre_ordered(client, farm):
    window = farm["window"]
    _preorder(window, 3, phone="0987 654 321", name="Lê Thị Bưởi")

    page = client.get(farm["lychee"].get_absolute_url()).content.decode()

    assert "Còn 97 kg" in page
    assert "Lê Thị Bưởi" not in page and "987" not in page and "654 321" not in page


@pytest.mark.django_db(transaction=True)
def test_two_cancels_of_one_pre_order_at_once_give_its_kilograms_back_once():
    owner, stall = seller_with_stall(partner__name="Vườn vải Hùng Lan")
    lychee = make_product(stall=stall, title="Vải thiều", stock=0, unit="kg")
    window = make_window(stall=stall, product=lychee, capacity=20)
    other = _preorder(window, 5, phone="0912000001")
    payment = _preorder(window, 15, phone="0912000002")
    window.refresh_from_db()
    assert window.reserved == 20 and window.state == SaleWindow.State.CLOSED  # full

    def cancel(_i):
        try:
            stall_order_advance(stall=stall, order=payment.order, action="cancel", actor=owner)
        except InvalidLineStatus:
            return "refused"
        return "done"

    burst(cancel, 2)

    window.refresh_from_db()
    assert window.reserved == 5  # 15 back once, not 30 (nor 0)
    assert window.state == SaleWindow.State.OPEN and window.remaining == 15
    assert PreOrder.objects.get(order=other.order).cancelled_at is None


# Deposits ----------------------------------------------------------------------------------------------


def test_a_deposit_is_recorded_only_for_its_exact_amount_once_and_then_the_order_is_not_cancelled(farm):
    window, stall = farm["window"], farm["stall"]
    payment = _preorder(window, 5, method=OrderPayment.Method.VIETQR)
    assert payment.deposit == 90000  # 30 % of 5 kg at 60.000 ₫

    assert money_arrived(payment, 89999, source="bank", reference="T1") is None  # less than the deposit
    assert money_arrived(payment, 90000, source="bank", reference="T2") is True
    payment.refresh_from_db()
    assert money_arrived(payment, 90000, source="bank", reference="T3") is None  # twice: no longer due
    payment.refresh_from_db()
    assert payment.status == OrderPayment.Status.DEPOSIT_PAID and payment.received == 90000

    with pytest.raises(InvalidLineStatus):
        stall_order_advance(stall=stall, order=payment.order, action="cancel", actor=farm["owner"])
    window.refresh_from_db()
    assert window.reserved == 5

    # Only the deposit came: no more than it can go back.
    assert refundable(payment) == 90000
    with pytest.raises(RefundProblem):
        refund_record(payment, 90001, method="cash", proof=_photo(), actor=None)

    # The buyer chose to pay the whole now: a transfer of the deposit's amount is no payment of it.
    whole = _preorder(window, 5, phone="0912000009", method=OrderPayment.Method.VIETQR, whole=True)
    assert whole.deposit == 0
    assert money_arrived(whole, 90000, source="bank", reference="T4") is None
    assert money_arrived(whole, whole.amount, source="stripe", reference="pi_1") is True
    assert money_arrived(whole, whole.amount, source="stripe", reference="pi_1") is False  # a replay
    whole.refresh_from_db()
    assert whole.status == OrderPayment.Status.PAID and whole.received == whole.amount


# The stall's windows --------------------------------------------------------------------------------


@pytest.fixture
def two_farms(farm):
    """A second stall with its own window, one pre-order and a refund owed on it."""
    _owner, stall = seller_with_stall(partner__name="Vườn cam Hòa Bình")
    orange = make_product(stall=stall, title="Cam Cao Phong", stock=0, unit="kg")
    window = make_window(stall=stall, product=orange, price=30000)
    payment = _preorder(window, 4, phone="0977 111 222", name="Phạm Văn Cam")
    refund = WindowRefund.objects.create(window=window, payment=payment, amount=1000)
    return {**farm, "other_window": window, "other_refund": refund}


def test_another_stalls_window_and_refund_stay_out_of_reach_through_ones_own_stall(client, two_farms):
    stall, mine = two_farms["stall"], two_farms["window"]
    theirs, refund = two_farms["other_window"], two_farms["other_refund"]
    client.force_login(two_farms["owner"])
    base = f"/ban-hang/gian-hang/{stall.pk}/mua-vu/"

    for url in (f"{base}{theirs.pk}/", f"{base}{theirs.pk}/danh-sach-soan-hang/?format=csv"):
        assert client.get(url).status_code == 404
    for url in (
        f"{base}{theirs.pk}/huy/",
        f"{base}{theirs.pk}/dong/",
        f"{base}{mine.pk}/hoan-tien/{refund.pk}/",
    ):
        assert client.post(url, {"reason": "Mất mùa", "method": "cash"}).status_code == 404
    assert client.get(f"/ban-hang/gian-hang/{theirs.stall_id}/mua-vu/").status_code == 404

    today = timezone.localdate().isoformat()
    later = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    form = {
        "product": theirs.product_id,  # another stall's product, by id
        "opens_on": today,
        "closes_on": today,
        "harvest_from": later,
        "harvest_to": later,
        "capacity": 10,
        "price": "10000",
        "min_per_buyer": 1,
        "deposit_percent": 0,
    }
    assert "Hãy chọn một sản phẩm của gian hàng bạn" in client.post(f"{base}moi/", form).content.decode()
    assert SaleWindow.objects.count() == 2

    theirs.refresh_from_db()
    refund.refresh_from_db()
    assert theirs.state == SaleWindow.State.OPEN and refund.status == WindowRefund.Status.OWED
    csv_text = client.get(f"{base}{mine.pk}/danh-sach-soan-hang/?format=csv").content.decode()
    assert "Phạm Văn Cam" not in csv_text


def test_the_pick_list_with_buyers_phones_is_never_kept_by_a_shared_cache(client, farm):
    window, stall = farm["window"], farm["stall"]
    _preorder(window, 2, phone="0912 345 678")
    client.force_login(farm["owner"])
    base = f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/"

    for url in (base, f"{base}danh-sach-soan-hang/", f"{base}danh-sach-soan-hang/?format=csv"):
        response = client.get(url)
        assert response.status_code == 200
        assert "091 234 5678" in response.content.decode() or "0912" in response.content.decode()
        cache = response.get("Cache-Control", "")
        assert "private" in cache and "no-store" in cache, url


def test_a_buyers_name_cannot_run_as_a_formula_in_the_pick_list(client, farm):
    window, stall = farm["window"], farm["stall"]
    _preorder(window, 2, phone="0912000003", name='=HYPERLINK("http://evil.example","Bấm")')
    _preorder(window, 1, phone="0912000004", name="+SUM(1;2)")
    client.force_login(farm["owner"])

    text = client.get(
        f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/danh-sach-soan-hang/?format=csv"
    ).content.decode()

    names = [row[2] for row in csv.reader(io.StringIO(text))][1:]
    assert sorted(names) == sorted(["'+SUM(1;2)", '\'=HYPERLINK("http://evil.example","Bấm")'])


# Vouchers --------------------------------------------------------------------------------------------


def _code(stall, code: str, **fields) -> VoucherFunding:
    today = timezone.localdate()
    values = {"discount": "percent", "value": 10, "starts_on": today, "ends_on": today, **fields}
    return promotions.voucher_create(code=code, funder=Funder.STALL, stall=stall, created_by=None, **values)


def test_a_household_cannot_overflow_a_code_with_huge_numbers(client, farm):
    client.force_login(farm["owner"])
    today = timezone.localdate().isoformat()
    url = f"/ban-hang/gian-hang/{farm['stall'].pk}/ma-giam-gia/"
    base = {"code": "VAI2027", "funder": "stall", "discount": "amount", "starts_on": today, "ends_on": today}

    for field, number in (
        ("value", "99999999999"),
        ("min_spend", "99999999999"),
        ("max_uses", "99999999999"),
    ):
        values = {**base, "value": "10000", field: number}
        response = client.post(url, values)
        assert response.status_code == 400, field
        assert "Hãy viết một số không quá" in response.content.decode(), field
    for value in ("-5", "0", "101"):
        assert client.post(url, {**base, "discount": "percent", "value": value}).status_code == 400
    assert not VoucherFunding.objects.exists()


def test_a_code_gives_at_most_what_the_goods_cost_and_the_stalls_row_stays_sane(farm):
    stall = farm["stall"]
    honey = make_product(stall=stall, title="Mật ong", price=50000, stock=5)
    _code(stall, "HETSACH", discount="amount", value=1_000_000)
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(honey, 1)
    promotions.voucher_add(basket=basket, code="hetsach")

    checkout = place_orders(basket=basket, buyer=_buyer("0912345678"), methods={stall.pk: "cod"})

    payment = checkout.payments.get()
    funding = DiscountFunding.objects.get()
    assert funding.amount == 50000 and funding.stall_bears_it
    assert payment.amount == payment.order.shipping_incl_tax  # the goods free, the delivery still paid


def test_one_code_per_phone_holds_whatever_way_the_phone_is_written(farm):
    stall = farm["stall"]
    honey = make_product(stall=stall, title="Mật ong", price=50000, stock=5)
    _code(stall, "MOTLAN", once_per_phone=True)

    def checkout(phone):
        basket = Basket.objects.create()
        basket.strategy = Selector().strategy()
        basket.add_product(honey, 1)
        promotions.voucher_add(basket=basket, code="MOTLAN")
        return place_orders(basket=basket, buyer=_buyer(phone), methods={stall.pk: "cod"})

    checkout("0912 345 678")
    for phone in ("+84912345678", "84 912 345 678", "0912-345-678"):
        with pytest.raises(CheckoutProblem):
            checkout(phone)
    assert DiscountFunding.objects.count() == 1


def test_a_visitor_cannot_remove_anothers_code_nor_read_another_stalls_codes(client, farm):
    stall = farm["stall"]
    honey = make_product(stall=stall, title="Mật ong", price=50000, stock=5)
    funding = _code(stall, "CUATOI")
    basket = Basket.objects.create()  # the owner's basket, in another browser
    basket.strategy = Selector().strategy()
    basket.add_product(honey, 1)
    promotions.voucher_add(basket=basket, code="CUATOI")

    client.post(f"/ma-giam-gia/bo/{funding.voucher_id}/")  # a stranger, with their own basket
    assert basket.vouchers.filter(pk=funding.voucher_id).exists()

    other, _stall = seller_with_stall(partner__name="Vườn khác")
    client.force_login(other)
    assert client.get(f"/ban-hang/gian-hang/{stall.pk}/ma-giam-gia/").status_code == 404


# Campaign pages -----------------------------------------------------------------------------------


def test_names_typed_by_households_and_editors_are_text_on_the_campaign_page(client, make_storefront):
    commune = CommuneFactory(name="Xã <b>Lục</b> Ngạn", latitude=21.3, longitude=106.6)
    home = make_storefront(title="Chợ OCOP xã Lục Ngạn", communes=[commune])
    stall = StallFactory(
        commune=commune,
        village='Thôn "><script>alert(1)</script>',
        partner__name="<img src=x onerror=alert(2)>",
    )
    lychee = make_product(stall=stall, title="Vải <svg onload=alert(3)>", stock=0, unit="kg")
    make_window(stall=stall, product=lychee)
    today = timezone.localdate()
    page = CampaignPage(
        title="Mùa vải",
        slug="mua-vai",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        intro="<script>alert(4)</script>",
        body=[
            (
                "countdown",
                {"harvest_on": today + datetime.timedelta(days=9), "text": "<script>alert(5)</script>"},
            ),
            ("voucher", {"code": "<b>X</b>", "text": "<iframe src=x></iframe>"}),
            ("stall_map", {"heading": "<script>alert(6)</script>"}),
            ("stalls", {"heading": "", "stalls": [stall]}),
            ("windows", {"heading": "<u>h</u>", "products": [lychee]}),
        ],
    )
    home.add_child(instance=page)
    page.save_revision().publish()

    html = client.get(page.url).content.decode()

    assert "Mùa vải" in html
    for raw in (
        "<script>alert",
        "<img src=x",
        "<svg onload",
        "<iframe",
        "<b>X</b>",
        "<u>h</u>",
        "<b>Lục</b>",
    ):
        assert raw not in html, raw
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_an_unpublished_guide_and_its_print_view_are_not_found(client, make_storefront):
    home = make_storefront(title="Chợ OCOP xã Lục Ngạn", communes=[CommuneFactory()])
    guide = GuidePage(title="Cách mở gian hàng", slug="mo-gian-hang", intro="<p>Bí mật.</p>", body=[])
    home.add_child(instance=guide)
    guide.save_revision().publish()
    url = guide.url
    assert client.get(f"{url}in/").status_code == 200
    guide.unpublish()

    assert client.get(url).status_code == 404
    assert client.get(f"{url}in/").status_code == 404


def test_a_commune_editor_reaches_no_other_site_and_no_other_kind_of_page(client, make_storefront):
    here, there = CommuneFactory(name="Xã Lục Ngạn"), CommuneFactory(name="Xã Phúc Hòa")
    home = make_storefront(title="Chợ OCOP xã Lục Ngạn", communes=[here])
    other = type(home)(title="Chợ OCOP xã Phúc Hòa", slug="phuc-hoa")
    home.get_parent().add_child(instance=other)
    other.communes.set([there])
    other.save_revision().publish()
    today = timezone.localdate()

    def campaign(parent, title, slug, *, live):
        page = CampaignPage(title=title, slug=slug, starts_on=today, ends_on=today, intro="", body=[])
        parent.add_child(instance=page)
        revision = page.save_revision()
        if live:
            revision.publish()
        else:
            page.unpublish()
        return page

    mine = campaign(home, "Mùa vải", "mua-vai", live=True)
    draft = campaign(other, "Giá sỉ bí mật Phúc Hòa", "gia-si", live=False)
    editor = commune_member(commune=here, role=roles.COMMUNE_STAFF)
    client.force_login(editor)
    assert client.get(f"/cms/pages/{mine.pk}/edit/").status_code == 200  # their own page, to compare

    refused = [
        f"/cms/pages/add/ground/homepage/{home.pk}/",
        f"/cms/pages/add/sellers/stallpage/{home.pk}/",
        f"/cms/pages/{draft.pk}/edit/",
        f"/cms/pages/{draft.pk}/edit/preview/?mode=",
        f"/cms/pages/{draft.pk}/copy/",
        f"/cms/pages/{home.pk}/edit/",
        f"/cms/pages/{home.pk}/delete/",
        f"/cms/pages/{home.pk}/copy/",
    ]
    for url in refused:
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "Giá sỉ bí mật" not in response.content.decode(), url
    # Wagtail shows the move's confirmation page to anyone (titles only); the move itself is checked.
    assert client.post(f"/cms/pages/{mine.pk}/move/{other.pk}/confirm/").status_code in (302, 403)
    # The same for unpublishing: the confirmation shows, the storefront stays published.
    assert client.post(f"/cms/pages/{home.pk}/unpublish/").status_code in (302, 403)

    mine.refresh_from_db()
    home.refresh_from_db()
    assert mine.get_parent().pk == home.pk and home.live
    client.logout()
    assert client.get(f"{other.url}gia-si/").status_code == 404  # a draft is not reached by its address


def test_a_huge_pre_order_is_refused_in_words_not_with_a_server_error(farm):
    """The highest price a stall may type (100.000.000 ₫ a unit) times a big quantity overflows the
    order's totals: it must be refused at the basket, never fail at the checkout."""
    window = make_window(stall=farm["stall"], product=farm["lychee"], price=100_000_000, capacity=5000)

    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    with pytest.raises(PreorderProblem) as refused:
        preorder_line_add(basket=basket, window=window, quantity=200)
    assert "Số lượng quá lớn" in refused.value.message
    preorder_line_add(basket=basket, window=window, quantity=20)  # 2 tỷ đồng: fine
    checkout = place_orders(basket=basket, buyer=_buyer("0912345678"), methods={farm["stall"].pk: "cod"})
    assert checkout.payments.get().amount >= 2_000_000_000


def test_after_a_cancelled_windows_deposit_goes_back_the_stall_still_records_the_rest_paid(farm):
    """A mixed order (honey in stock + lychee pre-ordered, 30 % deposit paid by transfer); the lychee
    window is cancelled and its deposit given back; the honey is delivered and paid in cash."""
    window, stall, owner = farm["window"], farm["stall"], farm["owner"]
    honey = make_product(stall=stall, title="Mật ong", price=50000, stock=5)
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(honey, 1)
    preorder_line_add(basket=basket, window=window, quantity=5)
    checkout = place_orders(basket=basket, buyer=_buyer("0912345678"), methods={stall.pk: "vietqr"})
    payment = checkout.payments.select_related("order").get()
    assert money_arrived(payment, 90000, source="bank", reference="T1") is True

    harvest.window_cancel(window=window, actor=owner, reason="Mất mùa")
    owed = WindowRefund.objects.get()
    harvest.window_refund_record(window_refund=owed, proof=_photo(), actor=owner, method="cash")
    refund_confirm(owed.payment.refunds.get())
    stall_order_advance(stall=stall, order=payment.order, action="paid", actor=owner)

    payment.refresh_from_db()
    assert payment.paid_at is not None  # the stall's "paid" button counted


def test_a_suspended_stalls_window_is_not_offered_on_the_product_page(client, farm):
    form = f'action="/dat-truoc/{farm["window"].pk}/"'
    page = client.get(farm["lychee"].get_absolute_url()).content.decode()
    assert form in page and 'class="season season-preorder"' in page
    farm["stall"].status = "suspended"
    farm["stall"].save(update_fields=["status"])

    page = client.get(farm["lychee"].get_absolute_url()).content.decode()

    assert form not in page and 'class="season season-preorder"' not in page


def test_an_unpublished_products_window_is_not_offered_on_the_campaign_page(client, make_storefront):
    commune = CommuneFactory(name="Xã Lục Ngạn")
    home = make_storefront(title="Chợ OCOP xã Lục Ngạn", communes=[commune])
    stall = StallFactory(commune=commune, partner__name="HTX Lục Ngạn Xanh")
    shown = make_window(stall=stall, product=make_product(stall=stall, title="Vải thiều", stock=0, unit="kg"))
    hidden_product = make_product(stall=stall, title="Vải lai chưa duyệt", stock=0, unit="kg")
    hidden_product.is_public = False
    hidden_product.save(update_fields=["is_public"])
    hidden = make_window(stall=stall, product=hidden_product)
    today = timezone.localdate()
    page = CampaignPage(
        title="Mùa vải",
        slug="mua-vai",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        intro="",
        body=[("windows", {"heading": "Đặt trước", "products": []})],
    )
    home.add_child(instance=page)
    page.save_revision().publish()

    html = client.get(page.url).content.decode()

    assert f'action="/dat-truoc/{shown.pk}/"' in html
    assert f'action="/dat-truoc/{hidden.pk}/"' not in html and "Vải lai chưa duyệt" not in html


@pytest.mark.django_db(transaction=True)
def test_the_farmer_lowering_the_capacity_while_buyers_pre_order_never_oversells():
    owner, stall = seller_with_stall(partner__name="Vườn vải Hùng Lan")
    lychee = make_product(stall=stall, title="Vải thiều", stock=0, unit="kg")
    window = make_window(stall=stall, product=lychee, capacity=100)
    fields = {
        name: getattr(window, name)
        for name in harvest.WINDOW_FIELDS
        if name not in harvest.FIXED_ONCE_ORDERED
    }

    def act(i):
        try:
            if i == 0:
                harvest.window_update(window=window, actor=owner, **{**fields, "capacity": 8})
            else:
                _preorder(window, 5, phone=f"091200001{i}")
        except (harvest.WindowProblem, CheckoutProblem):
            return "refused"
        return "done"

    results = burst(act, 4)

    window.refresh_from_db()
    orders = PreOrder.objects.filter(window=window).count()
    assert window.reserved == 5 * orders <= window.capacity
    assert results.count("done") >= 2  # either the new capacity and one buyer, or the buyers and no edit


def test_cancelling_a_window_gives_back_no_money_for_lychee_already_delivered(farm):
    """Picking started, one buyer's lychee shipped and delivered and paid in full; then the rest of the
    harvest fails and the farmer cancels the window: only the buyer still waiting gets money back."""
    window, stall, owner = farm["window"], farm["stall"], farm["owner"]
    delivered = _preorder(window, 5, phone="0912000021", method="vietqr", whole=True)
    waiting = _preorder(window, 4, phone="0912000022", method="vietqr", whole=True)
    for payment in (delivered, waiting):
        assert money_arrived(payment, payment.amount, source="bank", reference=f"T{payment.pk}") is True
    harvest.window_picking(window=window, actor=owner)
    for step in ("confirm", "ship", "deliver"):
        stall_order_advance(stall=stall, order=delivered.order, action=step, actor=owner)
    stall_order_advance(stall=stall, order=waiting.order, action="confirm", actor=owner)

    harvest.window_cancel(window=window, actor=owner, reason="Mưa đá làm rụng hết quả")

    assert list(WindowRefund.objects.values_list("payment_id", "amount")) == [(waiting.pk, waiting.amount)]
    assert delivered.order.lines.get().status == "delivered"
    assert PreOrder.objects.get(order=delivered.order).cancelled_at is None
    assert waiting.order.lines.get().status == "cancelled"


def test_a_window_the_farmer_closed_early_or_is_picking_is_no_longer_labelled_pre_order(farm):
    window, lychee, owner = farm["window"], farm["lychee"], farm["owner"]
    lychee.refresh_from_db()
    assert [entry["id"] for entry in lychee.preorder_windows] == [window.pk]
    _preorder(window, 2)

    harvest.window_picking(window=window, actor=owner)
    lychee.refresh_from_db()
    assert lychee.preorder_windows == [] and lychee.preorder_until is None

    second = make_window(stall=farm["stall"], product=lychee)
    lychee.refresh_from_db()
    assert lychee.next_window()["id"] == second.pk
    harvest.window_close(window=second, actor=owner)
    lychee.refresh_from_db()
    assert lychee.preorder_windows == [] and lychee.next_window() is None
