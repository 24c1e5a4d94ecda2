from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from traceability.models import HarvestLot, StampRun
from traceability.printing import run_pdf
from traceability.services import stamp_run_create


class Command(BaseCommand):
    help = "Issue N new stamps for a lot and write their print-ready PDF sheet."

    def add_arguments(self, parser):
        parser.add_argument("--lot", required=True, help="Lot code, e.g. LN2026-06A")
        parser.add_argument("--product", help="Product id, when several products have a lot with this code")
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--layout", default=StampRun.Layout.A4_3X8, choices=StampRun.Layout.values)
        parser.add_argument("--cut-marks", action="store_true")
        parser.add_argument("--out", required=True, type=Path, help="Where to write the PDF")

    def handle(self, *args, lot, product, count, layout, cut_marks, out, **options):
        lots = HarvestLot.objects.filter(code=lot.upper()).select_related("product", "owner__partner")
        if product:
            lots = lots.filter(product_id=product)
        if lots.count() != 1:
            raise CommandError(f"{lots.count()} lots have the code {lot!r}; name one with --product.")
        harvest_lot = lots.get()
        try:
            run = stamp_run_create(
                lot=harvest_lot, count=count, actor=harvest_lot.created_by, layout=layout, cut_marks=cut_marks
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        out.write_bytes(run_pdf(run))
        self.stdout.write(
            f"{count} stamps for lot {harvest_lot.code} ({harvest_lot.product.title}) written to {out}"
        )
