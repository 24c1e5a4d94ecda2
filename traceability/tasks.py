from django.dispatch import receiver
from django_tasks import TaskResultStatus, task
from django_tasks.signals import task_finished

from traceability.models import StampRun
from traceability.printing import stamp_sheet_render


@task(queue_name="stamps")
def render_stamp_sheet(run_pk: int) -> str:
    """Background job: the PDF of a stamp run (progress is saved on the run as it goes)."""
    run = StampRun.objects.select_related("lot__product", "lot__owner__partner").get(pk=run_pk)
    return stamp_sheet_render(run).status


@receiver(task_finished)
def stamp_run_task_failed(sender, task_result, **kwargs) -> None:
    """A sheet whose task failed outside stamp_sheet_render (time limit, its worker died every time)
    says "failed" with its "Try printing again" button, instead of waiting forever."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    if task_result.task.module_path != render_stamp_sheet.module_path:
        return
    unfinished = [StampRun.Status.PENDING, StampRun.Status.RUNNING]
    cause = task_result.errors[-1].exception_class_path if task_result.errors else "task failed"
    StampRun.objects.filter(pk=task_result.args[0], status__in=unfinished).update(
        status=StampRun.Status.FAILED, error=cause
    )
