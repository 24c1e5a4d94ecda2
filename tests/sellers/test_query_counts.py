"""Seller pages and the public stall page keep a bounded number of queries as a stall grows."""

import pytest

from sellers import services
from sellers.models import Stall
from tests.factories import CommuneFactory, commune_member, make_product, place_order, seller_with_stall

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_stall(make_storefront):
    commune = CommuneFactory()
    make_storefront(communes=[commune])
    seller, stall = seller_with_stall(commune=commune, status=Stall.Status.SUBMITTED)
    products = [make_product(stall=stall, title=f"Sản phẩm {n}", ocop_stars=3) for n in range(15)]
    for product in products[:10]:
        place_order((product, 1))
    services.stall_verify(stall=stall, staff=commune_member(commune=commune, role="commune_staff"))
    return seller, stall


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/ban-hang/gian-hang/{pk}/", 16),  # 16: new bank details waiting for the code, complaints waiting
        ("/ban-hang/gian-hang/{pk}/san-pham/", 12),
        ("/ban-hang/gian-hang/{pk}/don-hang/", 11),
    ],
)
def test_seller_pages(client, busy_stall, django_assert_max_num_queries, path, limit):
    seller, stall = busy_stall
    client.force_login(seller)
    url = path.format(pk=stall.pk)
    client.get(url)

    with django_assert_max_num_queries(limit):
        response = client.get(url)

    assert response.status_code == 200


def test_public_stall_page(client, busy_stall, django_assert_max_num_queries):
    _, stall = busy_stall
    url = stall.page.get_url()
    client.get(url)

    with django_assert_max_num_queries(14):
        response = client.get(url)

    assert response.content.decode().count('class="card"') == 15
