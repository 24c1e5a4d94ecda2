"""The stall opens and changes a sale window: each bad input gets its words beside the field, and
nothing is saved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from seasons.models import SaleWindow
from sellers.models import StallAuditEntry
from tests.factories import make_product, make_window, seller_with_stall
from tests.harvest.conftest import preorder

pytestmark = pytest.mark.django_db


@pytest.fixture
def farmer(client, make_storefront):
    make_storefront()
    owner, stall = seller_with_stall()
    product = make_product(stall=stall, title="Vải thiều", stock=0, unit="kg")
    client.force_login(owner)
    return stall, product


def form_data(product, /, **overrides):
    today = timezone.localdate()
    data = {
        "product": product.pk,
        "opens_on": f"{today:%Y-%m-%d}",
        "closes_on": f"{today + timedelta(days=20):%Y-%m-%d}",
        "harvest_from": f"{today + timedelta(days=30):%Y-%m-%d}",
        "harvest_to": f"{today + timedelta(days=60):%Y-%m-%d}",
        "capacity": "500",
        "price": "55.000",
        "min_per_buyer": "2",
        "max_per_buyer": "50",
        "deposit_percent": "20",
    }
    return data | overrides


def test_a_farmer_opens_a_window_typing_the_price_with_dots(client, farmer):
    stall, product = farmer

    response = client.post(f"/ban-hang/gian-hang/{stall.pk}/mua-vu/moi/", form_data(product), follow=True)

    window = SaleWindow.objects.get()
    assert (window.stall, window.product, window.capacity, window.price) == (stall, product, 500, 55000)
    assert (window.min_per_buyer, window.max_per_buyer, window.deposit_percent) == (2, 50, 20)
    assert window.state == SaleWindow.State.OPEN and window.created_by is not None
    page = response.content.decode()
    assert "Đã lưu đợt đặt trước" in page
    assert "Đang nhận đặt trước đến" in page
    assert StallAuditEntry.objects.get(stall=stall).action == "window_create"


SOON = timezone.localdate() + timedelta(days=5)
LATER = timezone.localdate() + timedelta(days=15)
CLOSES_BEFORE_OPENING = {"opens_on": f"{LATER:%Y-%m-%d}", "closes_on": f"{SOON:%Y-%m-%d}"}

BAD_INPUTS = [
    (CLOSES_BEFORE_OPENING, "Ngày đóng đặt trước phải bằng hoặc sau ngày mở."),
    ({"closes_on": "2020-01-01", "opens_on": "2019-12-01"}, "Ngày đóng này đã qua rồi."),
    ({"harvest_to": "2020-01-01"}, "Ngày thu hoạch xong phải bằng hoặc sau ngày bắt đầu."),
    ({"capacity": "0"}, "Số lượng bán phải ít nhất là 1."),
    ({"price": "0"}, "Giá phải lớn hơn 0 đồng."),
    ({"deposit_percent": "101"}, "Tiền đặt cọc là phần trăm, từ 0 đến 100."),
    ({"deposit_percent": "-5"}, "Tiền đặt cọc là phần trăm, từ 0 đến 100."),
    ({"min_per_buyer": "10", "max_per_buyer": "3"}, "Số đặt nhiều nhất không được nhỏ hơn số đặt ít nhất."),
]


def test_each_bad_input_is_said_beside_its_field_and_nothing_is_saved(client, farmer):
    stall, product = farmer
    _other_owner, other_stall = seller_with_stall()
    theirs = make_product(stall=other_stall, title="Bưởi Diễn")
    bad_inputs = [
        *BAD_INPUTS,
        ({"product": theirs.pk}, "Hãy chọn một sản phẩm của gian hàng bạn."),
    ]

    for change, message in bad_inputs:
        response = client.post(f"/ban-hang/gian-hang/{stall.pk}/mua-vu/moi/", form_data(product, **change))

        assert response.status_code == 200, change
        assert message in response.content.decode(), change
    assert not SaleWindow.objects.exists()
    assert not StallAuditEntry.objects.exists()


def test_the_same_mistake_in_english(client, farmer):
    stall, product = farmer
    client.cookies["django_language"] = "en"

    response = client.post(
        f"/ban-hang/gian-hang/{stall.pk}/mua-vu/moi/", form_data(product, **CLOSES_BEFORE_OPENING)
    )

    assert "Pre-orders must close on or after the day they open." in response.content.decode()


def test_once_someone_pre_ordered_price_and_deposit_stay_and_capacity_stays_above_what_is_ordered(
    client, lychee
):
    owner, stall, window = lychee
    preorder(window, 30, name="Lê Văn Nam", phone="0912 000 111", commune="Xã Kép")
    client.force_login(owner)
    url = f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/"

    too_small = client.post(url, form_data(window.product, capacity="20", price="99.000"))
    assert "Đã có 30 được đặt trước: số lượng bán không được ít hơn." in too_small.content.decode()
    window.refresh_from_db()
    assert (window.capacity, window.price) == (500, 60000)

    # price and deposit sent anyway are ignored (the fields are locked), the rest is saved
    client.post(url, form_data(window.product, capacity="300", price="99.000", deposit_percent="90"))
    window.refresh_from_db()
    assert (window.capacity, window.price, window.deposit_percent) == (300, 60000, 20)
    page = client.get(url).content.decode()
    assert "Đã có người đặt trước: mục này giữ nguyên." in page


def test_editing_a_closed_window_does_not_reopen_it(client, lychee):
    owner, stall, window = lychee
    SaleWindow.objects.filter(pk=window.pk).update(state=SaleWindow.State.CLOSED, closed_because="stall")
    client.force_login(owner)
    later = timezone.localdate() + timedelta(days=40)

    client.post(
        f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/",
        form_data(window.product, closes_on=f"{later:%Y-%m-%d}", price="60.000"),
    )

    window.refresh_from_db()
    assert window.closes_on == later
    assert window.state == SaleWindow.State.CLOSED
    assert not SaleWindow.objects.open_on().exists()


def test_a_cancelled_window_has_no_form_and_refuses_a_change(client, lychee):
    owner, stall, window = lychee
    SaleWindow.objects.filter(pk=window.pk).update(state=SaleWindow.State.CANCELLED, cancel_reason="Mưa đá")
    client.force_login(owner)
    url = f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/"

    assert "Sửa đợt đặt trước" not in client.get(url).content.decode()
    response = client.post(url, form_data(window.product, capacity="900"), follow=True)

    assert "Đợt đặt trước này đã bị huỷ: không sửa được nữa." in response.content.decode()
    window.refresh_from_db()
    assert window.capacity == 500


def test_the_list_says_which_window_takes_pre_orders_and_which_opens_later(client, lychee):
    owner, stall, window = lychee
    make_window(stall=stall, product=window.product, opens_on=timezone.localdate() + timedelta(days=3))
    client.force_login(owner)

    page = client.get(f"/ban-hang/gian-hang/{stall.pk}/mua-vu/").content.decode()

    assert "Đang nhận đặt trước đến" in page
    assert "Mở đặt trước từ" in page
