from django_tasks import task

from traceability.models import StampRun
from traceability.printing import stamp_sheet_render


@task()
def render_stamp_sheet(run_pk: int) -> str:
    """Background job: the PDF of a stamp run (progress is saved on the run as it goes)."""
    run = StampRun.objects.select_related("lot__product", "lot__owner__partner").get(pk=run_pk)
    return stamp_sheet_render(run).status
