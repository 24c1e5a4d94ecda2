"""Issue #16, "Scan" and "Cooperative": what a buyer scanning a package and a cooperative at its desk
stumbled on, on a phone."""

import io
import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format
from oscar.core.loading import get_model
from pypdf import PdfReader

from tests.factories import StallFactory, UserFactory, make_lot
from traceability import services
from traceability.models import FarmPlot, LotEvent, StampRun
from traceability.printing import run_pdf
from traceability.selectors import stamp_url_for
from traceability.sheets import LAYOUTS

pytestmark = pytest.mark.django_db
GTIN = "08938536000015"
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
StockRecord = get_model("partner", "StockRecord")
Basket = get_model("basket", "Basket")


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True, **BROWSER)


@pytest.fixture
def lot(make_storefront, settings):
    settings.STAMP_BASE_URL = "https://cho-ocop.vn"
    make_storefront()
    lot = make_lot(gtin=GTIN, best_before=timezone.localdate() + timedelta(days=3))
    lot.plots.add(
        FarmPlot.objects.create(
            owner=lot.owner,
            commune=lot.owner.commune,
            name="Đồi vải Kép 1",
            latitude="21.38110",
            longitude="106.61240",
        )
    )
    return lot


@pytest.fixture
def stamp(lot):
    run = services.stamp_run_create(lot=lot, count=2, actor=lot.created_by)
    services.stamps_activate(run=run, actor=lot.created_by)
    return run.stamps.select_related("lot__product").first()


def stamp_path(stamp) -> str:
    return stamp_url_for(stamp).removeprefix("https://cho-ocop.vn")


def lot_path(lot) -> str:
    return f"/truy-xuat/lo/{GTIN}/{lot.code}/"


EXPIRED = "Đã quá hạn sử dụng"


def test_stamp_page_warns_once_the_best_before_date_has_passed_even_from_the_cached_page(client, stamp):
    assert EXPIRED not in client.get(stamp_path(stamp)).content.decode()  # the lot's page is now cached

    # Days pass: nothing about the lot changes (its updated_at, the cached page's key, stays the same).
    type(stamp.lot).objects.filter(pk=stamp.lot_id).update(
        best_before=timezone.localdate() - timedelta(days=1)
    )

    html = client.get(stamp_path(stamp)).content.decode()
    assert EXPIRED in html
    assert "Tem chính hãng" not in html
    assert "Mua lại ở gian hàng này" not in html  # an expired lot is never offered again


def test_lot_page_warns_once_the_best_before_date_has_passed(client, lot):
    assert EXPIRED not in client.get(lot_path(lot)).content.decode()
    lot.best_before = timezone.localdate() - timedelta(days=160)
    lot.save()

    assert EXPIRED in client.get(lot_path(lot)).content.decode()


def test_map_is_drawn_by_the_site_with_a_geo_link_and_coordinates_anyone_reads(client, stamp):
    html = client.get(stamp_path(stamp)).content.decode()

    assert "<iframe" not in html and "openstreetmap.org/export/embed" not in html
    assert '<svg class="plot-map"' in html
    assert 'href="geo:21.38110,106.61240"' in html
    assert "21.3811° N, 106.6124° E" in html
    assert "21,38110" not in html
    assert "https://www.openstreetmap.org/?mlat=21.38110&amp;mlon=106.61240" in html  # without a map app


def test_buy_again_puts_that_product_from_that_stall_in_the_basket(client, stamp):
    product = stamp.lot.product
    cheaper = StallFactory(partner__name="Vườn nhà bà Tư")
    StockRecord.objects.create(
        product=product, partner=cheaper.partner, partner_sku="x", price=Decimal(40000), num_in_stock=50
    )
    html = client.get(stamp_path(stamp)).content.decode()
    form = re.search(
        r'<form method="post" action="([^"]+)">\s*<input[^>]*value="([^"]+)"[^>]*>\s*<button[^>]*>'
        r"Mua lại ở gian hàng này",
        html,
    )
    assert form, "no “Mua lại” button"

    response = client.post(form[1], {"csrfmiddlewaretoken": form[2]})

    assert response.status_code == 302 and response.url.endswith("/basket/")
    basket = Basket.objects.get()
    [line] = basket.lines.select_related("stockrecord__partner")
    assert (line.product, line.stockrecord.partner, line.quantity) == (product, stamp.lot.owner.partner, 1)
    assert "Vải thiều Lục Ngạn" in client.get(response.url).content.decode()


LONG_NAME = "Hợp tác xã Nông nghiệp Dịch vụ Vải thiều Lục Ngạn Xanh"


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_label_has_the_full_names_the_harvest_date_and_says_scan_to_trace(settings, layout):
    settings.STAMP_BASE_URL = "https://cho-ocop.vn"
    owner = StallFactory(kind="cooperative", partner__name=LONG_NAME, owner=UserFactory())
    lot = make_lot(stall=owner, gtin=GTIN)
    run = services.stamp_run_create(lot=lot, count=1, actor=lot.created_by, layout=layout)

    words = " ".join(PdfReader(io.BytesIO(run_pdf(run))).pages[0].extract_text().split())
    for printed in (
        LONG_NAME,
        "Vải thiều Lục Ngạn",
        "Lô LN2026-06A",
        "Thu hoạch 12/06/2026",
        "Quét để truy xuất nguồn gốc",
    ):
        assert printed in words, (printed, words)


# The cooperative's desk.


def vi_date(when, format_name: str) -> str:
    with translation.override("vi"):
        return date_format(timezone.localtime(when), format_name)


@pytest.fixture
def desk_lot(client, lot):
    manager = UserFactory()
    lot.owner.owner = manager
    lot.owner.save(update_fields=["owner"])
    client.force_login(manager)
    return lot


def lot_desk(lot) -> str:
    return f"/ban-hang/gian-hang/{lot.owner_id}/truy-xuat/lo/{lot.pk}/"


def test_a_stamp_run_says_how_many_stamps_are_active_voided_and_not_yet_activated(client, desk_lot):
    run = services.stamp_run_create(lot=desk_lot, count=5, actor=desk_lot.created_by)
    services.stamps_activate(run=run, actor=desk_lot.created_by, first=1, last=4)
    services.stamps_void(run=run, actor=desk_lot.created_by, reason="rách", first=4, last=4)

    html = client.get(lot_desk(desk_lot)).content.decode()

    assert "Đang dùng: 3 · Đã hủy: 1 · Chưa kích hoạt: 1" in html


def test_a_stuck_sheet_says_so_and_is_printed_again(client, desk_lot, committed):
    run = services.stamp_run_create(lot=desk_lot, count=3, actor=desk_lot.created_by)
    StampRun.objects.filter(pk=run.pk).update(
        status=StampRun.Status.PENDING, progress=0, created_at=timezone.now() - timedelta(hours=2)
    )

    html = client.get(lot_desk(desk_lot)).content.decode()
    assert "Đang chờ (0 %)" not in html
    assert "Bị kẹt" in html and "lâu rồi không chạy" in html
    assert 'http-equiv="refresh"' not in html  # no reloading every 3 s for ever
    retry = re.search(r'<form method="post" action="([^"]+/retry/)">\s*<input[^>]*value="([^"]+)"', html)
    assert retry and "In lại" in html

    with committed():
        client.post(retry[1], {"csrfmiddlewaretoken": retry[2]})

    run.refresh_from_db()
    assert run.status == StampRun.Status.READY and run.pdf


def test_a_sheet_just_ordered_is_not_called_stuck(client, desk_lot):
    run = services.stamp_run_create(lot=desk_lot, count=3, actor=desk_lot.created_by)
    StampRun.objects.filter(pk=run.pk).update(status=StampRun.Status.PENDING, progress=0)

    html = client.get(lot_desk(desk_lot)).content.decode()

    assert "Bị kẹt" not in html and "Đang chờ (0 %)" in html


def test_the_correction_dropdown_names_steps_in_vietnamese_with_the_local_date(client, desk_lot):
    # 00:30 on 12 June in Việt Nam is still 11 June in UTC.
    late = timezone.make_aware(datetime(2026, 6, 12, 0, 30))
    LotEvent.objects.create(
        lot=desk_lot, step="commissioning", occurred_at=late, place="Đồi vải", recorded_by=desk_lot.created_by
    )

    html = client.get(lot_desk(desk_lot)).content.decode()
    options = re.search(r'<select name="event-corrects"[^>]*>(.*?)</select>', html, re.S)[1]

    assert "commissioning" not in options and "2026-06-11" not in options
    assert f"Thu hoạch · {vi_date(late, 'SHORT_DATETIME_FORMAT')}" in options


def test_a_harvest_recorded_without_a_time_shows_as_a_date(client, desk_lot):
    noon = timezone.make_aware(datetime.combine(desk_lot.harvest_date, time(12)))
    LotEvent.objects.create(
        lot=desk_lot, step="commissioning", occurred_at=noon, place="Đồi vải", recorded_by=desk_lot.created_by
    )

    desk_html = client.get(lot_desk(desk_lot)).content.decode()
    trace_html = Client(**BROWSER).get(lot_path(desk_lot)).content.decode()

    for html in (desk_html, trace_html):
        assert "12:00" not in html
        assert vi_date(noon, "SHORT_DATE_FORMAT") in html


def test_a_plot_can_take_the_phone_s_location_and_still_be_typed(client, desk_lot):
    response = client.get(f"/ban-hang/gian-hang/{desk_lot.owner_id}/truy-xuat/")
    html = response.content.decode()

    assert "Dùng vị trí của tôi" in html and "navigator.geolocation" in html
    assert "geolocation=(self)" in response["Permissions-Policy"]  # the site's policy would block it
    assert re.search(r'<input[^>]*name="plot-latitude"', html)  # typing stays possible
