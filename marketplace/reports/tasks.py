"""The stamp and order rollups in the background: the dashboard asks for them, at most once a day per
deployment."""

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from marketplace.reports.order_rollup import orders_rollup_behind, orders_rollup_refresh
from marketplace.reports.rollup import rollup_behind, rollup_refresh

# The shared cache's key saying today's rollup was asked for already (any process of the deployment).
_ASKED_KEY = "reports:stamp-rollup-asked:{day}"


# On the stamps queue: its worker is niced and allowed long jobs, and the first rollup of a year of data
# takes seconds; on "default" it would hold up the one-time codes of the messages worker meanwhile.
@task(queue_name="stamps")
def rollup_refresh_task() -> int:
    """Background job: adds up the stamp facts of the days not added up yet and counts the
    orders of the last 35 days again (the days before today)."""
    return rollup_refresh() + orders_rollup_refresh()


def rollup_soon() -> bool:
    """Queues the rollup when it is behind, looking once a day at most (the first dashboard of the day
    pays one small query, the others none); whether it was queued now. The figures are right either
    way: the days not added up yet are read live."""
    today = timezone.localdate()
    # Two days' life: the key of today is gone tomorrow whatever the cache's clock says.
    if not cache.add(_ASKED_KEY.format(day=today.isoformat()), True, timeout=2 * 24 * 3600):
        return False
    if not (rollup_behind(today) or orders_rollup_behind(today)):
        return False
    rollup_refresh_task.enqueue()
    return True
