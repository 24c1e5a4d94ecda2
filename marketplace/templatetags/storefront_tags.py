from django import template
from django.utils.translation import get_language, ngettext

from ground.money import format_vnd, group_thousands

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """{{ price|vnd }} -> 120.000 ₫"""
    return format_vnd(amount)


@register.filter
def thousands(number) -> str:
    """{{ total|thousands }} -> 10.000 (in English 10,000)"""
    grouped = group_thousands(number)
    return grouped.replace(".", ",") if get_language() == "en" else grouped


@register.inclusion_tag("frontend/partials/ocop_stars.html")
def ocop_stars(stars):
    """The OCOP badge: filled stars for the rating, with the number spelled out for screen readers."""
    stars = stars or 0
    return {
        "stars": stars,
        "filled": range(stars),
        "label": ngettext("OCOP %(n)d star", "OCOP %(n)d stars", stars) % {"n": stars},
    }


@register.inclusion_tag("frontend/partials/season.html")
def season(product):
    """One label: "Pre-order until 31/05" while a sale window of it is open today (Product.preorder_windows,
    read with the product: no query), else in season or out of season; with its harvest months. The
    stall's old "available for pre-order" box promised nothing a buyer could place: only windows count."""
    return {
        "months": product.season_display,
        "in_season": product.is_in_season,
        "preorder_until": product.preorder_until,
    }


@register.filter
def sum_of(items, attribute: str) -> int:
    """{{ groups|sum_of:"delivery_fee" }}: the sum of one attribute over a list."""
    return sum(getattr(item, attribute) for item in items)
