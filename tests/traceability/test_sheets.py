"""Every QR code of a printed sheet decodes to its stamp's URL, and each URL opens its trace page."""

import io

import pypdfium2
import pytest
import zxingcpp
from django.core.management import call_command

from tests.factories import make_lot
from traceability import services
from traceability.printing import run_csv, run_pdf
from traceability.selectors import stamp_url_for

pytestmark = pytest.mark.django_db


def decoded_urls(pdf: bytes, *, dpi: int = 200) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    found = []
    for page in document:
        image = page.render(scale=dpi / 72).to_pil()
        found += [
            result.text for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        ]
    return found


@pytest.mark.parametrize(
    ("layout", "count", "pages"), [("a4-3x8", 60, 3), ("a4-4x10", 45, 2), ("roll-50x30", 4, 4)]
)
def test_every_qr_decodes_to_its_stamp_and_opens_its_trace_page(
    client, make_storefront, layout, count, pages, settings
):
    settings.STAMP_BASE_URL = "https://cho-ocop.vn"
    make_storefront()
    lot = make_lot(gtin="8938536000015")
    run = services.stamp_run_create(lot=lot, count=count, actor=lot.created_by, layout=layout, cut_marks=True)
    services.stamps_activate(run=run, actor=lot.created_by)

    pdf = run_pdf(run)

    assert len(pypdfium2.PdfDocument(pdf)) == pages
    expected = {stamp_url_for(stamp).upper(): stamp for stamp in run.stamps.select_related("lot__product")}
    decoded = decoded_urls(pdf)
    assert sorted(decoded) == sorted(expected)
    for url in decoded[:: max(1, count // 10)]:
        path = url.split("CHO-OCOP.VN", 1)[1]
        page = client.get(path, HTTP_ACCEPT="text/html").content.decode()
        assert "Vải thiều Lục Ngạn" in page
        assert expected[url].short_code in page


def test_short_links_for_products_without_gtin_decode_too(client, make_storefront):
    make_storefront()
    lot = make_lot()
    run = services.stamp_run_create(lot=lot, count=24, actor=lot.created_by)

    decoded = decoded_urls(run_pdf(run))

    assert len(decoded) == 24
    assert all("/T/" in url for url in decoded)
    assert client.get(decoded[0].split("8000", 1)[1], HTTP_ACCEPT="text/html").status_code == 200


def test_csv_lists_every_serial_and_url():
    lot = make_lot()
    run = services.stamp_run_create(lot=lot, count=7, actor=lot.created_by)

    lines = run_csv(run).strip().splitlines()

    assert lines[0] == "number,serial,short_code,url"
    assert len(lines) == 8
    assert all(line.split(",")[3].endswith(line.split(",")[1]) for line in lines[1:])


def test_print_stamps_command_writes_the_pdf(tmp_path):
    lot = make_lot(code="LN2026-07B")
    out = tmp_path / "stamps.pdf"
    stdout = io.StringIO()

    call_command(
        "print_stamps",
        "--lot",
        "ln2026-07b",
        "--count",
        "30",
        "--layout",
        "a4-4x10",
        "--out",
        str(out),
        stdout=stdout,
    )

    assert "30" in stdout.getvalue()
    assert len(decoded_urls(out.read_bytes())) == 30
    assert lot.stamps.count() == 30
