"""Issue #18 in Chromium on a 360 px phone: a commune official opens /bao-cao/, reads the headline
figures and the charts of real orders and stamp scans, picks other dates, downloads the Excel file, and
never scrolls sideways. Screenshots in /tmp/shots18/page/ (or $SHOTS18)."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from oscar.core.loading import get_model

from marketplace.demo_orders import buy
from sellers.models import CommuneAssignment, Stall
from tests.e2e.conftest import PHONE, assert_accessible
from tests.factories import (
    CommuneFactory,
    StallFactory,
    commune_member,
    make_lot,
    make_product,
    province_member,
    seller_with_stall,
)
from traceability import services
from traceability.models import Scan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

Order = get_model("order", "Order")
SHOTS = Path(os.environ.get("SHOTS18", "/tmp/shots18/page"))  # noqa: S108 (screenshots to look at)
SIZE_360 = {**PHONE, "viewport": {"width": 360, "height": 740}}
BANK = {"bank_bin": "970436", "bank_account_number": "0011001234567", "bank_account_name": "CHU VUON"}
SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"


def days_ago(days: int):
    """A moment ``days`` ago, kept inside this month (the page's default period)."""
    now = timezone.now()
    return now - timedelta(days=min(days, timezone.localdate().day - 1))


@pytest.fixture
def commune_month(db):
    """Xã Lục Ngạn this month: 4 orders of two stalls on three days (2 VietQR, 2 cash), 6 stamps of which
    3 scanned from two regions; a second commune on the map."""
    luc_ngan = CommuneFactory(
        name="Lục Ngạn", province_name="Bắc Ninh", latitude=Decimal("21.38"), longitude=Decimal("106.60")
    )
    _thanh, farm = seller_with_stall(commune=luc_ngan, partner__name="Vườn vải nhà ông Thành", **BANK)
    _htx, cooperative = seller_with_stall(
        commune=luc_ngan, partner__name="HTX Nông sản Lục Ngạn Xanh", kind=Stall.Kind.COOPERATIVE, **BANK
    )
    lychee = make_product(stall=farm, title="Vải thiều Lục Ngạn", price=50000, ocop_stars=4)
    honey = make_product(stall=cooperative, title="Mật ong hoa vải", price=180000, ocop_stars=3)
    placed = [
        buy([(lychee, 2)]),
        buy([(lychee, 1)], method="vietqr", paid=True),
        buy([(honey, 1)], method="vietqr", paid=True),
        buy([(honey, 2)], until="confirm"),
    ]
    for payments, days in zip(placed, (6, 6, 3, 0), strict=True):
        Order.objects.filter(pk=payments[0].order.pk).update(date_placed=days_ago(days))

    lot = make_lot(stall=cooperative, product=honey, code="MO2026-11")
    run = services.stamp_run_create(lot=lot, count=6, actor=lot.created_by)
    services.stamps_activate(run=run, actor=lot.created_by)
    for stamp, region, days in zip(
        run.stamps.order_by("number")[:3], ("Bắc Ninh", "Hà Nội", "Bắc Ninh"), (5, 2, 0), strict=True
    ):
        services.scan_record(stamp_id=stamp.pk, region=region, network="net-1", agent="phone")
        Scan.objects.filter(stamp=stamp).update(scanned_at=days_ago(days))

    kep = CommuneFactory(name="Kép", latitude=Decimal("21.30"), longitude=Decimal("106.30"))
    seller_with_stall(commune=kep, partner__name="Vườn cam bà Hoa")
    return luc_ngan


def staff_page(browser, live_server, commune=None, user=None):
    client = Client()
    client.force_login(user or commune_member(commune=commune, role=CommuneAssignment.Role.STAFF))
    context = browser.new_context(locale="vi-VN", accept_downloads=True, **SIZE_360)
    host = urlsplit(live_server.url).hostname
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}]
    )
    return context, context.new_page()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-screen.png"))
    assert page.evaluate(SIDEWAYS) <= 0, f"{name} scrolls sideways"


def test_a_commune_official_reads_the_month_picks_dates_and_downloads_excel(
    browser, live_server, commune_month
):
    context, page = staff_page(browser, live_server, commune_month)
    page.goto(f"{live_server.url}/bao-cao/")
    today = timezone.localdate()

    assert page.locator("h1").inner_text() == "Báo cáo: Lục Ngạn, Bắc Ninh"
    assert page.locator(".report-period").inner_text() == f"Tháng {today:%m/%Y}"
    figures = page.locator(".report-figures li")
    assert figures.count() >= 4
    assert page.locator("svg.chart").count() >= 3  # orders by day, payment methods, the map...
    assert page.locator("svg.chart-line").first.is_visible()
    top = page.locator(".report-figures").bounding_box()["y"]
    assert top < 740, "the figures start on the first screen"
    shot(page, "1-this-month")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "the report page")

    page.get_by_text("Chọn ngày khác").click()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    page.get_by_label("Từ ngày").fill(f"{first:%Y-%m-%d}")
    page.get_by_label("Đến ngày").fill(f"{today:%Y-%m-%d}")
    shot(page, "2-chooser")
    page.get_by_role("button", name="Xem").click()
    assert page.locator(".report-period").inner_text() == f"{first:%d/%m/%Y} – {today:%d/%m/%Y}"
    assert page.get_by_label("Từ ngày").input_value() == f"{first:%Y-%m-%d}"
    shot(page, "3-two-months")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải Excel (XLSX)").click()
    saved = SHOTS / "bao-cao.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith(".xlsx")
    assert len(load_workbook(saved).sheetnames) >= 10  # a sheet per table

    page.goto(f"{live_server.url}/bao-cao/?tu={today:%Y-%m-%d}&den={first:%Y-%m-%d}")  # the dates swapped
    assert "Ngày kết thúc đang trước ngày bắt đầu." in page.get_by_role("alert").inner_text()
    assert page.locator(".report-period").inner_text() == f"Tháng {today:%m/%Y}"
    shot(page, "4-wrong-dates")

    page.get_by_role("link", name="Tháng trước").click()
    assert page.locator(".report-period").inner_text() == f"Tháng {first:%m/%Y}"
    shot(page, "5-last-month")

    page.get_by_role("link", name="Năm nay").click()  # a long period: its days read as weeks or months
    days = (today - today.replace(month=1, day=1)).days + 1
    by_day = page.locator("#table-orders-by-day")
    first_column = "Tháng từ ngày" if days > 190 else "Tuần từ ngày" if days > 62 else "Ngày"
    assert by_day.locator("thead th").first.inner_text() == first_column
    rows = by_day.locator("tbody tr").count()
    assert rows == today.month if days > 190 else rows <= 28 if days > 62 else rows == days
    shot(page, "6-this-year")

    page.emulate_media(media="print")  # on paper: the figures, charts and tables, not the choices
    assert (
        not page.locator(".report-chooser").is_visible() and not page.locator(".report-actions").is_visible()
    )
    assert page.locator("svg.chart").first.is_visible() and page.locator(".table-scroll").first.is_visible()
    assert not page.locator(".site-header").is_visible()
    context.close()


def test_a_province_official_sees_the_map_and_narrows_to_one_commune(browser, live_server, db):
    """14 communes of Bắc Ninh with their stalls on the map (a label on each), one in another province
    not on it; the chooser's commune list narrows the page to one."""
    for index in range(14):
        commune = CommuneFactory(
            name=f"Xã Số {index + 1}",
            latitude=Decimal("21.0") + Decimal(index % 4) / 10,
            longitude=Decimal("106.0") + Decimal(index // 4) / 8,
        )
        for _stall in range(index % 4):
            StallFactory(commune=commune)
    CommuneFactory(
        name="Xã Đại Từ", province_code=19, province_name="Thái Nguyên", latitude=21.6, longitude=105.6
    )
    context, page = staff_page(browser, live_server, user=province_member(province_code=24))
    page.goto(f"{live_server.url}/bao-cao/")

    assert page.locator("h1").inner_text() == "Báo cáo: Bắc Ninh"
    stall_map = page.locator("svg.chart-map")
    assert stall_map.locator("circle").count() == 14
    assert "Xã Đại Từ" not in stall_map.inner_html()
    shot(page, "7-province")
    page.get_by_text("Chọn ngày khác, nơi khác").click()
    page.get_by_label("Xã", exact=True).select_option(label="Xã Số 8")
    shot(page, "8-province-chooser")
    page.get_by_role("button", name="Xem").click()
    assert page.locator("h1").inner_text() == "Báo cáo: Xã Số 8, Bắc Ninh"
    chosen = page.evaluate("new URL(location).searchParams.get('xa')")
    assert page.get_by_label("Xã", exact=True).input_value() == chosen
    assert page.locator("svg.chart-map circle").count() == 1
    shot(page, "9-one-commune")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "10-desktop")
    context.close()
