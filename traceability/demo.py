"""Demo origin records for Lục Ngạn's cooperative: orchards, certificates, lots with their journey,
and one printed, activated stamp run. Idempotent, like the rest of seed_demo."""

import datetime
from decimal import Decimal

from django.utils import timezone
from oscar.core.loading import get_model

from sellers.models import Stall
from traceability.models import Certification, FarmPlot, HarvestLot, LotEvent, StampRun
from traceability.printing import stamp_sheet_render
from traceability.services import stamp_run_create, stamps_activate

Product = get_model("catalogue", "Product")

COOPERATIVE = "htx-luc-ngan-xanh"
MEMBERS = ["ho-nguyen-van-thanh", "ho-hoang-thi-lan", "ho-trieu-van-minh"]
LYCHEE_GTIN = "08938536000015"
PLOTS = [
    # (owner slug, name, area m², lat, lon, crops)
    (COOPERATIVE, "Đồi vải Kép 1", 25000, "21.37720", "106.60530", "vải thiều"),
    ("ho-nguyen-van-thanh", "Vườn vải ông Thành", 8000, "21.38110", "106.61240", "vải thiều"),
    ("ho-hoang-thi-lan", "Vườn cam bưởi cô Lan", 20000, "21.36950", "106.59810", "cam, bưởi"),
]
LOTS = [
    # (product sku, lot code, harvest date, quantity, plots)
    ("LNX-VAI", "LN2026-06A", datetime.date(2026, 6, 12), "1200", ["Đồi vải Kép 1", "Vườn vải ông Thành"]),
    ("LNX-CAM-LV", "LN2026-10C", datetime.date(2026, 10, 20), "800", ["Vườn cam bưởi cô Lan"]),
    ("LNX-BUOI-DX", "LN2026-11B", datetime.date(2026, 11, 5), "600", ["Vườn cam bưởi cô Lan"]),
]
STAMPS = 48


def seed_traceability(*, admin) -> None:
    coop = Stall.objects.get(slug=COOPERATIVE)
    Stall.objects.filter(slug__in=MEMBERS).update(cooperative=coop)
    Product.objects.filter(upc="LNX-VAI").update(gtin=LYCHEE_GTIN)
    plots = {}
    for owner_slug, name, area, lat, lon, crops in PLOTS:
        owner = Stall.objects.get(slug=owner_slug)
        plots[name], _ = FarmPlot.objects.get_or_create(
            owner=owner,
            name=name,
            defaults={
                "commune": owner.commune,
                "area_m2": area,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "crops": crops,
            },
        )
    Certification.objects.get_or_create(
        holder=coop,
        kind=Certification.Kind.VIETGAP,
        number="VietGAP-TT-24-01-0321",
        defaults={
            "issuer": "Trung tâm Chứng nhận VietGAP",
            "valid_from": datetime.date(2024, 3, 1),
            "valid_to": datetime.date(2027, 2, 28),
        },
    )
    for sku, code, harvested, quantity, plot_names in LOTS:
        product = Product.objects.get(upc=sku)
        Certification.objects.get_or_create(
            holder=coop,
            product=product,
            kind=Certification.Kind.OCOP,
            number=product.ocop_certificate_number,
            defaults={
                "stars": product.ocop_stars,
                "issuer": "UBND tỉnh Bắc Ninh",
                "valid_from": datetime.date(2024, 7, 1),
                "valid_to": product.ocop_certificate_expiry,
            },
        )
        lot, created = HarvestLot.objects.get_or_create(
            product=product,
            code=code,
            defaults={
                "owner": coop,
                "harvest_date": harvested,
                "quantity": Decimal(quantity),
                "unit": "kg",
                "created_by": admin,
                "best_before": harvested + datetime.timedelta(days=10),
            },
        )
        if created:
            lot.plots.set([plots[name] for name in plot_names])
            _journey(lot, admin=admin)
    lychee_lot = HarvestLot.objects.get(code="LN2026-06A")
    if not StampRun.objects.filter(lot=lychee_lot).exists():
        run = stamp_run_create(lot=lychee_lot, count=STAMPS, actor=admin)
        stamp_sheet_render(run)
        stamps_activate(run=run, actor=admin)


def _journey(lot: HarvestLot, *, admin) -> None:
    noon = timezone.make_aware(datetime.datetime.combine(lot.harvest_date, datetime.time(6)))
    steps = [
        (
            LotEvent.Step.COMMISSIONING,
            0,
            ", ".join(lot.plots.values_list("name", flat=True)),
            "Hái lúc sáng sớm",
        ),
        (LotEvent.Step.SORTING, 4, "Nhà sơ chế HTX, thôn Kép 1", "Loại bỏ quả dập, phân loại theo cỡ"),
        (LotEvent.Step.PACKING, 6, "Nhà sơ chế HTX, thôn Kép 1", "Đóng thùng 10 kg, dán tem"),
        (LotEvent.Step.SHIPPING, 9, "Kho HTX, xã Lục Ngạn", "Giao cho đơn vị vận chuyển"),
    ]
    for step, hours, place, notes in steps:
        LotEvent.objects.create(
            lot=lot,
            step=step,
            occurred_at=noon + datetime.timedelta(hours=hours),
            place=place,
            notes=notes,
            recorded_by=admin,
        )
