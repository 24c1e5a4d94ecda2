"""A stamp run's printable sheet and CSV, from its serials in the database."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from ground import gs1
from ground.worker import WorkerStopping
from traceability.models import StampRun
from traceability.qr import qr_rasters
from traceability.sheets import LabelStamp, LabelText, render_sheets, stamps_csv

logger = logging.getLogger(__name__)


def _label_text(run: StampRun) -> LabelText:
    lot = run.lot
    return LabelText(
        product=lot.product.title,
        producer=lot.owner.name,
        lot=lot.code,
        stars=lot.product.ocop_stars,
        harvest_date=lot.harvest_date.strftime("%d/%m/%Y"),
    )


def _urls_and_codes(run: StampRun):
    """(number, serial, short code, URL) per stamp, straight from the rows: no model per stamp."""
    lot = run.lot
    gtin = gs1.gtin14(lot.product.gtin)
    stamps = run.stamps.order_by("number").values_list("number", "serial")
    for number, serial in stamps.iterator(chunk_size=2000):
        url = gs1.stamp_url(base_url=settings.STAMP_BASE_URL, serial=serial, gtin=gtin, lot=lot.code)
        yield number, serial, gs1.short_code(serial), url


def run_pdf(run: StampRun, *, on_progress: Callable[[int], None] | None = None) -> bytes:
    rows = list(_urls_and_codes(run))
    rasters = qr_rasters(url for *_, url in rows)
    stamps = (
        LabelStamp(short_code=short, qr=raster)
        for (_n, _s, short, _u), raster in zip(rows, rasters, strict=True)
    )
    return render_sheets(
        layout_name=run.layout,
        text=_label_text(run),
        stamps=stamps,
        cut_marks=run.cut_marks,
        on_progress=on_progress,
    )


def run_csv(run: StampRun) -> str:
    return stamps_csv(_urls_and_codes(run))


def stamp_sheet_render(run: StampRun) -> StampRun:
    """Make the run's PDF and store it; on failure the run says so and can be retried."""
    StampRun.objects.filter(pk=run.pk).update(status=StampRun.Status.RUNNING, progress=0, error="")

    def progress(done: int) -> None:
        StampRun.objects.filter(pk=run.pk).update(progress=done)

    try:
        pdf = run_pdf(run, on_progress=progress)
        run.pdf.save(f"tem-{run.lot.code}-{run.pk}.pdf", ContentFile(pdf), save=False)
    except WorkerStopping:  # the worker is stopping and queues the run again: it waits, from the start
        StampRun.objects.filter(pk=run.pk).update(status=StampRun.Status.PENDING, progress=0)
        raise
    except Exception as error:
        logger.exception("Stamp sheet of run %s failed", run.pk)
        StampRun.objects.filter(pk=run.pk).update(status=StampRun.Status.FAILED, error=str(error)[:500])
        run.refresh_from_db()
        return run
    StampRun.objects.filter(pk=run.pk).update(
        status=StampRun.Status.READY, pdf=run.pdf.name, progress=run.count, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run
