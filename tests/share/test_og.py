"""What a link shows when it is shared (Open Graph), and the share button: on the product, stall and
trace pages; never a stamp's serial in what the stamp's page shares."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model
from PIL import Image

from sellers.services import stall_page_publish
from tests.factories import StallFactory, make_lot, make_product
from traceability import services
from traceability.selectors import stamp_url_for

pytestmark = pytest.mark.django_db
ProductImage = get_model("catalogue", "ProductImage")
GTIN = "08938536000015"
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def og(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)"', html))


def shared_urls(html: str) -> list[str]:
    """Every address the page offers to share: og:url, canonical, the share button's, Zalo's, the link."""
    share = html[html.index('<section class="share"') :]
    share = share[: share.index("</section>")]
    return [
        og(html).get("og:url", ""),
        *re.findall(r'<link rel="canonical" href="([^"]+)"', html),
        *re.findall(r'(?:data-url|href|value)="([^"]+)"', share),
    ]


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), "#c0392b").save(buffer, "JPEG")
    return SimpleUploadedFile("vai.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_product_page_tells_messengers_its_name_photo_and_address(client, make_storefront):
    make_storefront()
    product = make_product(title="Vải thiều Lục Ngạn", description="Vải chín cây, hái sáng sớm.")
    ProductImage.objects.create(product=product, original=jpeg(), display_order=0)

    tags = og(client.get(product.get_absolute_url()).content.decode())

    assert tags["og:title"] == "Vải thiều Lục Ngạn"
    assert tags["og:description"] == "Vải chín cây, hái sáng sớm."
    assert tags["og:url"] == "http://testserver" + product.get_absolute_url()
    assert tags["og:type"] == "product"
    assert tags["og:locale"] == "vi_VN"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["og:image"].startswith("http://testserver/media/")
    assert client.get(tags["og:image"].removeprefix("http://testserver")).status_code == 200


def test_without_a_photo_the_sites_picture_is_shown(client, make_storefront):
    make_storefront()
    product = make_product(title="Mật ong bạc hà")

    image = og(client.get(product.get_absolute_url()).content.decode())["og:image"]

    assert image.startswith("http://testserver/static/frontend/og-default")
    assert finders.find("frontend/og-default.png")


def test_a_stall_page_has_its_tags_and_the_share_button(client, make_storefront):
    stall = StallFactory(partner__name="Vườn bưởi nhà bà Tư", story="Bưởi da xanh trồng ven sông.")
    make_storefront(communes=[stall.commune])
    page = stall_page_publish(stall=stall)

    html = client.get(page.url).content.decode()
    tags = og(html)

    assert tags["og:title"] == "Vườn bưởi nhà bà Tư"
    assert tags["og:description"] == "Bưởi da xanh trồng ven sông."
    assert tags["og:url"] == "http://testserver" + page.url
    assert tags["og:image"].startswith("http://testserver/")
    assert set(shared_urls(html)) >= {"http://testserver" + page.url}


def test_other_pages_get_the_sites_defaults_without_an_address(client, make_storefront):
    make_storefront(title="Chợ OCOP xã Kép")

    tags = og(client.get("/").content.decode())

    assert tags["og:title"] == "Chợ OCOP xã Kép"
    assert tags["og:image"].startswith("http://testserver/static/")
    assert "og:url" not in tags  # a page that names none may carry a secret in its own address


@pytest.fixture
def stamps(make_storefront, settings):
    settings.STAMP_BASE_URL = "https://cho-ocop.vn"
    make_storefront()
    lot = make_lot(gtin=GTIN, best_before=timezone.localdate() + timedelta(days=10))
    run = services.stamp_run_create(lot=lot, count=2, actor=lot.created_by)
    services.stamps_activate(run=run, actor=lot.created_by)
    return list(run.stamps.select_related("lot__product"))


@pytest.mark.parametrize("signed_in", [False, True], ids=["cached-shell", "rendered-in-full"])
def test_a_stamps_page_shares_its_lot_never_its_serial(stamps, signed_in):
    lot_url = f"http://testserver/truy-xuat/lo/{GTIN}/LN2026-06A/"
    for stamp in stamps:  # the second after the first filled the lot's cached page
        for path in (
            f"/truy-xuat/tem/{stamp.serial}/",
            stamp_url_for(stamp).removeprefix("https://cho-ocop.vn"),
        ):
            client = Client(**BROWSER)
            if signed_in:
                client.cookies["sessionid"] = "x"  # anything of the visitor's own: no cached shell
            html = client.get(path).content.decode()

            assert og(html)["og:url"] == lot_url
            assert all(
                url.endswith(f"/truy-xuat/lo/{GTIN}/LN2026-06A/")
                for url in shared_urls(html[:])
                if "zalo" not in url
            )
            head_and_share = html[: html.index("</head>")] + html[html.index('<section class="share"') :]
            for other in stamps:
                assert other.serial not in head_and_share
                assert other.serial not in "".join(shared_urls(html))


def test_the_lot_and_product_origin_pages_have_their_tags(stamps):
    client = Client(**BROWSER)
    lot = client.get(f"/truy-xuat/lo/{GTIN}/LN2026-06A/").content.decode()
    origin = client.get(f"/truy-xuat/sp/{GTIN}/").content.decode()

    assert og(lot)["og:url"] == f"http://testserver/truy-xuat/lo/{GTIN}/LN2026-06A/"
    assert og(lot)["og:title"] == "Vải thiều Lục Ngạn"
    assert og(lot)["og:description"] == "Từ HTX Lục Ngạn Xanh"
    assert og(origin)["og:url"] == f"http://testserver/truy-xuat/sp/{GTIN}/"
    assert "http://testserver/truy-xuat/sp/" + GTIN + "/" in shared_urls(origin)
