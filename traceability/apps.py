from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    """Origin records, harvest lots, stamps and the trace page (built in the traceability issue)."""

    name = "traceability"
    verbose_name = _("Traceability")

    def ready(self):
        # Connects the receiver that fails a stamp run whose task failed (in every process, workers too).
        from traceability import tasks  # noqa: F401
