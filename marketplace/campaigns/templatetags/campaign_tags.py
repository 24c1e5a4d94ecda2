from django import template
from django.utils import timezone

from marketplace.campaigns.models import CampaignPage

register = template.Library()


@register.simple_tag
def live_campaigns(home) -> list[CampaignPage]:
    """The storefront's campaigns a buyer can read now (one query): for the links on its home page."""
    return list(
        CampaignPage.objects.live()
        # Not Wagtail's public(), which reads every restriction of the site in a query of its own: a
        # child of the storefront is private only by a restriction on itself (one on the storefront
        # closes this whole page).
        .filter(view_restrictions__isnull=True)
        .child_of(home)
        .filter(ends_on__gte=timezone.localdate())
        .order_by("starts_on", "pk")
        .only("title", "url_path", "path", "depth", "starts_on", "ends_on", "intro")
    )
