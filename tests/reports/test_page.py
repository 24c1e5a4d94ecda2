"""/bao-cao/ as a commune official reads it: the headline figures, each table with its chart and its
numbers written the Vietnamese way, the chooser keeping what was chosen, and export links for the
same choice. The panels are faked here (their sums have their own tests): the page is what is tested."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from marketplace.reports import charts, figures
from marketplace.reports.formatting import format_figure
from marketplace.reports.tables import (
    DATE,
    HOURS,
    INT,
    PERCENT,
    STARS,
    TEXT,
    VND,
    Chart,
    Column,
    Figure,
    Panel,
    Table,
)
from marketplace.reports.templatetags.report_tags import report_table
from sellers.models import CommuneAssignment
from tests.factories import CommuneFactory, UserFactory, commune_member

pytestmark = pytest.mark.django_db


# Fake panels: small, realistic, built from the contract (marketplace/reports/tables.py).


def fake_stalls(scope, period):
    stalls = Table(
        "stalls",
        "Gian hàng theo xã",
        [
            Column("commune", "Xã", TEXT),
            Column("opened", "Mở mới", INT),
            Column("verified", "Đã xác minh", INT),
            Column("active", "Đang bán", INT),
        ],
        [
            {"commune": "Lục Ngạn", "opened": 3, "verified": 2, "active": 1234},
            {"commune": "Phúc Hòa & Kép <xã>", "opened": 1, "verified": 1, "active": 5},
        ],
        total={"opened": 4, "verified": 3, "active": 1239},
        chart=Chart("bars", "commune", ("active",)),
        note="Đang bán: có đơn hoặc có thay đổi trong 30 ngày.",
    )
    helpers = Table(
        "helpers",
        "Hộ được hỗ trợ",
        [Column("helper", "Người hỗ trợ", TEXT), Column("households", "Số hộ", INT)],
        [{"helper": "Cán bộ hỗ trợ Lục Ngạn", "households": 4}],
    )
    return Panel(
        "stalls",
        "Gian hàng và hộ gia đình",
        [Figure("Gian hàng đang bán", 1239), Figure("Hộ được hỗ trợ", 4)],
        [stalls, helpers],
    )


def fake_products(scope, period):
    stars = Table(
        "ocop-stars",
        "Sản phẩm OCOP theo số sao",
        [Column("stars", "Hạng", TEXT), Column("products", "Sản phẩm", INT)],
        [{"stars": "3 sao", "products": 6}, {"stars": "4 sao", "products": 2}],
        chart=Chart("bars", "stars", ("products",)),
    )
    products = Table(
        "products",
        "Sản phẩm đang bán",
        [Column("stall", "Gian hàng", TEXT), Column("products", "Sản phẩm", INT)],
        [],
    )
    return Panel("products", "Sản phẩm", [Figure("Sản phẩm OCOP", 8)], [products, stars])


def fake_orders(scope, period):
    days = [period.start + timedelta(days=i) for i in range(period.days)]
    by_day = Table(
        "orders-by-day",
        "Đơn hàng theo ngày",
        [Column("day", "Ngày", DATE), Column("orders", "Số đơn", INT), Column("value", "Giá trị", VND)],
        [{"day": day, "orders": i % 3, "value": 150_000 * (i % 3)} for i, day in enumerate(days)],
        chart=Chart("line", "day", ("orders",)),
    )
    methods = Table(
        "payment-methods",
        "Cách trả tiền",
        [
            Column("method", "Cách trả", TEXT),
            Column("orders", "Số đơn", INT),
            Column("share", "Tỷ lệ theo số đơn", PERCENT),
            Column("value", "Giá trị", VND),
        ],
        [
            {"method": "Tiền mặt khi nhận hàng", "orders": 1, "share": 100 / 3, "value": 120_000},
            {"method": "VietQR", "orders": 2, "share": 200 / 3, "value": 1_234_500},
        ],
        total={"orders": 3, "share": 100.0, "value": 1_354_500},
        chart=Chart("share", "method", ("orders", "value")),
    )
    delivery = Table(
        "delivery",
        "Thời gian giao hàng",
        [
            Column("stall", "Gian hàng", TEXT),
            Column("median", "Trung vị", HOURS),
            Column("slow", "Chậm nhất", HOURS),
        ],
        [{"stall": "Vườn vải ông Thành", "median": 18.2, "slow": 60}],
    )
    return Panel(
        "orders",
        "Đơn hàng và thanh toán",
        [
            Figure("Đơn hàng", 3),
            Figure("Giá trị", 1_354_500, VND),
            Figure("Trả không dùng tiền mặt", 200 / 3, PERCENT),
        ],
        [by_day, methods, delivery],
    )


def fake_trust(scope, period):
    reviews = Table(
        "reviews",
        "Đánh giá",
        [
            Column("stall", "Gian hàng", TEXT),
            Column("stars", "Điểm trung bình", STARS),
            Column("last", "Gần nhất", DATE),
        ],
        [
            {"stall": "Vườn vải ông Thành", "stars": 4.56, "last": date(2026, 11, 3)},
            {"stall": "Chè", "stars": None, "last": None},
        ],
    )
    return Panel("trust", "Hài lòng và khiếu nại", [Figure("Điểm đánh giá", 4.56, STARS)], [reviews])


def fake_stamps(scope, period):
    recalls = Table("recalls", "Thu hồi", [Column("lot", "Lô", TEXT)], [])
    return Panel(
        "stamps", "Tem truy xuất", [Figure("Tem đã quét", 0)], [recalls], note="Chưa có tem nào được quét."
    )


def fake_map(scope, period):
    places = Table(
        "stall-map",
        "Bản đồ gian hàng",
        [Column("commune", "Xã", TEXT), Column("stalls", "Gian hàng", INT)],
        [
            {"commune": "Lục Ngạn", "stalls": 4, "latitude": 21.38, "longitude": 106.60},
            {"commune": "Phúc Hòa", "stalls": 0, "latitude": 21.30, "longitude": 106.30},
        ],
        chart=Chart("map", "commune", ("stalls",)),
    )
    return Panel("map", "Bản đồ", [], [places])


FAKE_PANELS = (fake_stalls, fake_products, fake_orders, fake_trust, fake_stamps, fake_map)


@pytest.fixture
def fake_panels(monkeypatch):
    monkeypatch.setattr(figures, "PANELS", FAKE_PANELS)


@pytest.fixture
def staff(db):
    commune = CommuneFactory(name="Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    return commune_member(commune=commune, role=CommuneAssignment.Role.STAFF)


def page(client, user, query: str = "") -> str:
    client.force_login(user)
    response = client.get(f"/bao-cao/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_every_table_shows_with_its_chart_and_its_numbers_written_the_vietnamese_way(
    client, staff, fake_panels
):
    html = page(client, staff)

    month = timezone.localdate().strftime("%m/%Y")
    assert "Báo cáo: Lục Ngạn, Bắc Ninh" in html and f"Tháng {month}" in html
    for caption in (
        "Gian hàng theo xã",
        "Hộ được hỗ trợ",
        "Sản phẩm OCOP theo số sao",
        "Đơn hàng theo ngày",
        "Cách trả tiền",
        "Thời gian giao hàng",
        "Đánh giá",
        "Bản đồ gian hàng",
    ):
        assert f'<caption class="sr-only">{caption}</caption>' in html
    assert html.count("<svg") == 5  # bars ×2, line, share, map
    assert "Phúc Hòa &amp; Kép &lt;xã&gt;" in html and "<xã>" not in html
    for written in (
        "1.234",
        "1.239",
        "1.234.500 ₫",
        "1.354.500 ₫",
        "66,7 %",
        "33,3 %",
        "100,0 %",
        "18 giờ",
        "2,5 ngày",
        "4,6",
        "03/11/2026",
        "—",
        "Tổng cộng",
    ):
        assert written in html, written
    assert html.count("Chưa có số liệu trong những ngày này.") == 2  # products, recalls
    assert "Chưa có tem nào được quét." in html and "Đang bán: có đơn hoặc có thay đổi trong 30 ngày." in html
    headline = html.split('class="report-figures"')[1].split("</ul>")[0]
    assert "<strong>1.239</strong> <span>Gian hàng đang bán</span>" in headline
    assert "<strong>66,7 %</strong>" in headline and 'href="#panel-orders"' in headline


def test_the_chooser_keeps_the_chosen_dates_and_the_links_carry_them(client, staff, fake_panels):
    start = timezone.localdate().replace(day=1) - timedelta(days=20)
    end = start + timedelta(days=9)
    html = page(client, staff, f"?tu={start:%Y-%m-%d}&den={end:%Y-%m-%d}")

    assert f'name="tu" id="id_tu" value="{start:%Y-%m-%d}"' in html
    assert f'name="den" id="id_den" value="{end:%Y-%m-%d}"' in html
    assert f"{start:%d/%m/%Y} – {end:%d/%m/%Y}" in html
    assert f"{start:%d}/{start:%m}" in html  # the line chart's first day
    links = {urlsplit(href).path: parse_qs(urlsplit(href).query) for href in hrefs(html)}
    dates = {"tu": [f"{start:%Y-%m-%d}"], "den": [f"{end:%Y-%m-%d}"]}
    assert links["/bao-cao/xuat/bao-cao.xlsx"] == dates
    assert links["/bao-cao/xuat/orders-by-day.csv"] == dates
    assert links["/bao-cao/bao-cao-thang.pdf"] == {"thang": [f"{start:%Y-%m}"]}
    assert "/bao-cao/xuat/products.csv" not in links  # no rows: nothing to download


def test_quick_links_for_this_month_last_month_and_this_year(client, staff, fake_panels):
    today = timezone.localdate()
    html = page(client, staff)

    last = today.replace(day=1) - timedelta(days=1)
    assert 'aria-current="page">Tháng này</a>' in html
    assert f'href="?tu={last.replace(day=1):%Y-%m-%d}&amp;den={last:%Y-%m-%d}">Tháng trước</a>' in html
    assert f'href="?tu={today.year}-01-01&amp;den={today:%Y-%m-%d}"' in html
    html = page(client, staff, f"?tu={last.replace(day=1):%Y-%m-%d}&den={last:%Y-%m-%d}")
    assert f"Tháng {last:%m/%Y}" in html and 'aria-current="page">Tháng trước</a>' in html


def test_a_reversed_range_says_why_and_shows_this_month(client, staff, fake_panels):
    today = timezone.localdate()
    html = page(
        client, staff, f"?tu={today:%Y-%m-%d}&den={today.replace(day=1) - timedelta(days=3):%Y-%m-%d}"
    )

    assert gettext("The end date is before the start date.") in html
    assert f"Tháng {today:%m/%Y}" in html and "Số liệu bên dưới là của tháng này." in html
    assert '<details class="report-chooser" open>' in html  # the wrong dates, open to fix
    assert f'value="{today:%Y-%m-%d}"' in html


def test_one_commune_has_nothing_to_choose_but_the_platform_has_provinces_then_communes(
    client, staff, fake_panels
):
    assert 'name="xa"' not in page(client, staff) and 'name="tinh"' not in page(client, staff)

    dai_tu = CommuneFactory(name="Đại Từ", province_code=19, province_name="Thái Nguyên")
    kep = CommuneFactory(name="Kép", province_code=24, province_name="Bắc Ninh")
    admin = UserFactory(is_superuser=True)
    html = page(client, admin)
    assert 'name="tinh"' in html and 'name="xa"' not in html and ">Thái Nguyên</option>" in html
    html = page(client, admin, "?tinh=24&xa=")
    assert '<option value="24" selected>Bắc Ninh</option>' in html
    assert f'<option value="{kep.code}">Kép</option>' in html and "Đại Từ" not in html.split('id="id_xa"')[1]
    assert dai_tu.code  # in reach, in another province


def test_the_page_makes_few_queries(client, staff, fake_panels, django_assert_max_num_queries):
    """Besides its panels' own (counted in their tests): the session, the user and their reach, and the
    site's header (basket, Wagtail site); none per table, row or commune."""
    client.force_login(staff)
    client.get("/bao-cao/")  # the first visit opens a basket
    for _more in range(30):
        CommuneFactory()  # in another reach: no commune is looked up one by one
    with django_assert_max_num_queries(14):
        assert (
            client.get(f"/bao-cao/?tu={timezone.localdate() - timedelta(days=300):%Y-%m-%d}").status_code
            == 200
        )


def hrefs(html: str) -> list[str]:
    return [part.split('"')[0].replace("&amp;", "&") for part in html.split('href="')[1:]]


def test_the_real_panels_show_every_figure_of_the_report_on_the_page(client, commerce_world):
    """The hand-counted October of tests/reports/conftest.py, through the real panels: every cell of
    every table of the report is on the page as the exports write it, and every chart is drawn."""
    staff = commune_member(commune=commerce_world.luc_ngan, role=CommuneAssignment.Role.STAFF)
    html = page(client, staff, "?tu=2026-10-01&den=2026-10-31")

    report = figures.report(commerce_world.commune, commerce_world.period)
    assert "Tháng 10/2026" in html
    drawn = 0
    for table in report.tables():
        assert f'<caption class="sr-only">{escape(table.title)}</caption>' in html or not table.rows, (
            table.key
        )
        for row in [*table.rows, table.total or {}]:
            for column in table.columns:
                if column.key in row:
                    assert escape(format_figure(row[column.key], column.kind)) in html, (
                        table.key,
                        column.key,
                    )
        drawn += bool(charts.svg(table))
    assert drawn >= 2 and html.count("<svg") == drawn
    for panel in report.panels:
        for fig in panel.headline:
            written = escape(format_figure(fig.value, fig.kind))
            assert f"<strong>{written}</strong> <span>{escape(fig.label)}</span>" in html


def test_a_table_is_written_with_its_header_row_names_total_and_download():
    """{% report_table %} (written in Python for speed): the markup a screen reader and the CSS rely on,
    every value escaped once, the page's choices carried by the CSV link."""
    rows = [{"commune": f"Xã <{n}>", "orders": 1000 + n, "value": None} for n in range(13)]
    table = Table(
        "orders-by-place",
        "Đơn theo xã",
        [Column("commune", "Xã", TEXT), Column("orders", "Số đơn", INT), Column("value", "Giá trị", VND)],
        rows,
        total={"orders": 13_078},
        note="Mỗi đơn <một lần>.",
    )
    html = str(report_table(table, SafeString("tu=2026-10-01&amp;den=2026-10-31")))

    assert html.startswith(
        '<div class="report-table" id="table-orders-by-place"><h3 id="table-orders-by-place-title">'
    )
    assert (
        '<div class="table-scroll long" role="region" aria-labelledby="table-orders-by-place-title"' in html
    )
    assert '<th scope="col">Xã</th><th scope="col" class="num">Số đơn</th>' in html
    assert (
        '<tr><th scope="row">Xã &lt;0&gt;</th><td class="num">1.000</td><td class="num">—</td></tr>' in html
    )
    assert (
        '<tfoot><tr><th scope="row">Tổng cộng</th><td class="num">13.078</td><td class="num"></td></tr>'
        in html
    )
    assert '<p class="report-note">Mỗi đơn &lt;một lần&gt;.</p>' in html
    assert 'href="/bao-cao/xuat/orders-by-place.csv?tu=2026-10-01&amp;den=2026-10-31">Tải CSV' in html
    table.rows = []
    html = str(report_table(table))
    assert '<p class="no-data">Chưa có số liệu trong những ngày này.</p>' in html
    assert "<table" not in html and "csv" not in html


def test_a_hundred_days_show_weeks_and_the_line_has_a_point_a_week(client, staff, fake_panels):
    end = timezone.localdate()
    start = end - timedelta(days=99)
    html = page(client, staff, f"?tu={start:%Y-%m-%d}&den={end:%Y-%m-%d}")

    orders = html.split('id="table-orders-by-day"')[1].split('<div class="report-table"')[0]
    assert (
        '<th scope="col">Tuần từ ngày</th>' in orders and "Mỗi dòng là một tuần, tính từ thứ Hai." in orders
    )
    assert 14 <= orders.count("<tr>") - 1 <= 16  # 100 days: 15 weeks (a header row besides)
    (points,) = [part.split('"')[0] for part in orders.split('<polyline points="')[1:]]
    assert len(points.split()) == orders.count("<tr>") - 1
