"""A seller only ever reaches its own stall; commune staff only their commune."""

import pytest

from sellers.models import Stall
from tests.factories import CommuneFactory, commune_member, make_product, place_order, seller_with_stall

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sellers():
    seller_a, stall_a = seller_with_stall(status=Stall.Status.DRAFT)
    seller_b, stall_b = seller_with_stall(status=Stall.Status.VERIFIED, partner__name="Vườn bưởi nhà B")
    product_b = make_product(stall=stall_b, title="Bưởi da xanh nhà B", price=85000)
    order_b = place_order((product_b, 2))
    return seller_a, stall_a, stall_b, product_b, order_b


def test_seller_cannot_read_another_stall(client, two_sellers, make_storefront):
    seller_a, stall_a, stall_b, product_b, order_b = two_sellers
    make_storefront()
    client.force_login(seller_a)
    urls = [
        f"/ban-hang/gian-hang/{stall_b.pk}/",
        f"/ban-hang/gian-hang/{stall_b.pk}/sua/",
        f"/ban-hang/gian-hang/{stall_b.pk}/nhat-ky/",
        f"/ban-hang/gian-hang/{stall_b.pk}/san-pham/",
        f"/ban-hang/gian-hang/{stall_b.pk}/san-pham/{product_b.pk}/",
        f"/ban-hang/gian-hang/{stall_b.pk}/don-hang/",
        # B's product and order through A's own stall
        f"/ban-hang/gian-hang/{stall_a.pk}/san-pham/{product_b.pk}/",
    ]

    for url in urls:
        assert client.get(url).status_code == 404, url
    assert (
        "Bưởi da xanh nhà B" not in client.get(f"/ban-hang/gian-hang/{stall_a.pk}/san-pham/").content.decode()
    )
    assert (
        str(order_b.number) not in client.get(f"/ban-hang/gian-hang/{stall_a.pk}/don-hang/").content.decode()
    )


def test_seller_cannot_change_another_stall(client, two_sellers, make_storefront):
    seller_a, stall_a, stall_b, product_b, order_b = two_sellers
    make_storefront()
    client.force_login(seller_a)
    posts = [
        (f"/ban-hang/gian-hang/{stall_b.pk}/sua/", {"name": "Chiếm", "kind": "household"}),
        (f"/ban-hang/gian-hang/{stall_b.pk}/gui-duyet/", {}),
        (
            f"/ban-hang/gian-hang/{stall_b.pk}/san-pham/{product_b.pk}/",
            {"title": "Chiếm", "price": "1", "unit": "kg", "stock": 0},
        ),
        (
            f"/ban-hang/gian-hang/{stall_a.pk}/san-pham/{product_b.pk}/",
            {"title": "Chiếm", "price": "1", "unit": "kg", "stock": 0},
        ),
        (f"/ban-hang/gian-hang/{stall_b.pk}/don-hang/{order_b.pk}/paid/", {}),
        (f"/ban-hang/gian-hang/{stall_a.pk}/don-hang/{order_b.pk}/confirm/", {}),
        (f"/ban-hang/gian-hang/{stall_b.pk}/nguoi-ho-tro/thu-hoi/", {}),
    ]

    for url, data in posts:
        assert client.post(url, data).status_code == 404, url

    product_b.refresh_from_db()
    stall_b.refresh_from_db()
    assert product_b.title == "Bưởi da xanh nhà B"
    assert stall_b.name == "Vườn bưởi nhà B"
    assert {line.status for line in order_b.lines.all()} == {"placed"}
    assert not order_b.payment_events.exists()


def test_anonymous_visitor_is_sent_to_log_in(client, two_sellers, make_storefront):
    _, stall_a, *_ = two_sellers
    make_storefront()

    response = client.get(f"/ban-hang/gian-hang/{stall_a.pk}/")

    assert response.status_code == 302
    assert response.url.startswith("/ban-hang/dang-nhap/")


def test_commune_staff_cannot_verify_another_commune(client, make_storefront):
    make_storefront()
    luc_ngan, xuan_loc = CommuneFactory(name="Xã Lục Ngạn"), CommuneFactory(name="Xã Xuân Lộc")
    _, stall_y = seller_with_stall(commune=xuan_loc, status=Stall.Status.SUBMITTED, partner__name="Tạp hóa Y")
    staff_x = commune_member(commune=luc_ngan, role="commune_staff")
    client.force_login(staff_x)

    assert "Tạp hóa Y" not in client.get("/ban-hang/xa/").content.decode()
    assert client.post(f"/ban-hang/xa/{stall_y.pk}/verify/").status_code == 404
    assert client.post(f"/ban-hang/xa/{stall_y.pk}/reject/", {"reason": "x"}).status_code == 404
    stall_y.refresh_from_db()
    assert stall_y.status == Stall.Status.SUBMITTED


def test_seller_and_helper_without_assignment_see_no_review_queue(client, make_storefront):
    make_storefront()
    seller, _ = seller_with_stall()
    client.force_login(seller)

    assert client.get("/ban-hang/xa/").status_code == 403
    assert client.get("/ban-hang/ho-tro/").status_code == 403
