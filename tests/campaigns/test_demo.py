"""The demo's lychee season: the campaign page and the guide on the Lục Ngạn site, an open window,
commune staff who may edit both; seeding again changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Page

from marketplace import demo, demo_data
from marketplace.demo_seasons import seed_seasons
from seasons.models import SaleWindow

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ground(db):
    """Only what the season needs: the communes, sites, the two Lục Ngạn stalls the users own, the
    lychee product, the users."""
    communes = {code: demo.commune_from_registry(code=code) for code in demo._commune_codes()}
    for code, (latitude, longitude) in demo_data.COMMUNE_CENTRES.items():
        demo.Commune.objects.filter(code=code).update(latitude=latitude, longitude=longitude)
    categories = demo._categories()
    product_class = demo.ProductClass.objects.create(slug="nong-san", name="Nông sản", track_stock=True)
    for data in demo_data.STALLS:
        if data["slug"] in (demo_data.LYCHEE_WINDOW["stall"], demo_data.SELLER_USER["stall"]):
            stall = demo._stall(data, commune=communes[data["commune"]])
            for product in data["products"]:
                if product["sku"] == demo_data.LYCHEE_WINDOW["sku"]:
                    demo._product(
                        product,
                        stall=stall,
                        product_class=product_class,
                        categories=categories,
                        with_images=False,
                    )
    demo._sites(communes)
    demo._users(communes)


def test_the_demo_season(client, demo_ground):
    photo = demo.product_photo("vai-thieu", seed="mua-vai-2027", size=(320, 180))

    seeded = seed_seasons(photo=photo)
    again = seed_seasons(photo=photo)

    window = seeded["window"]
    assert (window.capacity, window.price, window.deposit_percent) == (2000, 60000, 30)
    assert (window.min_per_buyer, window.max_per_buyer, str(window.harvest_from)) == (2, 50, "2027-06-05")
    assert window.is_open() and str(window.closes_on) == "2027-05-31"
    assert (
        again == seeded
        and SaleWindow.objects.count() == 1
        and Page.objects.filter(slug__in=["mua-vai-thieu-2027", "cach-mo-gian-hang"]).count() == 2
    )

    campaign = client.get("/mua-vai-thieu-2027/", HTTP_HOST="lucngan.localhost:8000")
    html = campaign.content.decode()
    assert campaign.status_code == 200 and "Mùa vải thiều Lục Ngạn 2027" in html
    assert "Vải thiều Lục Ngạn" in html and "HTX Nông sản Lục Ngạn Xanh" in html
    assert 'class="map-dot"' in html and "<img" in html
    guide = client.get("/cach-mo-gian-hang/in/", HTTP_HOST="lucngan.localhost:8000")
    assert guide.status_code == 200 and "Gửi xã duyệt" in guide.content.decode()

    staff = get_user_model().objects.get(username=demo_data.COMMUNE_STAFF_USER["username"])
    client.force_login(staff)
    for page in (seeded["campaign"], seeded["guide"]):
        assert client.get(f"/cms/pages/{page.pk}/edit/").status_code == 200
