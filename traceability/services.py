"""Writes for traceability: plots, lots and their events, stamp runs, activation, voids and recalls.

Serials are issued in one transaction per run (all or none); the PDF is made afterwards by a
task that can fail and be retried without touching the serials.
"""

import logging
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ground import gs1
from ground.money import group_thousands
from sellers.models import Stall
from sellers.services import audit
from traceability.models import Certification, FarmPlot, HarvestLot, LotEvent, Scan, Stamp, StampRun
from traceability.selectors import ScanCounts, cooperative_stalls, spread_threshold, stalls_sell
from traceability.tasks import render_stamp_sheet

logger = logging.getLogger(__name__)


def _check_scope(*, manager_stall: Stall, stall: Stall) -> None:
    if stall.pk not in {s.pk for s in cooperative_stalls(manager_stall)}:
        raise PermissionDenied(_("This belongs to another cooperative."))


@transaction.atomic
def plot_create(*, manager_stall: Stall, owner: Stall, actor, **fields) -> FarmPlot:
    _check_scope(manager_stall=manager_stall, stall=owner)
    plot = FarmPlot(owner=owner, commune=owner.commune, **fields)
    plot.full_clean()
    plot.save()
    HarvestLot.objects.filter(plots__owner=owner).update(updated_at=timezone.now())
    audit(stall=manager_stall, actor=actor, action="plot_created", plot=plot.name)
    return plot


@transaction.atomic
def certification_add(*, manager_stall: Stall, holder: Stall, actor, **fields) -> Certification:
    _check_scope(manager_stall=manager_stall, stall=holder)
    certification = Certification(holder=holder, **fields)
    certification.full_clean()
    certification.save()
    HarvestLot.objects.filter(owner__in=cooperative_stalls(manager_stall)).update(updated_at=timezone.now())
    audit(stall=manager_stall, actor=actor, action="certification_added", number=certification.number)
    return certification


@transaction.atomic
def lot_create(
    *,
    manager_stall: Stall,
    product,
    code: str,
    harvest_date: date,
    quantity: Decimal,
    unit: str,
    plots,
    actor,
    best_before=None,
) -> HarvestLot:
    code = (code or "").strip().upper()
    if not stalls_sell(cooperative_stalls(manager_stall), product):
        raise PermissionDenied(_("This product is not sold by the cooperative or its members."))
    for plot in plots:
        _check_scope(manager_stall=manager_stall, stall=plot.owner)
    if HarvestLot.objects.filter(product=product, code=code).exists():
        raise ValidationError({"code": _("This product already has a lot with this code.")})
    lot = HarvestLot(
        product=product,
        owner=manager_stall,
        code=code,
        harvest_date=harvest_date,
        quantity=quantity,
        unit=unit,
        best_before=best_before,
        created_by=actor,
    )
    lot.full_clean()
    lot.save()
    lot.plots.set(plots)
    LotEvent.objects.create(
        lot=lot,
        step=LotEvent.Step.COMMISSIONING,
        occurred_at=timezone.make_aware(datetime.combine(harvest_date, time(12))),
        place=", ".join(plot.name for plot in plots) or manager_stall.commune.name,
        recorded_by=actor,
    )
    audit(stall=manager_stall, actor=actor, action="lot_created", lot=code)
    return lot


def lot_event_record(
    *, lot: HarvestLot, actor, step: str, place: str, occurred_at=None, notes="", photo=None, corrects=None
) -> LotEvent:
    if corrects is not None and corrects.lot_id != lot.pk:
        raise ValidationError(_("A correction must belong to the same lot."))
    event = LotEvent(
        lot=lot,
        step=step,
        place=place,
        occurred_at=occurred_at or timezone.now(),
        notes=notes,
        corrects=corrects,
        recorded_by=actor,
    )
    if photo:
        event.photo = photo
    event.full_clean()
    event.save()
    return event


# Stamps -----------------------------------------------------------------------------------


def stamp_run_create(
    *, lot: HarvestLot, count: int, actor, layout: str = StampRun.Layout.A4_3X8, cut_marks: bool = False
) -> StampRun:
    """Issue ``count`` unguessable serials for the lot at once, then schedule the printable sheet."""
    if not 1 <= count <= settings.STAMP_MAX_COUNT:
        raise ValidationError(
            _("Order between 1 and %(max)s stamps at a time.")
            % {"max": group_thousands(settings.STAMP_MAX_COUNT)},
            code="count",
        )
    if lot.recalled_at:
        raise ValidationError(
            _("This lot was recalled: no more stamps can be printed for it."), code="recalled"
        )
    for attempt in range(3):
        try:
            with transaction.atomic():
                run = StampRun.objects.create(
                    lot=lot, count=count, layout=layout, cut_marks=cut_marks, created_by=actor
                )
                _issue_serials(run)
                audit(stall=lot.owner, actor=actor, action="stamps_ordered", lot=lot.code, count=count)
                transaction.on_commit(lambda run_pk=run.pk: enqueue_stamp_sheet(run_pk))
                return run
        except IntegrityError:  # a serial already exists (about 1 in 2^60 per run): draw again
            logger.warning("Serial collision while issuing run for lot %s (attempt %d)", lot.pk, attempt + 1)
    raise RuntimeError("Could not issue unique serials")


def _issue_serials(run: StampRun) -> None:
    serials: set[str] = set()
    while len(serials) < run.count:
        serials.add(gs1.new_serial())
    Stamp.objects.bulk_create(
        (
            Stamp(run=run, lot_id=run.lot_id, number=number, serial=serial)
            for number, serial in enumerate(serials, start=1)
        ),
        batch_size=2000,
    )


def enqueue_stamp_sheet(run_pk: int) -> None:
    render_stamp_sheet.enqueue(run_pk)


def stamp_run_retry(*, run: StampRun) -> None:
    if run.status != StampRun.Status.FAILED:
        raise ValidationError(_("Only a failed print can be retried."))
    StampRun.objects.filter(pk=run.pk).update(status=StampRun.Status.PENDING, error="")
    transaction.on_commit(lambda: enqueue_stamp_sheet(run.pk))


def _stamp_range(run: StampRun, first: int | None, last: int | None):
    first = 1 if first is None else first
    last = run.count if last is None else last
    if not 1 <= first <= last <= run.count:
        raise ValidationError(_("Stamp numbers go from 1 to %(count)s.") % {"count": run.count}, code="range")
    return run.stamps.filter(number__gte=first, number__lte=last)


@transaction.atomic
def stamps_activate(*, run: StampRun, actor, first: int | None = None, last: int | None = None) -> int:
    """Stamps go live when they are stuck on the packages; voided ones stay voided."""
    if run.lot.recalled_at:
        raise ValidationError(_("This lot was recalled: its stamps cannot be activated."), code="recalled")
    changed = (
        _stamp_range(run, first, last)
        .filter(status=Stamp.Status.INACTIVE)
        .update(status=Stamp.Status.ACTIVE, activated_at=timezone.now())
    )
    audit(stall=run.lot.owner, actor=actor, action="stamps_activated", lot=run.lot.code, count=changed)
    return changed


@transaction.atomic
def stamps_void(
    *, run: StampRun, actor, reason: str, first: int | None = None, last: int | None = None
) -> int:
    reason = _required_reason(reason)
    changed = (
        _stamp_range(run, first, last)
        .exclude(status=Stamp.Status.VOIDED)
        .update(status=Stamp.Status.VOIDED, voided_at=timezone.now(), void_reason=reason)
    )
    audit(
        stall=run.lot.owner,
        actor=actor,
        action="stamps_voided",
        lot=run.lot.code,
        count=changed,
        reason=reason,
    )
    return changed


@transaction.atomic
def lot_recall(*, lot: HarvestLot, actor, reason: str) -> int:
    reason = _required_reason(reason)
    now = timezone.now()
    HarvestLot.objects.filter(pk=lot.pk).update(recalled_at=now, recall_reason=reason, updated_at=now)
    changed = lot.stamps.exclude(status=Stamp.Status.VOIDED).update(
        status=Stamp.Status.VOIDED, voided_at=now, void_reason=reason
    )
    audit(stall=lot.owner, actor=actor, action="lot_recalled", lot=lot.code, reason=reason)
    lot.refresh_from_db()
    return changed


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Write the reason: buyers who scan these stamps will read it."), code="no_reason"
        )
    return reason


# Scans -----------------------------------------------------------------------------------


# One statement for the scan row, the stamp's counters and, once the stamp has had enough scans to
# be seen in too many places, how many networks and regions it was seen from: a scan must not slow
# the page down. (The new scan row is not visible to the subqueries, so its values are added.)
_PLACES_SQL = f"""
    SELECT count(DISTINCT place) FROM (
        SELECT {{column}} AS place FROM {Scan._meta.db_table} WHERE stamp_id = %(stamp)s
        UNION ALL SELECT %({{column}})s
    ) seen WHERE place <> ''
"""  # noqa: S608 (table and column names come from the code; values are parameters)
# The places are counted (from the stamp as it was before this scan, plus this scan) only when the
# stamp has had more scans than the fewest places that warn; the scan that first makes it look copied
# (ScanCounts.looks_copied) sets copied_at, once, for the reports.
_LOG_SCAN_SQL = f"""
    WITH scan AS (
        INSERT INTO {Scan._meta.db_table} (stamp_id, scanned_at, region, network, agent)
        VALUES (%(stamp)s, %(now)s, %(region)s, %(network)s, %(agent)s)
    ),
    seen AS (
        SELECT CASE WHEN s.scan_count + 1 > %(spread)s
                    THEN ({_PLACES_SQL.format(column="network")}) ELSE 0 END AS networks,
               CASE WHEN s.scan_count + 1 > %(spread)s
                    THEN ({_PLACES_SQL.format(column="region")}) ELSE 0 END AS regions
          FROM {Stamp._meta.db_table} s
         WHERE s.id = %(stamp)s
    )
    UPDATE {Stamp._meta.db_table}
       SET scan_count = scan_count + 1, first_scanned_at = COALESCE(first_scanned_at, %(now)s),
           copied_at = COALESCE(
               copied_at,
               CASE WHEN seen.networks > %(networks)s OR seen.regions > %(regions)s THEN %(now)s END
           )
      FROM seen
     WHERE {Stamp._meta.db_table}.id = %(stamp)s
    RETURNING scan_count, first_scanned_at, seen.networks, seen.regions
"""  # noqa: S608 (table names come from the models; values are parameters)


def scan_record(*, stamp_id: int, region: str, network: str, agent: str) -> ScanCounts:
    """One row per scan and the stamp's counters, updated in the database (no lost updates).
    Returns the counters including this scan."""
    params = {
        "stamp": stamp_id,
        "now": timezone.now(),
        "region": region[:64],
        "network": network,
        "agent": agent,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # No wait for the disk: a scan counts for statistics, so losing the last instant of scans
        # in a server crash is an acceptable price for a fast page.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            _LOG_SCAN_SQL,
            {
                **params,
                "spread": spread_threshold(),
                "networks": settings.STAMP_NETWORK_WARNING,
                "regions": settings.STAMP_REGION_WARNING,
            },
        )
        return ScanCounts(*cursor.fetchone())
