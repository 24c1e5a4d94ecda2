"""Reads for traceability: whose records a cooperative manages, the trace record, scan statistics."""

import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult
from oscar.core.loading import get_model

from ground import gs1
from sellers.models import Stall
from traceability.models import (
    STAMP_RUN_STUCK_AFTER,
    Certification,
    FarmPlot,
    HarvestLot,
    LotEvent,
    Scan,
    Stamp,
    StampRun,
)

StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")


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


@dataclass(frozen=True)
class ScanTarget:
    """What every scan of a stamp needs, read in one query (the trace page's hot path)."""

    stamp_id: int
    serial: str
    status: str
    void_reason: str
    lot_id: int
    lot_code: str
    lot_updated_at: datetime
    recalled_at: datetime | None
    recall_reason: str
    product_id: int
    product_slug: str
    product_title: str
    gtin: str
    best_before: date | None = None

    @property
    def short_code(self) -> str:
        return gs1.short_code(self.serial)


# Plain SQL: every scan runs it, and compiling the same ORM query with its joins cost more than
# running it.
_SCAN_TARGET_SQL = f"""
    SELECT s.id, s.serial, s.status, s.void_reason, l.id, l.code, l.updated_at, l.recalled_at,
           l.recall_reason, p.id, p.slug, p.title, p.gtin, l.best_before
      FROM {Stamp._meta.db_table} s
      JOIN {HarvestLot._meta.db_table} l ON l.id = s.lot_id
      JOIN {Product._meta.db_table} p ON p.id = l.product_id
     WHERE s.serial = %s
"""  # noqa: S608 (table names come from the models; values are parameters)


def scan_target(serial: str) -> ScanTarget | None:
    with connection.cursor() as cursor:
        cursor.execute(_SCAN_TARGET_SQL, [serial.upper()])
        row = cursor.fetchone()
    return ScanTarget(*row) if row else None


@dataclass(frozen=True)
class ScanCounts:
    """A stamp's counters just after a scan was logged."""

    scan_count: int
    first_scanned_at: datetime | None
    networks: int = 0  # distinct networks (/16) it was scanned from, when that could matter
    regions: int = 0  # distinct regions (the CDN's country or province header), likewise

    @property
    def looks_copied(self) -> bool:
        """Seen from more places than one package travels through. Views do not count: a buyer
        re-opening the page, or a family passing one phone around, is one place."""
        return self.networks > settings.STAMP_NETWORK_WARNING or self.regions > settings.STAMP_REGION_WARNING


def stamp_warnings(
    *,
    status: str,
    void_reason: str,
    recalled: bool,
    recall_reason: str,
    counts: ScanCounts,
    best_before: date | None = None,
) -> list[tuple[str, str]]:
    """What a buyer must be warned of, worked out on every request (never cached: a lot's best-before
    date passes while its page stays the same)."""
    if recalled:
        return [
            (
                "danger",
                _("This lot was recalled: do not eat or sell it. Reason: %(reason)s")
                % {"reason": recall_reason},
            )
        ]
    if status == Stamp.Status.VOIDED:
        return [
            (
                "danger",
                _("This stamp was voided by the producer. Reason: %(reason)s") % {"reason": void_reason},
            )
        ]
    warnings = []
    if best_before is not None and best_before < timezone.localdate():
        warnings.append(
            (
                "danger",
                _("Expired: its best-before date was %(date)s. Do not eat it or sell it.")
                % {"date": date_format(best_before, "SHORT_DATE_FORMAT")},
            )
        )
    if status == Stamp.Status.INACTIVE:
        warnings.append(
            ("warning", _("This stamp has not been activated by the producer yet. Ask the seller."))
        )
    if counts.looks_copied:
        warnings.append(
            (
                "warning",
                _(
                    "This stamp has been scanned in %(places)s different places. One package rarely "
                    "travels that far: the stamp may have been copied."
                )
                % {"places": max(counts.networks, counts.regions)},
            )
        )
    return warnings


def target_warnings(target: ScanTarget, counts: ScanCounts) -> list[tuple[str, str]]:
    return stamp_warnings(
        status=target.status,
        void_reason=target.void_reason,
        recalled=target.recalled_at is not None,
        recall_reason=target.recall_reason,
        counts=counts,
        best_before=target.best_before,
    )


def trace_record(stamp: Stamp, counts: ScanCounts | None = None) -> dict:
    """Everything the trace page shows (Circular 02/2024/TT-BKHCN minimum data), as plain data.
    The lot's part (events, plots, certifications) is read lazily: the page caches it per lot."""
    lot = stamp.lot
    if counts is None:
        counts = ScanCounts(stamp.scan_count, stamp.first_scanned_at, *places_of(stamp.pk, stamp.scan_count))
    return {
        **lot_record(lot),
        "stamp": stamp,
        "counts": counts,
        "networks": counts.networks,
        "warnings": stamp_warnings(
            status=stamp.status,
            void_reason=stamp.void_reason,
            recalled=lot.recalled_at is not None,
            recall_reason=lot.recall_reason,
            counts=counts,
            best_before=lot.best_before,
        ),
        "url": stamp_url_for(stamp),
    }


def lot_record(lot: HarvestLot) -> dict:
    """The lot's part of the trace page: what every stamp of the lot shares."""
    product, owner = lot.product, lot.owner
    return {
        "lot": lot,
        "product": product,
        "producer": owner,
        "plots": PlotMap(lot.plots.all()),
        "events": LotEvent.objects.filter(lot=lot)
        .select_related("recorded_by")
        .order_by("occurred_at", "pk"),
        "certifications": lot_certifications(lot),
        "gtin14": gs1.gtin14(product.gtin),
        # The lot's part of the page changes when the lot does, and when its best-before date passes.
        "cache_key": f"{lot.pk}.{lot.updated_at.timestamp()}.{lot.sellable}",
    }


class PlotMap:
    """A lot's plots and the small map the trace page draws of them itself (an inline SVG: nothing
    from another site, a few hundred bytes on 3G). Each plot is a numbered pin, placed to scale
    (equirectangular: fine over a few kilometres) on a grid, with a scale bar and north up.
    Iterating it gives the plots; the database is read once, when the page is rendered."""

    WIDTH, HEIGHT, MARGIN = 320, 180, 28

    def __init__(self, plots):
        self._plots = plots

    @cached_property
    def plots(self) -> list[FarmPlot]:
        return list(self._plots)

    def __iter__(self):
        return iter(self.plots)

    def __len__(self) -> int:
        return len(self.plots)

    def __bool__(self) -> bool:
        return bool(self.plots)

    @cached_property
    def _frame(self) -> tuple[float, float, float, float]:
        """(west, north, metres per degree of longitude here, metres per pixel)."""
        lats = [float(p.latitude) for p in self.plots]
        lons = [float(p.longitude) for p in self.plots]
        per_lon = 111_320 * math.cos(math.radians(sum(lats) / len(lats)))
        span_x = (max(lons) - min(lons)) * per_lon
        span_y = (max(lats) - min(lats)) * 110_574
        inner_w, inner_h = self.WIDTH - 2 * self.MARGIN, self.HEIGHT - 2 * self.MARGIN
        # At least 2 km across: one plot is a pin in its surroundings, not a point filling the map.
        per_px = max(2000 / inner_w, span_x / inner_w, span_y / inner_h)
        west = (min(lons) + max(lons)) / 2 - per_px * self.WIDTH / 2 / per_lon
        north = (min(lats) + max(lats)) / 2 + per_px * self.HEIGHT / 2 / 110_574
        return west, north, per_lon, per_px

    @cached_property
    def pins(self) -> list[dict]:
        west, north, per_lon, per_px = self._frame
        return [
            {
                "number": number,
                "plot": plot,
                "x": round((float(plot.longitude) - west) * per_lon / per_px, 1),
                "y": round((north - float(plot.latitude)) * 110_574 / per_px, 1),
            }
            for number, plot in enumerate(self.plots, start=1)
        ]

    @cached_property
    def grid(self) -> list[int]:
        return list(range(40, max(self.WIDTH, self.HEIGHT), 40))

    @cached_property
    def scale(self) -> dict:
        """The longest round distance that fits in a third of the map."""
        per_px = self._frame[3]
        metres = max(
            (m for m in (100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000) if m / per_px <= 110),
            default=100,
        )
        label = f"{metres // 1000} km" if metres >= 1000 else f"{metres} m"
        return {"width": round(metres / per_px, 1), "label": label}


def lot_certifications(lot: HarvestLot):
    """The product's own certificates and the producer's general ones."""
    return Certification.objects.filter(
        Q(product_id=lot.product_id) | Q(product__isnull=True, holder_id=lot.owner_id)
    ).order_by("kind")


def product_with_gtin(gtin14: str):
    """The product of a Digital Link's GTIN-14, or None."""
    return Product.objects.with_gtin(gtin14).first()


def lot_with_gtin(gtin14: str, code: str) -> HarvestLot | None:
    """A lot by its product's GTIN-14 and its code (stored in capitals, as printed)."""
    return (
        HarvestLot.objects.filter(product__in=Product.objects.with_gtin(gtin14), code=code.upper())
        .select_related("product", "owner__commune", "owner__partner")
        .first()
    )


def product_lots(product, *, limit: int = 20):
    """The product's most recent lots, for its origin page."""
    return (
        HarvestLot.objects.filter(product=product)
        .select_related("owner__partner")
        .order_by("-harvest_date", "code")[:limit]
    )


def product_stalls(product) -> list[Stall]:
    """The stalls selling the product (verified and open: those a buyer can reach)."""
    return list(
        Stall.objects.filter(Stall.verified_q(), partner__stockrecords__product=product)
        .select_related("partner", "commune", "page")
        .distinct()
        .order_by("partner__name")
    )


def spread_threshold() -> int:
    """Below this many scans a stamp cannot have been seen in too many places: nothing is counted."""
    return min(settings.STAMP_NETWORK_WARNING, settings.STAMP_REGION_WARNING)


def places_of(stamp_id: int, scan_count: int) -> tuple[int, int]:
    """How many networks and regions a stamp was scanned from. A stamp cannot have been seen in more
    places than it has scans, so they are counted (one query) only when they could warn."""
    if scan_count <= spread_threshold():
        return 0, 0
    return tuple(
        Scan.objects.filter(stamp_id=stamp_id)
        .aggregate(
            networks=Count("network", distinct=True, filter=~Q(network="")),
            regions=Count("region", distinct=True, filter=~Q(region="")),
        )
        .values()
    )


def lots_of(stall: Stall):
    return (
        HarvestLot.objects.filter(owner__in=cooperative_stalls(stall))
        .select_related("product")
        .annotate(stamp_count=Count("stamps"))
        .order_by("-harvest_date", "code")
    )


def stamp_runs_of(lot: HarvestLot) -> list[StampRun]:
    """The lot's stamp runs, newest first, each with how many of its stamps are active, voided or not
    yet activated, and whether its sheet is stuck (still waiting or printing STAMP_RUN_STUCK_AFTER
    after it was last queued: no worker took it, or the one that did died)."""
    runs = list(
        lot.stamp_runs.annotate(
            active=Count("stamps", filter=Q(stamps__status=Stamp.Status.ACTIVE)),
            voided=Count("stamps", filter=Q(stamps__status=Stamp.Status.VOIDED)),
            inactive=Count("stamps", filter=Q(stamps__status=Stamp.Status.INACTIVE)),
        ).order_by("-created_at")
    )
    unfinished = [run for run in runs if run.unfinished]
    queued = {}
    if unfinished:
        results = DBTaskResult.objects.filter(
            task_path=STAMP_SHEET_TASK, args_kwargs__args__0__in=[run.pk for run in unfinished]
        ).values_list("args_kwargs", "enqueued_at")
        for args_kwargs, enqueued_at in results:
            pk = args_kwargs["args"][0]
            queued[pk] = max(queued.get(pk, enqueued_at), enqueued_at)
    now = timezone.now()
    for run in runs:
        run.stuck = run.unfinished and now - queued.get(run.pk, run.created_at) > STAMP_RUN_STUCK_AFTER
    return runs


# The background task printing a run's sheet (traceability.tasks, which imports this module's users).
STAMP_SHEET_TASK = "traceability.tasks.render_stamp_sheet"


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
        Stamp.objects.filter(lot__owner__in=cooperative_stalls(stall), scan_count__gt=spread_threshold())
        .annotate(
            networks=Count("scans__network", distinct=True, filter=~Q(scans__network="")),
            regions=Count("scans__region", distinct=True, filter=~Q(scans__region="")),
        )
        .filter(Q(networks__gt=settings.STAMP_NETWORK_WARNING) | Q(regions__gt=settings.STAMP_REGION_WARNING))
        .select_related("lot")
        .order_by("-networks", "-scan_count")[:limit]
    )
