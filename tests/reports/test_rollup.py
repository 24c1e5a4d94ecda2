"""The daily rollup of the stamp facts, against facts counted by hand.

Xã Lục Ngạn, HTX Lục Ngạn Xanh, a run of 3 stamps; stamps 1 and 2 activated on 10 June (local time).
Stamp 1 is scanned on 10 June at 09:00 from a phone in Huế and at 23:30 from a computer with no region
(still 10 June here, 16:30 UTC), then on 11 June at 00:30 (17:30 UTC on the 10th: 11 June here) from a
phone in Hà Nội. So: 10 June: 2 activated, 1 first scanned, 2 scans (1 from a phone); 11 June: 1 scan
from a phone. Xã Tân Sơn's stall: one stamp activated and scanned on 11 June in Lạng Sơn.
"""

import io
from datetime import date, datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks.signals import task_enqueued

from marketplace.reports import rollup, tasks
from marketplace.reports.models import RollupState, ScanRegionDay, StampCommuneDay, StampDay
from tests.factories import CommuneFactory, StallFactory, burst, make_lot
from traceability import services
from traceability.models import Scan, Stamp

JUNE_10, JUNE_11, JUNE_12 = date(2026, 6, 10), date(2026, 6, 11), date(2026, 6, 12)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 6, day, hour, minute))


def scan(stamp: Stamp, when: datetime, *, region: str, agent: str) -> None:
    services.scan_record(stamp_id=stamp.pk, region=region, network="net-1", agent=agent)
    Scan.objects.filter(pk=Scan.objects.filter(stamp=stamp).order_by("-pk").values("pk")[:1]).update(
        scanned_at=when
    )
    first = Scan.objects.filter(stamp=stamp).order_by("scanned_at").values("scanned_at")[:1]
    Stamp.objects.filter(pk=stamp.pk).update(first_scanned_at=first)


def build() -> tuple:
    luc_ngan, tan_son = CommuneFactory(name="Xã Lục Ngạn"), CommuneFactory(name="Xã Tân Sơn")
    stall = StallFactory(commune=luc_ngan)
    lot = make_lot(stall=stall, code="LN2026-06")
    run = services.stamp_run_create(lot=lot, count=3, actor=lot.created_by)
    services.stamps_activate(run=run, actor=lot.created_by, first=1, last=2)
    run.stamps.filter(number__lte=2).update(activated_at=at(10, 8))
    one = run.stamps.get(number=1)
    scan(one, at(10, 9), region="Huế", agent="phone")
    scan(one, at(10, 23, 30), region="", agent="desktop")
    scan(one, at(11, 0, 30), region="Hà Nội", agent="phone")

    other = StallFactory(commune=tan_son)
    other_lot = make_lot(stall=other, code="TS2026-06")
    other_run = services.stamp_run_create(lot=other_lot, count=1, actor=other_lot.created_by)
    services.stamps_activate(run=other_run, actor=other_lot.created_by, first=1, last=1)
    other_run.stamps.update(activated_at=at(11, 7))
    scan(other_run.stamps.get(), at(11, 8), region="Lạng Sơn", agent="phone")
    return luc_ngan, tan_son, stall, other


def stamp_days() -> list[tuple]:
    return list(
        StampDay.objects.order_by("day", "stall_id").values_list(
            "day", "commune_id", "stall_id", "activated", "first_scanned", "scans", "phone_scans", "copied"
        )
    )


def region_days() -> list[tuple]:
    return list(ScanRegionDay.objects.order_by("day", "commune_id", "region").values_list())


@pytest.mark.django_db
def test_the_rollup_adds_up_each_local_day_once():
    luc_ngan, tan_son, stall, other = build()

    # The first fact is on 10 June: the days from there to 11 June (12 June left out).
    assert rollup.rollup_refresh(until=JUNE_12) == 2

    assert stamp_days() == [
        (JUNE_10, luc_ngan.pk, stall.pk, 2, 1, 2, 1, 0),
        (JUNE_11, luc_ngan.pk, stall.pk, 0, 0, 1, 1, 0),
        (JUNE_11, tan_son.pk, other.pk, 1, 1, 1, 1, 0),
    ]
    communes = StampCommuneDay.objects.order_by("day", "commune_id")
    assert list(
        communes.values_list("day", "commune_id", "activated", "first_scanned", "scans", "copied")
    ) == [
        (JUNE_10, luc_ngan.pk, 2, 1, 2, 0),
        (JUNE_11, luc_ngan.pk, 0, 0, 1, 0),
        (JUNE_11, tan_son.pk, 1, 1, 1, 0),
    ]
    assert [row[1:] for row in region_days()] == [
        (JUNE_10, luc_ngan.pk, "", 1),
        (JUNE_10, luc_ngan.pk, "Huế", 1),
        (JUNE_11, luc_ngan.pk, "Hà Nội", 1),
        (JUNE_11, tan_son.pk, "Lạng Sơn", 1),
    ]
    assert rollup.rolled_until() == JUNE_12

    # Twice adds nothing; a later day is added on its own.
    assert rollup.rollup_refresh(until=JUNE_12) == 0
    assert rollup.rollup_refresh(until=date(2026, 6, 14)) == 2
    assert len(stamp_days()) == 3 and len(region_days()) == 4
    assert rollup.rolled_until() == date(2026, 6, 14)


@pytest.mark.django_db
def test_nothing_to_add_up_leaves_no_state():
    assert rollup.rollup_refresh() == 0
    assert not RollupState.objects.exists()


@pytest.mark.django_db
def test_the_command_adds_up_the_days_before_today():
    build()
    out = io.StringIO()

    call_command("reports_rollup", stdout=out)

    assert rollup.rolled_until() == timezone.localdate()
    assert f"Stamps: {(timezone.localdate() - JUNE_10).days} day(s) added up" in out.getvalue()
    assert StampDay.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_rollups_at_once_add_up_each_day_once():
    build()

    days = burst(lambda i: rollup.rollup_refresh(until=JUNE_12), 2)

    assert sorted(days) == [0, 2]
    assert len(stamp_days()) == 3 and len(region_days()) == 4


@pytest.mark.django_db
def test_the_dashboard_asks_for_the_rollup_once_a_day():
    build()
    cache.clear()
    queued = []

    def heard(sender, task_result, **kwargs):
        queued.append(task_result.task.name)

    task_enqueued.connect(heard)
    try:
        assert tasks.rollup_soon() is True  # the test backend runs it at once
        assert tasks.rollup_soon() is False
        # Behind again (a day to add up), but it was asked for today already.
        RollupState.objects.update(rolled_until=JUNE_12)
        assert tasks.rollup_soon() is False
    finally:
        task_enqueued.disconnect(heard)

    assert queued == ["rollup_refresh_task"]
    assert StampDay.objects.count() == 3


@pytest.mark.django_db
def test_copied_at_is_set_by_the_scan_that_makes_the_warning_show(settings):
    settings.STAMP_NETWORK_WARNING, settings.STAMP_REGION_WARNING = 5, 2
    lot = make_lot()
    run = services.stamp_run_create(lot=lot, count=2, actor=lot.created_by)
    by_regions, by_networks = run.stamps.order_by("number")

    for n, region in enumerate(["Huế", "Hà Nội", "Huế", "Lạng Sơn"]):
        counts = services.scan_record(stamp_id=by_regions.pk, region=region, network="net", agent="phone")
        by_regions.refresh_from_db()
        # The 3rd region (4th scan) shows the warning, and only then is the stamp copied.
        assert counts.looks_copied is (n == 3)
        assert (by_regions.copied_at is not None) is (n == 3)
    first_copied = by_regions.copied_at
    counts = services.scan_record(stamp_id=by_regions.pk, region="Huế", network="net", agent="phone")
    by_regions.refresh_from_db()
    assert counts.looks_copied and by_regions.copied_at == first_copied  # set once

    for n in range(6):
        counts = services.scan_record(stamp_id=by_networks.pk, region="", network=f"net-{n}", agent="phone")
        by_networks.refresh_from_db()
        assert counts.looks_copied is (n == 5)  # the 6th network
        assert (by_networks.copied_at is not None) is (n == 5)
