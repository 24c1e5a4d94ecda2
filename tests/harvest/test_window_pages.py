"""The stall's windows list, a window's page and the pick list, read from a hand-made season:
Vườn vải Hùng Lan's lychee (60.000 ₫/kg, 20 % deposit, no delivery fee) pre-ordered by

- Hoa, Xã Tân Mộc: 10 kg by VietQR, deposit 120.000 ₫ paid          → collect 480.000 ₫
- Mai, Xã Tân Mộc: 2 kg cash on delivery                             → collect 120.000 ₫
- Bình, Xã Nam Dương: 5 kg cash on delivery                           → collect 300.000 ₫
- Lan, pickup at the village hall: 3 kg by VietQR, all 180.000 ₫ paid → collect 0 ₫
- Đức, 7 kg, his pre-order cancelled: left out everywhere

4 orders, 20 kg, 300.000 ₫ paid, 900.000 ₫ to collect."""

import csv
import io

import pytest
from django.utils import timezone

from seasons.models import PreOrder
from tests.factories import seller_with_stall
from tests.harvest.conftest import preorder

pytestmark = pytest.mark.django_db


@pytest.fixture
def season(lychee):
    owner, stall, window = lychee
    stall.delivery_fee = 0
    stall.save(update_fields=["delivery_fee"])
    hoa = preorder(
        window,
        10,
        name="Nguyễn Thị Hoa",
        phone="0912 111 222",
        commune="Xã Tân Mộc",
        address="Thôn Hạ, số 4",
        method="vietqr",
        deposit=120000,
        deposit_paid=True,
    )
    preorder(window, 2, name="Vũ Thị Mai", phone="0912 555 666", commune="Xã Tân Mộc", address="Thôn Thượng")
    preorder(
        window, 5, name="Trần Văn Bình", phone="0912 333 444", commune="Xã Nam Dương", address="Thôn Chùa"
    )
    preorder(window, 3, name="Phạm Thị Lan", phone="0987 654 321", pickup=True, method="vietqr", paid=True)
    duc = preorder(window, 7, name="Hoàng Văn Đức", phone="0977 000 777", commune="Xã Kép")
    PreOrder.objects.filter(order=duc.order).update(cancelled_at=timezone.now())
    return owner, stall, window, hoa


def test_the_windows_list_shows_state_fill_dates_and_buttons(client, season, django_assert_max_num_queries):
    owner, stall, window, _hoa = season
    client.force_login(owner)

    # The seller area's frame, the stall, the windows with their products, today's closing run.
    with django_assert_max_num_queries(14):
        page = client.get(f"/ban-hang/gian-hang/{stall.pk}/mua-vu/").content.decode()

    assert "Vải thiều" in page
    assert f"Đang nhận đặt trước đến {window.closes_on:%d/%m/%Y}" in page
    assert "Đã đặt 27 / 500 kg" in page  # reserved counts what the checkout took (Đức's 7 kg too)
    assert f'<progress id="filled-{window.pk}" max="500" value="27">' in page
    assert "60.000 ₫" in page
    assert "Đóng đặt trước ngay" in page and "Danh sách soạn hàng" in page


def test_the_window_page_lists_each_pre_order_with_its_deposit(client, season, django_assert_max_num_queries):
    owner, stall, window, hoa = season
    client.force_login(owner)

    # The frame, the stall, the window, its orders in one query, its refunds, the form's products.
    with django_assert_max_num_queries(16):
        page = client.get(f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/").content.decode()

    assert hoa.order.number in page
    assert "Nguyễn Thị Hoa" in page and "10 kg" in page and "Đã trả 120.000 ₫" in page
    assert page.count("Chưa trả") == 2  # Mai and Bình pay on delivery
    assert "Hoàng Văn Đức" not in page
    assert "4 đơn" in page and "20 kg" in page and "300.000 ₫" in page


def test_the_pick_list_groups_by_pickup_point_and_commune_with_totals(
    client, season, django_assert_max_num_queries
):
    owner, stall, window, _hoa = season
    client.force_login(owner)
    url = f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/danh-sach-soan-hang/"

    # The seller area's frame (session, basket, site, menus) and three for the list: stall, window, orders.
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()

    pickup = page.index("Nhận tại Nhà văn hoá thôn Đồng")
    nam_duong = page.index("Giao đến Xã Nam Dương, Bắc Giang")
    tan_moc = page.index("Giao đến Xã Tân Mộc, Bắc Giang")
    assert pickup < nam_duong < tan_moc
    assert (
        page.index("Phạm Thị Lan")
        < nam_duong
        < page.index("Trần Văn Bình")
        < tan_moc
        < page.index("Nguyễn Thị Hoa")
    )
    assert "0912 111 222" in page and 'href="tel:0912111222"' in page
    assert "1 đơn: 3 kg · Cần thu 0 ₫" in page
    assert "2 đơn: 12 kg · Cần thu 600.000 ₫" in page
    assert "4 đơn: 20 kg" in page and "Cần thu 900.000 ₫" in page
    assert "Hoàng Văn Đức" not in page

    rows = list(csv.reader(io.StringIO(client.get(url + "?format=csv").content.decode())))
    assert len(rows) == 5  # the header and four orders
    hoa_row = next(row for row in rows if row[2] == "Nguyễn Thị Hoa")
    assert hoa_row[3:] == ["0912 111 222", "Thôn Hạ, số 4", "10", "120000", "480000"]


def test_the_pick_list_prints_without_the_site_header(client, season):
    owner, stall, window, _hoa = season
    client.force_login(owner)

    page = client.get(
        f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/danh-sach-soan-hang/"
    ).content.decode()
    with open("frontend/static/frontend/site.css", encoding="utf-8") as stylesheet:
        css = stylesheet.read()

    assert 'class="picklist"' in page
    block = css[css.index("/* #19 harvest */") :]
    assert "@media print" in block and "body:has(.picklist) .site-header" in block


SELLER_URLS = [
    ("get", ""),
    ("get", "moi/"),
    ("get", "{w}/"),
    ("post", "{w}/dong/"),
    ("post", "{w}/soan-hang/"),
    ("post", "{w}/huy/"),
    ("get", "{w}/danh-sach-soan-hang/"),
    ("post", "{w}/hoan-tien/1/"),
    ("post", "{w}/hoan-tien-the/"),
]


def test_another_stall_gets_404_a_guest_logs_in_and_post_only_urls_refuse_get(client, lychee):
    owner, stall, window = lychee
    stranger, _their_stall = seller_with_stall()

    for method, suffix in SELLER_URLS:
        url = f"/ban-hang/gian-hang/{stall.pk}/mua-vu/" + suffix.format(w=window.pk)
        client.logout()
        guest = getattr(client, method)(url)
        assert guest.status_code == 302 and "/ban-hang/dang-nhap/" in guest["Location"], url
        client.force_login(stranger)
        assert getattr(client, method)(url).status_code == 404, url
        if method == "post":
            client.force_login(owner)
            assert client.get(url).status_code == 405, url
    window.refresh_from_db()
    assert window.state == "open"
