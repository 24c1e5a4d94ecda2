import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from ground import gs1
from tests.factories import make_lot
from traceability import services
from traceability.models import Stamp, StampRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def lot():
    return make_lot()


def test_a_run_issues_unique_inactive_serials_numbered_1_to_n(lot, committed):
    with committed():
        run = services.stamp_run_create(lot=lot, count=240, actor=lot.created_by)

    stamps = list(run.stamps.order_by("number"))
    assert [stamp.number for stamp in stamps] == list(range(1, 241))
    assert len({stamp.serial for stamp in stamps}) == 240
    assert {stamp.status for stamp in stamps} == {Stamp.Status.INACTIVE}
    run.refresh_from_db()
    assert run.status == StampRun.Status.READY and run.pdf  # the sheet (immediate task backend in tests)


@pytest.mark.parametrize(("count", "message"), [(0, "từ 1 đến 100.000"), (10_000_000, "từ 1 đến 100.000")])
def test_silly_counts_are_refused_and_nothing_is_issued(lot, count, message):
    with pytest.raises(ValidationError, match=message):
        services.stamp_run_create(lot=lot, count=count, actor=lot.created_by)
    assert not Stamp.objects.exists() and not StampRun.objects.exists()


def test_a_serial_collision_is_drawn_again_and_leaves_nothing_half_issued(lot, monkeypatch):
    first = services.stamp_run_create(lot=lot, count=5, actor=lot.created_by)
    taken = first.stamps.first().serial
    draws = iter([taken] * 3 + [gs1.new_serial() for _ in range(50)])
    monkeypatch.setattr(gs1, "new_serial", lambda: next(draws))

    second = services.stamp_run_create(lot=lot, count=5, actor=lot.created_by)

    assert second.stamps.count() == 5
    assert StampRun.objects.count() == 2  # the failed attempt left no run behind
    assert Stamp.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_runs_created_at_the_same_moment_never_share_a_serial():
    lot = make_lot()
    barrier = threading.Barrier(4)
    errors = []

    def order():
        try:
            barrier.wait()
            services.stamp_run_create(lot=lot, count=2000, actor=lot.created_by)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=order) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Stamp.objects.count() == 8000
    assert Stamp.objects.values("serial").distinct().count() == 8000


def test_activation_of_a_range(lot):
    run = services.stamp_run_create(lot=lot, count=30, actor=lot.created_by)

    assert services.stamps_activate(run=run, actor=lot.created_by, first=1, last=10) == 10
    assert services.stamps_activate(run=run, actor=lot.created_by) == 20

    with pytest.raises(ValidationError, match="từ 1 đến 30"):
        services.stamps_activate(run=run, actor=lot.created_by, first=5, last=31)
    assert run.stamps.filter(status=Stamp.Status.ACTIVE).count() == 30


def test_void_needs_a_reason(lot):
    run = services.stamp_run_create(lot=lot, count=10, actor=lot.created_by)

    with pytest.raises(ValidationError, match="lý do"):
        services.stamps_void(run=run, actor=lot.created_by, reason=" ", first=1, last=3)
    assert services.stamps_void(run=run, actor=lot.created_by, reason="Tem in lỗi", first=1, last=3) == 3
    assert set(run.stamps.filter(number__lte=3).values_list("void_reason", flat=True)) == {"Tem in lỗi"}


def test_recall_voids_every_stamp_of_the_lot_and_stops_new_ones(lot):
    run = services.stamp_run_create(lot=lot, count=10, actor=lot.created_by)
    services.stamps_activate(run=run, actor=lot.created_by)

    with pytest.raises(ValidationError):
        services.lot_recall(lot=lot, actor=lot.created_by, reason="")
    assert services.lot_recall(lot=lot, actor=lot.created_by, reason="Dư lượng thuốc vượt ngưỡng") == 10

    assert set(run.stamps.values_list("status", flat=True)) == {Stamp.Status.VOIDED}
    with pytest.raises(ValidationError, match="thu hồi"):
        services.stamp_run_create(lot=lot, count=5, actor=lot.created_by)


def test_a_failed_sheet_can_be_retried_with_the_same_serials(lot, monkeypatch, committed):
    from traceability import printing

    real = printing.run_pdf
    monkeypatch.setattr(printing, "run_pdf", lambda run, **kw: (_ for _ in ()).throw(OSError("disk full")))
    with committed():
        run = services.stamp_run_create(lot=lot, count=12, actor=lot.created_by)
    run.refresh_from_db()
    serials = set(run.stamps.values_list("serial", flat=True))
    assert (run.status, run.error, bool(run.pdf)) == (StampRun.Status.FAILED, "disk full", False)

    monkeypatch.setattr(printing, "run_pdf", real)
    with committed():
        services.stamp_run_retry(run=run)

    run.refresh_from_db()
    assert run.status == StampRun.Status.READY and run.pdf
    assert set(run.stamps.values_list("serial", flat=True)) == serials


def test_lot_events_are_append_only(lot):
    event = lot.events.create(step="packing", place="Nhà sơ chế", recorded_by=lot.created_by)
    event.place = "Sửa lại"

    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    correction = services.lot_event_record(
        lot=lot, actor=lot.created_by, step="packing", place="Nhà sơ chế HTX, thôn Kép 1", corrects=event
    )
    assert correction.corrects == event
