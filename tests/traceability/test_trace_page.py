import json
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory, make_lot
from traceability import services
from traceability.models import FarmPlot, LotEvent, Scan, Stamp
from traceability.selectors import stamp_url_for

pytestmark = pytest.mark.django_db
GTIN = "08938536000015"
# A phone's browser: the resolver answers it with the trace page itself (any other client is
# redirected to the page's own address; see tests/traceability/test_resolver.py).
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def client():
    return Client(**BROWSER)


@pytest.fixture
def stamp(make_storefront, settings):
    settings.STAMP_BASE_URL = "https://cho-ocop.vn"
    make_storefront()
    lot = make_lot(gtin=GTIN, best_before=timezone.localdate() + timedelta(days=10))
    lot.plots.add(
        FarmPlot.objects.create(
            owner=lot.owner,
            commune=lot.owner.commune,
            name="Đồi vải Kép 1",
            latitude="21.3772",
            longitude="106.6053",
        )
    )
    LotEvent.objects.create(
        lot=lot, step="packing", place="Nhà sơ chế HTX, thôn Kép 1", recorded_by=lot.created_by
    )
    run = services.stamp_run_create(lot=lot, count=3, actor=lot.created_by)
    services.stamps_activate(run=run, actor=lot.created_by)
    return run.stamps.select_related("lot__product").first()


def path_of(stamp) -> str:
    return stamp_url_for(stamp).removeprefix("https://cho-ocop.vn")


def test_trace_page_shows_the_origin_in_vietnamese_and_logs_the_scan(client, stamp):
    response = client.get(
        path_of(stamp), HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Mobile", REMOTE_ADDR="113.160.1.2"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    for shown in (
        "Vải thiều Lục Ngạn",
        "HTX Lục Ngạn Xanh",
        "LN2026-06A",
        "Đóng gói",
        "Nhà sơ chế HTX, thôn Kép 1",
        "Đồi vải Kép 1",
        "Tem chính hãng",
        stamp.short_code,
        GTIN,
        "Mua lại ở gian hàng này",
        "Hạn sử dụng",
    ):
        assert shown in html, shown
    scan = Scan.objects.get()
    assert (scan.stamp_id, scan.agent) == (stamp.pk, "phone")
    assert scan.network and "113.160" not in scan.network  # a keyed hash, not the address
    stamp.refresh_from_db()
    assert stamp.scan_count == 1 and stamp.first_scanned_at is not None


def test_upper_case_url_from_the_qr_code_works(client, stamp):
    assert client.get(path_of(stamp).upper()).status_code == 200


def test_pip_link_type_redirects_to_the_product_page_passing_parameters_on(client, stamp):
    response = client.get(path_of(stamp), {"linkType": "gs1:pip", "utm_source": "tem"})

    assert response.status_code == 307
    assert response.url.startswith("https://cho-ocop.vn/shop/catalogue/vai-thieu-luc-ngan_")
    assert response.url.endswith("?utm_source=tem")


@pytest.mark.parametrize("how", ["query", "accept"])
def test_linkset(client, stamp, how):
    if how == "query":
        response = client.get(path_of(stamp), {"linkType": "linkset"})
    else:
        response = client.get(path_of(stamp), HTTP_ACCEPT="application/linkset+json")

    assert response["Content-Type"] == "application/linkset+json"
    linkset = json.loads(response.content)["linkset"][0]
    assert linkset["anchor"].endswith(path_of(stamp))
    assert linkset["https://gs1.org/voc/traceability"][0]["href"].startswith("https://cho-ocop.vn/truy-xuat/")
    assert "https://gs1.org/voc/defaultLink" in linkset


def test_json_trace_record(client, stamp):
    response = client.get(path_of(stamp), HTTP_ACCEPT="application/json", follow=True)

    record = response.json()
    assert record["serial"] == stamp.serial
    assert record["product"]["gtin"] == GTIN
    assert record["lot"]["code"] == "LN2026-06A"
    assert record["producer"]["name"] == "HTX Lục Ngạn Xanh"
    assert [event["business_step"] for event in record["events"]] == [
        "https://ref.gs1.org/cbv/BizStep-packing"
    ]
    assert record["plots"][0]["latitude"] == pytest.approx(21.3772)


@pytest.mark.parametrize(
    "path",
    [
        "/01/08938536000016/10/LN2026-06A/21/ABC",
        "/01/123/10/LN/21/ABC",
        "/01/08938536000015/10/" + "A" * 21 + "/21/ABC",
    ],
)
def test_malformed_links_get_400(client, stamp, path):
    response = client.get(path)

    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()


@pytest.mark.parametrize(
    ("wrong", "status", "shown"),
    [
        ("serial", 200, "Chúng tôi không phát hành mã tem 0000000000000000"),
        ("lot", 200, "Chúng tôi không phát hành mã tem"),  # the serial is not of that lot either
        ("gtin", 404, "Chúng tôi không nhận ra tem này"),
    ],
)
def test_a_stamp_we_did_not_issue_says_so(client, stamp, wrong, status, shown):
    parts = {"gtin": GTIN, "lot": "LN2026-06A", "serial": stamp.serial}
    parts[wrong] = {"serial": "0000000000000000", "lot": "LN2026-07X", "gtin": "08938536000022"}[wrong]

    response = client.get(f"/01/{parts['gtin']}/10/{parts['lot']}/21/{parts['serial']}")

    assert response.status_code == status
    assert shown in response.content.decode()
    assert not Scan.objects.exists()


def test_short_link_of_a_gtin_product_leads_to_its_digital_link(client, stamp):
    response = client.get(f"/t/{stamp.serial}")

    assert response.status_code == 307 and response["Location"] == stamp_url_for(stamp)


def test_inactive_voided_recalled_and_over_scanned_stamps_warn(client, stamp, settings):
    Stamp.objects.filter(pk=stamp.pk).update(status=Stamp.Status.INACTIVE)
    assert "chưa được nhà sản xuất kích hoạt" in client.get(path_of(stamp)).content.decode()

    Stamp.objects.filter(pk=stamp.pk).update(status=Stamp.Status.VOIDED, void_reason="Tem in hỏng")
    assert "Tem này đã bị nhà sản xuất hủy. Lý do: Tem in hỏng" in client.get(path_of(stamp)).content.decode()

    services.lot_recall(lot=stamp.lot, actor=stamp.lot.created_by, reason="Dư lượng thuốc vượt ngưỡng")
    html = client.get(path_of(stamp)).content.decode()
    assert "Lô hàng này đã bị thu hồi" in html and "Dư lượng thuốc vượt ngưỡng" in html


def test_scans_from_many_networks_warn(client, stamp, settings):
    for n in range(settings.STAMP_NETWORK_WARNING + 1):
        client.get(path_of(stamp), REMOTE_ADDR=f"{10 + n}.1.2.3")

    html = client.get(path_of(stamp), REMOTE_ADDR="10.1.2.3").content.decode()
    assert "có thể đã bị sao chép" in html and "Tem chính hãng" not in html


def test_one_buyer_reopening_the_page_never_flags_a_genuine_stamp(client, stamp):
    for _ in range(60):  # one phone, one home network, a page opened again and again
        client.get(path_of(stamp), REMOTE_ADDR="113.160.1.2")
    for n in range(3):  # and the family's other phones on the same line
        client.get(path_of(stamp), REMOTE_ADDR=f"113.160.1.{10 + n}", HTTP_USER_AGENT="Zalo Android")

    html = client.get(path_of(stamp), REMOTE_ADDR="113.160.1.2").content.decode()
    stamp.refresh_from_db()
    assert stamp.scan_count == 64
    assert "có thể đã bị sao chép" not in html and "Tem chính hãng" in html


def test_a_stamp_seen_in_many_regions_warns(client, stamp, settings):
    for region in ["VN-54", "VN-SG", "VN-HN"][: settings.STAMP_REGION_WARNING + 1]:
        client.get(path_of(stamp), REMOTE_ADDR="113.160.1.2", HTTP_X_CLIENT_REGION=region)

    html = client.get(path_of(stamp), REMOTE_ADDR="113.160.1.2").content.decode()
    assert "có thể đã bị sao chép" in html


def test_trace_page_query_count_is_bounded(client, stamp, django_assert_max_num_queries):
    client.get(path_of(stamp))
    others = list(Stamp.objects.filter(lot=stamp.lot).exclude(pk=stamp.pk).select_related("lot__product"))

    # The lot's page is cached: a scan reads the stamp and writes the scan (plus the transaction).
    with django_assert_max_num_queries(5):
        assert Client(**BROWSER).get(path_of(others[0])).status_code == 200
    client.force_login(UserFactory())
    with django_assert_max_num_queries(16):
        assert client.get(path_of(others[1])).status_code == 200


def test_every_stamp_of_a_lot_shows_its_own_code_and_count_from_the_cached_page(stamp):
    other = Stamp.objects.filter(lot=stamp.lot).exclude(pk=stamp.pk).select_related("lot__product").first()
    for _ in range(3):
        Client(**BROWSER).get(path_of(stamp))

    html = Client(**BROWSER).get(path_of(other)).content.decode()

    assert other.short_code in html and stamp.short_code not in html
    assert "đã quét 1 lần" in html and "đã quét 3 lần" not in html
    assert f'name="next" value="{path_of(other)}"' in html


def test_the_language_button_works_on_the_cached_trace_page(stamp):
    Client(**BROWSER).get(path_of(stamp))  # fills the lot's cached page with another visitor's token
    buyer = Client(enforce_csrf_checks=True, **BROWSER)
    html = buyer.get(path_of(stamp)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    response = buyer.post(
        "/i18n/setlang/", {"csrfmiddlewaretoken": token, "language": "en", "next": path_of(stamp)}
    )

    assert response.status_code == 302 and response.url == path_of(stamp)
    assert '<html lang="en">' in buyer.get(path_of(stamp)).content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
def test_two_lots_in_a_row_each_show_their_own_record(client, stamp, signed_in):
    lot = make_lot(stall=stamp.lot.owner, product=stamp.lot.product, code="LN2026-07B")
    run = services.stamp_run_create(lot=lot, count=1, actor=lot.created_by)
    second = run.stamps.select_related("lot__product").get()
    if signed_in:
        client.force_login(UserFactory())

    first_html = client.get(path_of(stamp)).content.decode()
    second_html = client.get(path_of(second)).content.decode()

    assert "LN2026-06A" in first_html and "LN2026-07B" not in first_html
    assert "LN2026-07B" in second_html and "LN2026-06A" not in second_html
    assert ("Tài khoản" in second_html) is signed_in


@pytest.mark.django_db(transaction=True)
def test_parallel_scans_lose_no_row(make_storefront, settings):
    settings.STAMP_BASE_URL = "https://cho-ocop.vn"
    make_storefront()
    lot = make_lot(gtin=GTIN)
    run = services.stamp_run_create(lot=lot, count=1, actor=lot.created_by)
    stamp = run.stamps.select_related("lot__product").get()
    path = path_of(stamp)
    barrier = threading.Barrier(8)
    statuses = []

    def scan_many():
        client = Client(**BROWSER)
        barrier.wait()
        for _ in range(25):
            statuses.append(client.get(path).status_code)
        connection.close()

    threads = [threading.Thread(target=scan_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses.count(200) == 200
    assert Scan.objects.filter(stamp=stamp).count() == 200
    stamp.refresh_from_db()
    assert stamp.scan_count == 200
