"""Background tasks of the ground floor: texts to phones go out from the ``messages`` queue."""

from django_tasks import task

from ground.messaging import deliver


@task(queue_name="messages")
def deliver_text(*, phone: str, text: str) -> None:
    """Background job: one text message, through SELLERS_MESSAGE_BACKEND."""
    deliver(phone=phone, text=text)
