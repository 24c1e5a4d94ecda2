"""Closing the windows past their date in the background, asked for by a stall's visit at most once a day
(the buyers' pages hide such windows already: this only puts the state column right)."""

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from marketplace.harvest.services import close_due

# The shared cache's key saying today's closing was asked for already (any process of the deployment).
_ASKED_KEY = "harvest:close-due-asked:{day}"


@task()  # a single UPDATE: the "default" queue is fine
def close_due_task() -> int:
    return close_due()


def close_due_soon() -> bool:
    """Queues ``close_due`` once a day at most; whether it was queued now."""
    today = timezone.localdate()
    if not cache.add(_ASKED_KEY.format(day=today.isoformat()), True, timeout=2 * 24 * 3600):
        return False
    close_due_task.enqueue()
    return True
