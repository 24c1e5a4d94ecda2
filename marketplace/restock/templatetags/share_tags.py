"""Absolute links for Open Graph tags and the share button (frontend/partials/og.html, share.html).

It lives here because the share button came with "Báo khi có hàng" (issue #17, "Come back"); it reads
no model."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute(context, url) -> str:
    """``/shop/...`` -> ``https://host/shop/...`` on the host the visitor asked for (an absolute URL,
    e.g. a photo on the S3 bucket, stays as it is); SITE_URL when there is no request."""
    url = str(url or "")
    if not url:
        return ""
    request = context.get("request")
    if request is not None:
        return request.build_absolute_uri(url)
    return url if "://" in url else settings.SITE_URL + url
