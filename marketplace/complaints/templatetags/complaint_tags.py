"""The stall's dashboard asks here how many complaints wait for its answer (the sellers app, a lower
layer, knows nothing of complaints: its template loads this tag)."""

from django import template

from marketplace.complaints.models import Complaint

register = template.Library()


@register.simple_tag
def complaints_waiting(stall) -> int:
    """Complaints of the stall that wait for its answer."""
    return Complaint.objects.filter(stall=stall, state=Complaint.State.OPEN).count()
