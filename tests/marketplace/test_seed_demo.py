import pytest
from django.core.management import call_command
from oscar.core.loading import get_model
from vietnam_provinces import Ward, WardCode
from wagtail.models import Site

from ground.models import Commune, HomePage
from marketplace import demo_data
from marketplace.complaints.models import Complaint
from marketplace.feedback.models import Review
from marketplace.payments.models import OrderPayment
from sellers.models import HelperConsent, ProvinceAssignment
from traceability.models import Scan

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Stall = get_model("sellers", "Stall")

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "communes": Commune.objects.count(),
        "stalls": Stall.objects.count(),
        "products": Product.objects.count(),
        "stock": StockRecord.objects.count(),
        "home_pages": HomePage.objects.count(),
        "sites": Site.objects.count(),
        "orders": OrderPayment.objects.count(),
        "reviews": Review.objects.count(),
        "complaints": Complaint.objects.count(),
        "consents": HelperConsent.objects.count(),
        "scans": Scan.objects.count(),
    }


def test_seed_demo_is_idempotent_and_matches_the_domain(settings, tmp_path):
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")

    assert _snapshot() == first
    assert first["stalls"] == len(demo_data.STALLS)
    assert first["products"] == sum(len(s["products"]) for s in demo_data.STALLS)
    # communes carry their official names from the two-level administrative units
    for commune in Commune.objects.all():
        assert commune.name == Ward.from_code(WardCode(commune.code)).name
    names = set(Commune.objects.values_list("name", flat=True))
    assert names == {"Xã Lục Ngạn", "Xã Phúc Hòa", "Xã Xuân Lộc"}
    # prices are whole đồng and every product has a photo
    assert all(price == int(price) for price in StockRecord.objects.values_list("price", flat=True))
    assert not Product.objects.filter(images__isnull=True).exists()
    # Lục Ngạn's cooperative sells the five OCOP products of the seeds, lychee at 4 stars
    coop = Stall.objects.get(slug="htx-luc-ngan-xanh")
    products = Product.objects.filter(stockrecords__partner=coop.partner)
    assert products.count() == 5
    assert products.get(title="Vải thiều Lục Ngạn").ocop_stars == 4
    # a province site aggregates Bắc Ninh; the default site is the platform
    assert HomePage.objects.get(slug="bac-ninh").province_code == demo_data.BAC_NINH
    assert Site.objects.get(is_default_site=True).hostname == "127.0.0.1"
    # Issue #17: past orders delivered, reviewed (the products show their average), one complaint in
    # each state, and the first demo buyer's phone finds its orders.
    assert first["orders"] == len(demo_data.PAST_ORDERS)
    reviewed = Product.objects.filter(rating_count__gt=0)
    assert reviewed.count() >= 5 and all(1 <= product.rating <= 5 for product in reviewed)
    assert set(Complaint.objects.values_list("state", flat=True)) == set(Complaint.State.values)
    assert OrderPayment.objects.filter(checkout__phone=demo_data.BUYERS[0]["phone"]).count() >= 3
    # Issue #18: households the helper looks after, scans of the lychee stamps, a province account.
    assert first["consents"] == len(demo_data.HELPED_HOUSEHOLDS)
    assert first["scans"] == len(demo_data.SCAN_REGIONS) + len(demo_data.COPIED_STAMP_REGIONS)
    assert ProvinceAssignment.objects.get(user__username="canbo.bacninh").province_code == demo_data.BAC_NINH


def test_demo_storefront_renders(client):
    call_command("seed_demo", "--no-images")
    call_command("search_index", "--rebuild")  # as make demo does next

    html = client.get("/", HTTP_HOST="127.0.0.1:8000").content.decode()
    luc_ngan = client.get("/", HTTP_HOST="lucngan.localhost:8000").content.decode()

    assert "Vải thiều Lục Ngạn" in html and "Tạp hóa Cô Ba" in html
    assert "Chợ OCOP xã Lục Ngạn" in luc_ngan
    assert "Tạp hóa Cô Ba" not in luc_ngan
