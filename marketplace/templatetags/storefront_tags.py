from django import template
from django.utils.translation import ngettext

from ground.money import format_vnd

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """{{ price|vnd }} -> 120.000 ₫"""
    return format_vnd(amount)


@register.inclusion_tag("frontend/partials/ocop_stars.html")
def ocop_stars(stars):
    """The OCOP badge: filled stars for the rating, with the number spelled out for screen readers."""
    stars = stars or 0
    return {
        "stars": stars,
        "filled": range(stars),
        "label": ngettext("OCOP %(n)d star", "OCOP %(n)d stars", stars) % {"n": stars},
    }
