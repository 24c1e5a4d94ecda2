"""Stamps from order to PDF: time and peak memory for 1,000 and 10,000 stamps, and QR encoders side by side.

    make bench-stamps      (or: .venv/bin/python bench/stamps.py [--sizes 1000 10000])

Each size runs in a fresh process (so its peak memory is its own, the QR worker processes
included) on the development database: the demo's lychee lot gets a run, which is deleted after.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")

URL = "https://cho-ocop.vn/01/08938536000015/10/LN2026-06A/21/{}"


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # ru_maxrss is in KiB on Linux


def one_size(count: int) -> dict:
    import django

    django.setup()
    from django.db import transaction

    from traceability.models import HarvestLot, StampRun
    from traceability.printing import _label_text, _urls_and_codes
    from traceability.qr import qr_rasters
    from traceability.services import _issue_serials
    from traceability.sheets import LabelStamp, render_sheets

    lot = HarvestLot.objects.select_related("product", "owner__partner").get(code="LN2026-06A")
    started = time.perf_counter()
    with transaction.atomic():
        run = StampRun.objects.create(lot=lot, count=count, created_by=lot.created_by)
        _issue_serials(run)
    issued = time.perf_counter()
    rows = list(_urls_and_codes(run))
    rasters = list(qr_rasters(url for *_, url in rows))
    encoded = time.perf_counter()
    stamps = (
        LabelStamp(short_code=short, qr=raster)
        for (_n, _s, short, _u), raster in zip(rows, rasters, strict=True)
    )
    pdf = render_sheets(layout_name="a4-3x8", text=_label_text(run), stamps=stamps, cut_marks=True)
    done = time.perf_counter()
    run.stamps.all().delete()
    run.delete()
    return {
        "count": count,
        "issue": issued - started,
        "encode": encoded - issued,
        "pdf": done - encoded,
        "total": done - started,
        "pdf_mb": len(pdf) / 1e6,
        "peak_mb": peak_mb(),
    }


def encoders(samples: int = 300) -> list[tuple[str, float]]:
    import segno
    import zxingcpp

    from ground.gs1 import new_serial
    from traceability.qr import make_qr

    urls = [URL.format(new_serial()).upper() for _ in range(samples)]

    def per_code(encode) -> float:
        started = time.perf_counter()
        for url in urls:
            encode(url)
        return (time.perf_counter() - started) / samples * 1000

    return [
        ("segno, default settings (mask search)", per_code(lambda url: segno.make(url, error="m"))),
        ("segno, fixed mask (ours)", per_code(lambda url: make_qr(url))),
        (
            "zxing-cpp writer (compiled, lower bound)",
            per_code(lambda url: zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one)))
        return
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "seed_demo", "--no-images"], check=True, capture_output=True
    )
    print(
        f"{'stamps':>7} {'issue s':>8} {'QR s':>7} {'PDF s':>7} {'total s':>8} {'PDF MB':>7} {'peak MB':>8}"
    )
    for size in args.sizes:
        result = subprocess.run(
            [sys.executable, __file__, "--one", str(size)], check=True, capture_output=True, text=True
        )
        row = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{row['count']:>7} {row['issue']:>8.2f} {row['encode']:>7.2f} {row['pdf']:>7.2f} {row['total']:>8.2f} "
            f"{row['pdf_mb']:>7.1f} {row['peak_mb']:>8.0f}"
        )
    import django

    django.setup()
    print(f"\n{'QR encoder, same stamp URLs (upper case, level M)':<45} {'ms/code':>8}")
    for name, per_code in encoders():
        print(f"{name:<45} {per_code:>8.2f}")
    print(
        f"\n{os.cpu_count()} cores; QR codes are encoded on all of them; peak = max RSS of the run's process and its workers."
    )


if __name__ == "__main__":
    main()
