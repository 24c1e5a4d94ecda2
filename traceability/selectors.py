"""Reads for traceability: whose records a cooperative manages, the trace record, scan statistics."""

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from sellers.models import Stall
from traceability import gs1
from traceability.models import Certification, HarvestLot, LotEvent, Scan, Stamp

StockRecord = get_model("partner", "StockRecord")


def cooperative_stalls(stall: Stall) -> list[Stall]:
    """A cooperative manages its own records and those of its member households."""
    if stall.kind != Stall.Kind.COOPERATIVE:
        return [stall]
    return [stall, *Stall.objects.filter(cooperative=stall).select_related("partner", "commune")]


def stalls_sell(stalls: list[Stall], product) -> bool:
    """Whether one of these stalls has the product in stock records (one query for them all)."""
    return StockRecord.objects.filter(partner_id__in=[s.partner_id for s in stalls], product=product).exists()


def stamp_for_scan(serial: str) -> Stamp | None:
    """The stamp with what every scan needs (lot, product, producer's name); the rest of the record
    is read only when the lot's cached part of the page is rendered."""
    # Not .first(): its ORDER BY id lets the planner walk the primary key instead of the serial's
    # unique index, which after many stamp updates measured 10 ms instead of 1.
    stamps = Stamp.objects.select_related("lot__product", "lot__owner__partner").filter(serial=serial.upper())
    return next(iter(stamps[:1]), None)


def stamp_url_for(stamp: Stamp) -> str:
    return gs1.stamp_url(
        base_url=settings.STAMP_BASE_URL,
        serial=stamp.serial,
        gtin=gs1.gtin14(stamp.lot.product.gtin),
        lot=stamp.lot.code,
    )


def stamp_warnings(stamp: Stamp, *, networks: int) -> list[tuple[str, str]]:
    lot = stamp.lot
    if lot.recalled_at:
        return [
            (
                "danger",
                _("This lot was recalled: do not eat or sell it. Reason: %(reason)s")
                % {"reason": lot.recall_reason},
            )
        ]
    if stamp.status == Stamp.Status.VOIDED:
        return [
            (
                "danger",
                _("This stamp was voided by the producer. Reason: %(reason)s")
                % {"reason": stamp.void_reason},
            )
        ]
    warnings = []
    if stamp.status == Stamp.Status.INACTIVE:
        warnings.append(
            ("warning", _("This stamp has not been activated by the producer yet. Ask the seller."))
        )
    if stamp.scan_count > settings.STAMP_SCAN_WARNING or networks > settings.STAMP_NETWORK_WARNING:
        warnings.append(
            (
                "warning",
                _(
                    "This stamp has been scanned %(count)s times from %(places)s places. "
                    "One package is rarely "
                    "scanned that often: the stamp may have been copied."
                )
                % {"count": stamp.scan_count, "places": networks},
            )
        )
    return warnings


def trace_record(stamp: Stamp) -> dict:
    """Everything the trace page shows (Circular 02/2024/TT-BKHCN minimum data), as plain data."""
    lot = stamp.lot
    product = lot.product
    owner = lot.owner
    # A stamp cannot have been seen from more networks than it has scans: count only when it matters.
    networks = 0
    if stamp.scan_count > settings.STAMP_NETWORK_WARNING:
        networks = Scan.objects.filter(stamp=stamp).exclude(network="").values("network").distinct().count()
    events = list(
        LotEvent.objects.filter(lot=lot).select_related("recorded_by").order_by("occurred_at", "pk")
    )
    certifications = list(
        Certification.objects.filter(Q(product=product) | Q(product__isnull=True, holder=owner)).order_by(
            "kind"
        )
    )
    return {
        "stamp": stamp,
        "lot": lot,
        "product": product,
        "producer": owner,
        "plots": lot.plots.all(),
        "events": events,
        "certifications": certifications,
        "networks": networks,
        "warnings": stamp_warnings(stamp, networks=networks),
        "url": stamp_url_for(stamp),
    }


def lots_of(stall: Stall):
    return (
        HarvestLot.objects.filter(owner__in=cooperative_stalls(stall))
        .select_related("product")
        .annotate(stamp_count=Count("stamps"))
        .order_by("-harvest_date", "code")
    )


def scans_per_day(lot: HarvestLot, *, days: int = 14) -> list[dict]:
    return list(
        Scan.objects.filter(stamp__lot=lot)
        .annotate(day=TruncDate("scanned_at"))
        .values("day")
        .annotate(scans=Count("pk"))
        .order_by("-day")[:days]
    )


def suspicious_stamps(stall: Stall, *, limit: int = 50):
    return (
        Stamp.objects.filter(lot__owner__in=cooperative_stalls(stall))
        .annotate(networks=Count("scans__network", distinct=True))
        .filter(
            Q(scan_count__gt=settings.STAMP_SCAN_WARNING) | Q(networks__gt=settings.STAMP_NETWORK_WARNING)
        )
        .select_related("lot")
        .order_by("-scan_count")[:limit]
    )
