"""The cooperative's traceability desk: records, lots, events, stamps, with clear refusals."""

import re

import pytest

from sellers.models import Stall
from tests.factories import StallFactory, make_lot, make_product, pdf_bytes, seller_with_stall
from traceability import services
from traceability.models import FarmPlot, HarvestLot, LotEvent, StampRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def coop(client, make_storefront):
    make_storefront()
    manager, stall = seller_with_stall(kind=Stall.Kind.COOPERATIVE, partner__name="HTX Lục Ngạn Xanh")
    member = StallFactory(commune=stall.commune, cooperative=stall, partner__name="Vườn ông Thành")
    product = make_product(stall=stall, title="Vải thiều Lục Ngạn", ocop_stars=4)
    client.force_login(manager)
    return stall, member, product


def desk(stall):
    return f"/ban-hang/gian-hang/{stall.pk}/truy-xuat/"


def test_manager_records_a_member_plot_a_lot_an_event_and_orders_stamps(client, coop, committed):
    stall, member, product = coop
    client.post(
        desk(stall),
        {
            "plot-owner": member.pk,
            "plot-name": "Vườn vải ông Thành",
            "plot-area_m2": 8000,
            "plot-latitude": "21.3811",
            "plot-longitude": "106.6124",
            "plot-crops": "vải thiều",
            "plot-submit": "1",
        },
    )
    plot = FarmPlot.objects.get()
    assert plot.owner == member

    response = client.post(
        desk(stall),
        {
            "lot-product": product.pk,
            "lot-code": "ln2026-06a",
            "lot-harvest_date": "2026-06-12",
            "lot-quantity": "1200",
            "lot-unit": "kg",
            "lot-plots": [plot.pk],
        },
        follow=True,
    )
    lot = HarvestLot.objects.get()
    assert lot.code == "LN2026-06A" and list(lot.plots.all()) == [plot]
    assert "Đã lưu lô LN2026-06A" in response.content.decode()
    assert list(lot.events.values_list("step", flat=True)) == ["commissioning"]

    lot_url = f"/ban-hang/gian-hang/{stall.pk}/truy-xuat/lo/{lot.pk}/"
    client.post(
        lot_url,
        {"event-step": "packing", "event-occurred_at": "2026-06-12T12:00", "event-place": "Nhà sơ chế HTX"},
    )
    assert list(lot.events.values_list("step", flat=True)) == ["commissioning", "packing"]

    with committed():
        client.post(lot_url, {"run-count": "240", "run-layout": "a4-3x8"})
    run = StampRun.objects.get()
    assert (run.count, run.status) == (240, StampRun.Status.READY)
    sheet = client.get(f"/ban-hang/gian-hang/{stall.pk}/truy-xuat/tem/{run.pk}/tai/pdf/")
    assert sheet.status_code == 200 and b"".join(sheet.streaming_content).startswith(b"%PDF-")
    assert sheet["Content-Disposition"] == f'attachment; filename="tem-{lot.code}-{run.pk}.pdf"'
    csv = client.get(f"/ban-hang/gian-hang/{stall.pk}/truy-xuat/tem/{run.pk}/tai/csv/").content.decode()
    assert len(csv.strip().splitlines()) == 241

    client.post(f"/ban-hang/gian-hang/{stall.pk}/truy-xuat/tem/{run.pk}/activate/", {"first": 1, "last": 100})
    assert run.stamps.filter(status="active").count() == 100


@pytest.mark.parametrize(
    ("code", "message"),
    [("LÔ 2026", "chữ in hoa không dấu"), ("L" * 21, "1 đến 20 ký tự")],
)
def test_bad_lot_codes_are_explained(client, coop, code, message):
    stall, _, product = coop

    response = client.post(
        desk(stall),
        {
            "lot-product": product.pk,
            "lot-code": code,
            "lot-harvest_date": "2026-06-12",
            "lot-quantity": "10",
            "lot-unit": "kg",
        },
    )

    html = response.content.decode()
    assert message in html
    assert f'value="{code}"' in html
    assert not HarvestLot.objects.exists()


def test_bad_stamp_counts_and_recall_without_reason_are_explained(client, coop):
    stall, _, product = coop
    client.post(
        desk(stall),
        {
            "lot-product": product.pk,
            "lot-code": "LN1",
            "lot-harvest_date": "2026-06-12",
            "lot-quantity": "10",
            "lot-unit": "kg",
        },
    )
    lot = HarvestLot.objects.get()
    lot_url = f"/ban-hang/gian-hang/{stall.pk}/truy-xuat/lo/{lot.pk}/"

    assert (
        "Hãy đặt ít nhất 1 tem."
        in client.post(lot_url, {"run-count": "0", "run-layout": "a4-3x8"}).content.decode()
    )
    html = client.post(lot_url, {"run-count": "10000000", "run-layout": "a4-3x8"}).content.decode()
    assert "Mỗi lần đặt từ 1 đến 100.000 tem." in html
    response = client.post(f"{lot_url}thu-hoi/", {"reason": ""}, follow=True)
    assert "Hãy ghi lý do" in response.content.decode()
    assert not StampRun.objects.exists()
    lot.refresh_from_db()
    assert lot.recalled_at is None


def test_gtin_with_a_wrong_check_digit_is_refused_on_the_product(client, coop):
    stall, _, product = coop
    product.gtin = "8938536000016"

    with pytest.raises(Exception, match="5"):
        product.full_clean()


def test_another_seller_cannot_reach_the_cooperative_records(client, coop, make_storefront):
    stall, _, product = coop
    lot = HarvestLot.objects.create(
        product=product,
        owner=stall,
        code="LN1",
        harvest_date="2026-06-12",
        quantity=1,
        created_by=stall.owner,
    )
    LotEvent.objects.create(lot=lot, step="packing", place="x", recorded_by=stall.owner)
    stranger, own_stall = seller_with_stall()
    client.force_login(stranger)

    assert client.get(desk(stall)).status_code == 404
    assert client.get(f"/ban-hang/gian-hang/{own_stall.pk}/truy-xuat/lo/{lot.pk}/").status_code == 404
    assert (
        client.post(
            f"/ban-hang/gian-hang/{own_stall.pk}/truy-xuat/lo/{lot.pk}/thu-hoi/", {"reason": "x"}
        ).status_code
        == 404
    )
    html = client.get(desk(own_stall)).content.decode()
    assert "LN1" not in html


def test_manager_adds_a_certificate_with_its_scan_and_buyers_see_it(client, coop, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import make_lot
    from traceability import services
    from traceability.models import Certification
    from traceability.selectors import stamp_url_for

    stall, _, product = coop
    scan = SimpleUploadedFile("vietgap.pdf", pdf_bytes(pages=2), content_type="application/pdf")
    data = {
        "cert-holder": stall.pk,
        "cert-kind": "vietgap",
        "cert-number": "VietGAP-TT-24-01-0321",
        "cert-issuer": "Trung tâm Chứng nhận VietGAP",
        "cert-valid_from": "2024-03-01",
        "cert-valid_to": "2027-02-28",
        "cert-scan": scan,
        "cert-submit": "1",
    }

    response = client.post(desk(stall), data, follow=True)

    assert "Đã lưu giấy chứng nhận." in response.content.decode()
    certification = Certification.objects.get()
    assert certification.scan.read().startswith(b"%PDF-")
    assert re.fullmatch(r"certificates/\d{4}/\d{2}/[\w-]{22}\.pdf", certification.scan.name)
    served = client.get(certification.scan.url)
    assert served["Content-Type"] == "application/pdf" and served["Content-Disposition"] == "attachment"
    assert served["X-Content-Type-Options"] == "nosniff"
    lot = make_lot(stall=stall, product=product)
    run = services.stamp_run_create(lot=lot, count=1, actor=stall.owner)
    stamp = run.stamps.select_related("lot__product").get()
    html = client.get(
        stamp_url_for(stamp).removeprefix(settings.STAMP_BASE_URL), HTTP_ACCEPT="text/html"
    ).content.decode()
    assert "VietGAP-TT-24-01-0321" in html and "Trung tâm Chứng nhận VietGAP" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cert-scan": ("x.pdf", b"MZ not a scan")}, "Tệp này không phải là ảnh"),
        ({"cert-scan": ("x.html", b"%PDF-1.4\n<html><script>alert(1)</script>")}, "không phải PDF hay ảnh"),
        ({"cert-scan": ("x.pdf", pdf_bytes(javascript=True))}, "có mã lệnh hoặc tệp đính kèm"),
        ({"cert-scan": ("x.pdf", pdf_bytes(attachment=True))}, "có mã lệnh hoặc tệp đính kèm"),
        ({"cert-scan": ("x.pdf", pdf_bytes(pages=0))}, "không phải PDF hay ảnh"),
        ({"cert-kind": "ocop"}, "Chứng nhận OCOP có 3, 4 hoặc 5 sao."),
        ({"cert-valid_to": "2020-01-01"}, "Ngày hết hiệu lực trước ngày bắt đầu."),
    ],
)
def test_bad_certificates_are_explained(client, coop, changes, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from traceability.models import Certification

    stall, _, _ = coop
    data = {
        "cert-holder": stall.pk,
        "cert-kind": "vietgap",
        "cert-number": "VG-1",
        "cert-issuer": "Trung tâm",
        "cert-valid_from": "2024-03-01",
        "cert-submit": "1",
    }
    for key, value in changes.items():
        data[key] = SimpleUploadedFile(value[0], value[1]) if isinstance(value, tuple) else value

    response = client.post(desk(stall), data)

    assert message in response.content.decode()
    assert 'value="VG-1"' in response.content.decode()
    assert not Certification.objects.exists()


def test_lot_page_refreshes_itself_while_a_sheet_is_printing(client, coop):
    from traceability.models import StampRun

    stall, _, product = coop
    lot = HarvestLot.objects.create(
        product=product,
        owner=stall,
        code="LN9",
        harvest_date="2026-06-12",
        quantity=1,
        created_by=stall.owner,
    )
    run = StampRun.objects.create(lot=lot, count=10, created_by=stall.owner, progress=4)
    url = f"/ban-hang/gian-hang/{stall.pk}/truy-xuat/lo/{lot.pk}/"

    html = client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html and "(40 %)" in html

    StampRun.objects.filter(pk=run.pk).update(status=StampRun.Status.READY, progress=10)
    assert 'http-equiv="refresh"' not in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("0", "10", "Số tem đi từ 1 đến 240"),
        ("1", "12x", "Số tem đi từ 1 đến 240"),
        ("5", "241", "Số tem đi từ 1 đến 240"),
        ("20", "10", "Số tem đi từ 1 đến 240"),
    ],
)
def test_a_stamp_range_that_is_not_exact_changes_nothing(client, coop, committed, first, last, message):
    stall, _, product = coop
    lot = make_lot(stall=stall, product=product)
    with committed():
        run = services.stamp_run_create(lot=lot, count=240, actor=stall.owner)
    action = f"/ban-hang/gian-hang/{stall.pk}/truy-xuat/tem/{run.pk}/activate/"

    response = client.post(action, {"first": first, "last": last}, follow=True)

    assert message in response.content.decode()
    assert not run.stamps.filter(status="active").exists()


def test_the_desk_lists_stamps_seen_in_many_places_not_stamps_viewed_often(client, coop, committed):
    stall, _, product = coop
    lot = make_lot(stall=stall, product=product)
    with committed():
        run = services.stamp_run_create(lot=lot, count=3, actor=stall.owner)
    copied, viewed, quiet = run.stamps.order_by("number")
    for n in range(6):
        services.scan_record(stamp_id=copied.pk, region="", network=f"net-{n}", agent="phone")
    for _ in range(40):
        services.scan_record(stamp_id=viewed.pk, region="", network="home", agent="phone")

    html = client.get(desk(stall)).content.decode()

    assert copied.short_code in html
    assert viewed.short_code not in html and quiet.short_code not in html
