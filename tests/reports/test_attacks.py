"""/bao-cao/ under attack: who may open it and whose figures they get, what its answers must never
carry (a buyer's name, phone or address, a stamp's serial, a helper's phone), the names that try to
become markup or spreadsheet formulas, odd query strings, caching, and the phone-code logins that must
never open a province staff account.

Six of these found a hole before they passed: the dashboard outside the second factor's guard, a 500 on
"²" as a commune code or on dates in the year 9999, phones typed with odd separators or full-width digits
left unmasked, phones in a stall's name masked in the exports but not on the page, and a left-over
province assignment labelling one commune's figures as the province's."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from marketplace.demo_orders import buy
from marketplace.payments.models import OrderPayment
from marketplace.reports.periods import MAX_DAYS
from sellers import otp, roles, second_factor
from sellers.models import (
    HelperConsent,
    OneTimeCode,
    PhoneAccount,
    ProvinceAssignment,
    Stall,
    StallAuditEntry,
)
from tests.conftest import last_code
from tests.factories import (
    CommuneFactory,
    StallFactory,
    UserFactory,
    commune_member,
    make_lot,
    make_product,
    province_member,
    seller_with_stall,
)
from traceability import services as trace
from traceability.models import Stamp

pytestmark = pytest.mark.django_db

BUYER_NAME = "Lê Thị Người Mua Bí Mật"
BUYER_PHONE = "0987 654 321"
BUYER_DIGITS = "987654321"
HELPER_PHONE = "+84913579246"
OWNER_PHONE_IN_NAME = "0912 345 678"
STALL_NAME = f'=HYPERLINK("http://x.vn","bấm") </text><script>alert(1)</script> {OWNER_PHONE_IN_NAME}'
VILLAGE = "<img src=x onerror=alert(2)>"
COMMUNE_NAME = "@SUM(1+1) </title><script>alert(3)</script>"
REGION = "</text><script>alert(4)</script>"
RECALL_REASON = "+cmd|' /C calc'!A0 <script>alert(5)</script>"
HELPER_FIRST = "-2+3 <b>Hùng</b>"
BANK = {"bank_bin": "970436", "bank_account_number": "0011001234567", "bank_account_name": "CHU VUON"}
CSV_KEYS = (
    "stalls",
    "helpers",
    "products",
    "ocop-stars",
    "orders-by-day",
    "orders-by-place",
    "payment-methods",
    "delivery",
    "satisfaction",
    "complaints",
    "reviews",
    "stamps",
    "scans-by-day",
    "scans-by-region",
    "recalls",
    "stall-map",
)


@pytest.fixture
def world():
    """Commune A (Bắc Ninh, a hostile name), commune B (Bắc Ninh), commune C (Vĩnh Phúc). In A: a stall
    whose name is a formula, markup and a phone, in a hostile village, with a real VietQR order of a
    named buyer, a helper with a phone and a markup name, a cooperative's lot with 3 stamps, one scanned
    from a hostile region, then recalled with a hostile reason. In C: a stall that must never show to A,
    B or Bắc Ninh."""
    a = CommuneFactory(code=91001, name=COMMUNE_NAME, province_code=24, province_name="Bắc Ninh")
    b = CommuneFactory(code=91002, name="Xã Bên Cạnh", province_code=24, province_name="Bắc Ninh")
    c = CommuneFactory(code=93001, name="Xã Tỉnh Khác", province_code=26, province_name="Vĩnh Phúc")
    owner, stall = seller_with_stall(
        commune=a, partner__name=STALL_NAME, village=VILLAGE, delivery_fee=0, **BANK
    )
    product = make_product(stall=stall, price=50000, title="Vải thiều Thử")
    payments = buy([(product, 2)], name=BUYER_NAME, phone=BUYER_PHONE, method="vietqr", until="deliver")
    assert payments[0].method == OrderPayment.Method.VIETQR

    helper = commune_member(commune=a, role=roles.DIGITAL_HELPER)
    helper.first_name, helper.username = HELPER_FIRST, "helper-a"
    helper.save(update_fields=["first_name", "username"])
    PhoneAccount.objects.create(user=helper, phone=HELPER_PHONE)
    code = OneTimeCode.objects.create(
        phone=HELPER_PHONE, purpose=OneTimeCode.Purpose.CONSENT, code_hash="-", expires_at=timezone.now()
    )
    HelperConsent.objects.create(stall=stall, helper=helper, household=owner, confirmed_with=code)
    StallAuditEntry.objects.create(stall=stall, actor=helper, on_behalf_of=owner, action="stall_updated")

    coop = StallFactory(commune=a, kind=Stall.Kind.COOPERATIVE, partner__name="HTX Thử", village="Thôn X")
    lot = make_lot(stall=coop, code="LOT-ATK-1")
    run = trace.stamp_run_create(lot=lot, count=3, actor=coop.owner)
    trace.stamps_activate(run=run, actor=coop.owner)
    serials = list(Stamp.objects.filter(run=run).values_list("serial", flat=True))
    first = Stamp.objects.filter(run=run).order_by("pk").first()
    trace.scan_record(stamp_id=first.pk, region=REGION, network="Viettel", agent="phone")
    trace.lot_recall(lot=lot, actor=coop.owner, reason=RECALL_REASON)

    other_owner, other_stall = seller_with_stall(commune=c, partner__name="Vườn Bí Mật Tỉnh Khác")
    make_product(stall=other_stall, title="Cam tỉnh khác")
    return {
        "a": a,
        "b": b,
        "c": c,
        "owner": owner,
        "stall": stall,
        "helper": helper,
        "coop_owner": coop.owner,
        "serials": serials,
        "staff_a": commune_member(commune=a, role=roles.COMMUNE_STAFF),
        "staff_b": commune_member(commune=b, role=roles.COMMUNE_STAFF),
        "province_24": province_member(province_code=24),
        "province_26": province_member(province_code=26),
    }


URLS = {
    "page": lambda: reverse("reports:dashboard"),
    "csv": lambda: reverse("reports:csv", kwargs={"key": "stalls"}),
    "xlsx": lambda: reverse("reports:xlsx"),
    "pdf": lambda: reverse("reports:pdf"),
}


def _all_urls():
    return [make() for make in URLS.values()]


# ---------------------------------------------------------------------------------------------------
# Who may open it


def test_guests_are_sent_to_log_in_and_nothing_is_cached(client, world):
    for url in _all_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("sellers:login")), url
        assert "Vườn" not in response.content.decode()


def test_people_without_a_report_role_are_refused(client, world):
    a = world["a"]
    manager = commune_member(commune=a, role=roles.COOPERATIVE_MANAGER)
    django_staff = UserFactory(is_staff=True)
    demoted = province_member(province_code=24)
    demoted.groups.remove(roles.role_group(roles.PROVINCE_STAFF))
    demoted_commune = commune_member(commune=a, role=roles.COMMUNE_STAFF)
    demoted_commune.groups.remove(roles.role_group(roles.COMMUNE_STAFF))
    people = {
        "commune staff whose group was removed": demoted_commune,
        "buyer": UserFactory(),
        "seller": world["owner"],
        "helper": world["helper"],
        "cooperative manager": manager,
        "is_staff without platform_admin": django_staff,
        "province staff whose group was removed": demoted,
    }
    for who, user in people.items():
        client.force_login(user)
        for url in _all_urls():
            for query in ("", "?xa=91001", "?tinh=24"):
                response = client.get(url + query)
                assert response.status_code in (403, 404), (who, url, query, response.status_code)
                assert STALL_NAME.encode() not in response.content


def test_commune_staff_of_another_commune_never_reach_the_first(client, world):
    client.force_login(world["staff_b"])
    for url in _all_urls():
        for query in ("?xa=91001", "?tinh=24", "?xa=91002&xa=91001", "?xa=93001", "?tinh=26"):
            response = client.get(url + query)
            assert response.status_code == 404, (url, query, response.status_code)
    # Both at once: her own commune inside the province is kept, never widened to the province.
    both = client.get(URLS["page"]() + "?xa=91002&tinh=24")
    assert both.status_code == 200
    assert "HTX Thử" not in both.content.decode() and "Vườn Bí Mật" not in both.content.decode()
    page = client.get(URLS["page"]())
    assert page.status_code == 200
    assert "Xã Bên Cạnh" in page.content.decode()
    for secret in ("HYPERLINK", "Vườn Bí Mật Tỉnh Khác", "HTX Thử", "alert(", "Hùng"):
        assert secret not in page.content.decode()


def test_province_staff_of_another_province_never_reach_it(client, world):
    client.force_login(world["province_26"])
    for url in _all_urls():
        for query in ("?tinh=24", "?xa=91001", "?xa=91002", "?tinh=24&xa=93001", "?xa=93001&xa=91001"):
            response = client.get(url + query)
            assert response.status_code == 404, (url, query, response.status_code)
    page = client.get(URLS["page"]()).content.decode()
    assert "Xã Tỉnh Khác" in page
    assert "HYPERLINK" not in page and "Xã Bên Cạnh" not in page


def test_odd_codes_in_the_query_are_refused_cleanly(client, world):
    """Negative, huge, full-width and Arabic-Indic digits, padded and empty codes: the commune's own
    page or 404, never another commune, never a 500."""
    client.force_login(world["staff_b"])
    odd = ["-91001", "+91001", "91001.0", "1e5", "9" * 40, "２４", "٩١٠٠١", " 91001", "91001 ", "0x1", "%00"]
    for value in odd:
        for name in ("xa", "tinh"):
            response = client.get(URLS["page"](), {name: value})
            assert response.status_code in (200, 404), (name, value, response.status_code)
            assert "HYPERLINK" not in response.content.decode(), (name, value)


def test_superscript_digits_in_the_code_are_a_404_not_a_500(client, world):
    client.force_login(world["staff_b"])
    client.raise_request_exception = False
    statuses = {client.get(url, {name: "²"}).status_code for url in _all_urls() for name in ("xa", "tinh")}
    assert statuses <= {200, 404}, statuses


def test_platform_admin_sees_everything_and_every_province(client, world):
    admin = UserFactory()
    admin.groups.add(roles.role_group(roles.PLATFORM_ADMIN))
    client.force_login(admin)
    for query in ("", "?tinh=24", "?tinh=26", "?xa=91001", "?xa=93001"):
        assert client.get(URLS["page"]() + query).status_code == 200, query
    assert client.get(URLS["page"]() + "?tinh=99").status_code == 404
    assert client.get(URLS["page"]() + "?xa=99999").status_code == 404


def test_province_staff_see_their_province_but_not_beyond(client, world):
    client.force_login(world["province_24"])
    whole = client.get(URLS["page"]()).content.decode()
    assert "Xã Bên Cạnh" in whole
    assert "Vườn Bí Mật Tỉnh Khác" not in whole and "Xã Tỉnh Khác" not in whole
    assert client.get(URLS["page"]() + "?tinh=24").status_code == 200
    assert client.get(URLS["page"]() + "?xa=91002").status_code == 200
    # Revoked: the assignment gone, the group still there.
    ProvinceAssignment.objects.filter(user=world["province_24"]).delete()
    assert client.get(URLS["page"]()).status_code == 403


def test_a_left_over_province_assignment_never_labels_one_commune_as_the_province(client, world):
    staff = world["staff_b"]
    ProvinceAssignment.objects.create(user=staff, province_code=24)
    client.force_login(staff)
    assert client.get(URLS["page"](), {"tinh": "24"}).status_code == 404


# ---------------------------------------------------------------------------------------------------
# What the answers must never carry


def _everything(client, query: str = "") -> dict[str, str]:
    """The page, every CSV, the workbook's every cell and the PDF's text."""
    texts = {"page": client.get(URLS["page"]() + query).content.decode()}
    for key in CSV_KEYS:
        response = client.get(reverse("reports:csv", kwargs={"key": key}) + query)
        assert response.status_code == 200, key
        texts[f"csv {key}"] = response.content.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(client.get(URLS["xlsx"]() + query).content))
    cells = [str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value]
    texts["xlsx"] = "\n".join(cells)
    pdf = client.get(URLS["pdf"]() + query)
    assert pdf.status_code == 200
    texts["pdf"] = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    return texts


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_no_buyer_serial_or_helper_phone_in_any_answer(client, world):
    client.force_login(world["staff_a"])
    texts = _everything(client)
    assert "HTX Thử" in texts["page"]  # the scope is right: the commune's own figures are there
    for where, text in texts.items():
        assert BUYER_NAME not in text, where
        assert "Người Mua" not in text, where
        assert "Thôn Kép 1" not in text, where  # the buyer's address
        assert BUYER_DIGITS not in _digits(text), where
        assert _digits(HELPER_PHONE)[-9:] not in _digits(text), where
        for serial in world["serials"]:
            assert serial not in text, (where, serial)
            assert serial.lower() not in text.lower(), (where, serial)


def test_exports_mask_the_phone_in_a_stall_name(client, world):
    client.force_login(world["staff_a"])
    texts = _everything(client)
    for where, text in texts.items():
        if where == "page":
            continue
        assert "345 678" not in text.replace("*", ""), where
        assert "912345678" not in _digits(text), where


@pytest.mark.parametrize(
    "typed",
    [
        "0912  345  678",
        "0912 - 345 - 678",
        "0912/345/678",
        "0912,345,678",
        "+84 (0) 912 345 678",
        "０９１２３４５６７８",
    ],
)
def test_exports_mask_a_phone_however_it_is_spelled(typed):
    from marketplace.reports.exports import safe_text  # noqa: PLC0415 (the masking itself)

    masked = safe_text(f"Vườn nhà tôi {typed}")
    assert "345" not in masked and "３４５" not in masked, masked


def test_the_page_masks_the_phone_in_a_stall_name_as_the_exports_do(client, world):
    client.force_login(world["staff_a"])
    page = client.get(URLS["page"]()).content.decode()
    assert "HYPERLINK" in page
    assert "0912 345 678" not in page


def test_names_never_become_markup_on_the_page_or_in_its_charts(client, world):
    admin = UserFactory()
    admin.groups.add(roles.role_group(roles.PLATFORM_ADMIN))
    client.force_login(admin)
    pages = [client.get(URLS["page"]() + query).content.decode() for query in ("", "?xa=91001", "?tinh=24")]
    client.force_login(world["staff_a"])
    pages.append(client.get(URLS["page"]()).content.decode())
    # The query written back into the form and the export links stays text.
    hostile = '"><script>alert(9)</script>'
    pages.append(
        client.get(URLS["page"](), {"tu": hostile, "den": hostile, "junk": hostile}).content.decode()
    )
    pages.append(
        client.get(URLS["page"](), {"tu": "2026-11-01", "den": "2026-11-02", "x": hostile}).content.decode()
    )
    for page in pages:
        for raw in ("<script>alert", "<img src=x", "</text><script>", "</title><script>", "<b>Hùng</b>"):
            assert raw not in page
        # The inline SVG stays well-formed: every <svg> closed, no script inside it.
        for svg in re.findall(r"<svg\b.*?</svg>", page, flags=re.S):
            assert "<script" not in svg
    assert "&lt;/text&gt;&lt;script&gt;alert(4)" in pages[1]  # the region is there, as text


def _formula_cells(values):
    return [v for v in values if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_names_never_become_formulas_in_csv_or_xlsx(client, world):
    client.force_login(world["staff_a"])
    for key in CSV_KEYS:
        text = client.get(reverse("reports:csv", kwargs={"key": key})).content.decode("utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not _formula_cells(cells), (key, _formula_cells(cells))
    book = load_workbook(io.BytesIO(client.get(URLS["xlsx"]()).content))
    names = []
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    names.append(cell.value)
    assert any("HYPERLINK" in name for name in names)  # the hostile stall name is there, as text


def test_the_wide_scope_also_keeps_hostile_commune_names_as_text(client, world):
    client.force_login(world["province_24"])
    text = client.get(reverse("reports:csv", kwargs={"key": "stalls"})).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any("SUM(1+1)" in cell for cell in cells)
    assert not _formula_cells(cells)


# ---------------------------------------------------------------------------------------------------
# Caching, methods, odd requests


def test_answers_are_private_and_never_stored(client, world):
    client.force_login(world["staff_a"])
    for url in [*_all_urls(), reverse("reports:csv", kwargs={"key": "recalls"})]:
        response = client.get(url)
        assert response.status_code == 200, url
        control = response.get("Cache-Control", "")
        assert "no-store" in control or "no-cache" in control, (url, control)
        assert "private" in control or "no-store" in control, (url, control)
        assert "public" not in control, (url, control)
        assert "s-maxage" not in control, (url, control)
        assert "Cookie" in response.get("Vary", ""), (url, response.get("Vary"))


def test_a_second_person_is_never_served_the_first_ones_answer(client, world, settings):
    """The same URL for commune A's staff, then commune B's, then a guest without cookies (whom the
    storefront's page cache would serve): neither gets A's figures."""
    settings.PAGE_CACHE = True
    client.force_login(world["staff_a"])
    assert "HTX Thử" in client.get(URLS["page"]()).content.decode()
    client.force_login(world["staff_b"])
    assert "HTX Thử" not in client.get(URLS["page"]()).content.decode()
    client.logout()
    client.cookies.clear()
    for url in _all_urls():
        guest = client.get(url)
        assert guest.status_code == 302 and b"HTX" not in guest.content, url


def test_post_is_refused_and_head_answers_without_a_body(client, world):
    client.force_login(world["staff_a"])
    for url in _all_urls():
        assert client.post(url).status_code in (403, 405), url  # 403: the CSRF check comes first
    from django.test import Client  # noqa: PLC0415 (a client that carries the CSRF token)

    csrf = Client(enforce_csrf_checks=False)
    csrf.force_login(world["staff_a"])
    for url in _all_urls():
        assert csrf.post(url).status_code == 405, url
        assert csrf.put(url).status_code == 405, url
        assert csrf.delete(url).status_code == 405, url
    # HEAD: require_GET refuses it (405, no body), which leaks nothing.
    for url in _all_urls():
        head = client.head(url)
        assert head.status_code == 405 and head.content == b"", url


def test_unknown_and_tricky_csv_keys_are_404(client, world):
    client.force_login(world["staff_a"])
    for key in ("nope", "STALLS", "stalls-", "bao-cao", "orders_by_day", "x" * 300):
        assert client.get(f"/bao-cao/xuat/{key}.csv").status_code == 404, key
    for path in (
        "/bao-cao/xuat/../bao-cao.xlsx.csv",
        "/bao-cao/xuat/%2e%2e%2fstalls.csv",
        "/bao-cao/xuat/stalls.csv/",
        "/bao-cao/xuat/stalls%00.csv",
        "/bao-cao/xuat/stalls.csv.csv",
        "/bao-cao/xuat/ stalls.csv",
    ):
        assert client.get(path).status_code in (301, 404), path


def test_periods_out_of_bounds_are_a_message_not_an_error(client, world):
    admin = UserFactory()
    admin.groups.add(roles.role_group(roles.PLATFORM_ADMIN))
    client.force_login(admin)
    today = timezone.localdate()
    two_years = {"tu": (today - timedelta(days=MAX_DAYS - 1)).isoformat(), "den": today.isoformat()}
    widest = {"tu": (today - timedelta(days=MAX_DAYS)).isoformat(), "den": today.isoformat()}
    cases = [
        two_years,  # the widest allowed: the whole platform, two years
        widest,  # one day more than allowed: the form says so, this month is shown
        {"tu": "2019-12-31", "den": "2020-01-05"},
        {"tu": "2026-13-01"},
        {"tu": "0001-01-01", "den": "0001-01-02"},
        {"den": "1999-01-01"},
        {"tu": "2026-02-30"},
        {"tu": "x" * 5000},
        {"tu": "٢٠٢٦-١١-٠١"},
    ]
    for params in cases:
        for url in (URLS["page"](), URLS["xlsx"](), reverse("reports:csv", kwargs={"key": "orders-by-day"})):
            response = client.get(url, params)
            assert response.status_code == 200, (url, params, response.status_code)
    page = client.get(URLS["page"](), widest).content.decode()
    assert "tối đa hai năm" in page
    assert "tối đa hai năm" not in client.get(URLS["page"](), two_years).content.decode()


def test_dates_at_the_end_of_the_calendar_are_a_message_not_a_500(client, world):
    client.force_login(world["staff_a"])
    client.raise_request_exception = False
    for params in ({"tu": "9999-12-01"}, {"tu": "9999-12-31", "den": "9999-12-31"}):
        for url in (URLS["page"](), URLS["xlsx"](), reverse("reports:csv", kwargs={"key": "stalls"})):
            response = client.get(url, params)
            assert response.status_code in (200, 400), (url, params, response.status_code)


def test_pdf_months_outside_2020_to_today_are_a_clear_400(client, world):
    client.force_login(world["staff_a"])
    today = timezone.localdate()
    assert client.get(URLS["pdf"](), {"thang": today.strftime("%Y-%m")}).status_code == 200
    assert client.get(URLS["pdf"](), {"thang": "2020-01"}).status_code == 200
    for month in (
        "2019-12",
        "9999-12",
        f"{today.year + 1}-01",
        "2026-13",
        "2026-00",
        "2026-1-1",
        "-2026-11",
        "2026--11",
        "x",
        "20261",
        "2026-11-extra",
        "0000-01",
        "٢٠٢٦-١١x",
    ):
        response = client.get(URLS["pdf"](), {"thang": month})
        assert response.status_code in (200, 400), (month, response.status_code)
        if response.status_code == 400:
            assert "2026-11" in response.content.decode()


def test_floods_of_parameters_are_cheap_and_clean(client, world):
    client.force_login(world["province_24"])
    many = "&".join(f"xa={91000 + n}" for n in range(900)) + "&xa=91002"
    page = client.get(URLS["page"]() + "?" + many)
    assert page.status_code == 200  # the last one counts: commune B
    assert "HTX Thử" not in page.content.decode()
    assert client.get(URLS["page"]() + "?" + "&".join(["tinh=24"] * 900)).status_code == 200
    # More than DATA_UPLOAD_MAX_NUMBER_FIELDS: Django's own 400.
    flood = "&".join(f"xa={91000 + n}" for n in range(2000))
    assert client.get(URLS["page"]() + "?" + flood).status_code == 400
    huge = "a" * (10 * 1024 * 1024)
    response = client.get(URLS["page"](), {"junk": huge})
    assert response.status_code in (200, 400, 414), response.status_code
    response = client.get(URLS["page"](), {"xa": "9" * 100_000})
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------------
# Logins


def test_a_pending_second_factor_keeps_an_admin_out_of_the_other_staff_areas(client, world):
    """Control: the guarded staff areas already send a pending session to the code page."""
    admin = UserFactory()
    admin.groups.add(roles.role_group(roles.PLATFORM_ADMIN))
    client.force_login(admin)
    session = client.session
    session[second_factor.SESSION_KEY] = second_factor.PENDING
    session.save()
    response = client.get("/ban-hang/")
    assert response.status_code == 302
    assert reverse("sellers:second-factor") in response["Location"]


def test_a_pending_second_factor_keeps_an_admin_out_of_the_reports(client, world):
    admin = UserFactory()
    admin.groups.add(roles.role_group(roles.PLATFORM_ADMIN))
    client.force_login(admin)
    session = client.session
    session[second_factor.SESSION_KEY] = second_factor.PENDING
    session.save()
    for url in _all_urls():
        response = client.get(url)
        assert response.status_code == 302, (url, response.status_code)
        assert reverse("sellers:second-factor") in response["Location"]


def test_a_province_staff_phone_code_never_opens_the_account(client, world, outbox, committed):
    """Both phone-code logins (sellers' and buyers') refuse a province staff member; also one whose
    assignment stays but whose group was removed."""
    from marketplace.buyers.services import buyer_login  # noqa: PLC0415 (this test's own)
    from sellers.services import seller_login  # noqa: PLC0415 (this test's own)

    staff = world["province_24"]
    demoted = province_member(province_code=24)
    demoted.groups.remove(roles.role_group(roles.PROVINCE_STAFF))
    for user, phone in ((staff, "+84911222333"), (demoted, "+84911222444")):
        PhoneAccount.objects.create(user=user, phone=phone)
        for login in (seller_login, buyer_login):
            with committed():
                otp.otp_send(phone=phone, purpose=OneTimeCode.Purpose.LOGIN, ip_address=None)
            with pytest.raises(Exception) as error:  # noqa: PT011 (a ValidationError or a CodeError)
                login(phone=phone, code=last_code(outbox, phone))
            assert "password" in str(error.value) or "mật khẩu" in str(error.value), str(error.value)

    # The same through the pages: no session for the staff account results.
    for start, code_page in (("sellers:login", "sellers:login-code"), ("buyers:login", "buyers:login-code")):
        fresh = type(client)()
        with committed():
            fresh.post(reverse(start), {"phone": "0911 222 333"})
        code = last_code(outbox, "+84911222333")
        fresh.post(reverse(code_page), {"code": code})
        assert fresh.session.get("_auth_user_id") != str(staff.pk), start
        assert fresh.get(URLS["page"]()).status_code == 302, start
