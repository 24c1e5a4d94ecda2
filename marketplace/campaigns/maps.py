"""The map of the stalls taking part in a campaign: drawn on the server as a small SVG (no script, no
map tiles), one dot per commune at its centre (``Commune.latitude``/``longitude``), sized by its
number of stalls, with the list by village beside it (``stalls_by_place``)."""

from dataclasses import dataclass, field
from itertools import groupby
from math import cos, radians

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WIDTH = 320
HEIGHT = 200
MARGIN = 40


@dataclass
class Place:
    name: str
    villages: list[tuple[str, list]] = field(default_factory=list)
    count: int = 0


def stalls_by_place(stalls) -> list[Place]:
    """Stalls grouped by commune, then by village (stalls without a village last)."""
    places = []
    ordered = sorted(stalls, key=lambda s: (s.commune.name, s.village == "", s.village, s.name))
    for commune_name, in_commune in groupby(ordered, key=lambda s: s.commune.name):
        in_commune = list(in_commune)
        place = Place(name=commune_name, count=len(in_commune))
        for village, here in groupby(in_commune, key=lambda s: s.village):
            place.villages.append((village, list(here)))
        places.append(place)
    return places


def stall_map(stalls) -> SafeString:
    """An SVG with one dot per commune that has a centre; empty when none has."""
    communes = {}
    for stall in stalls:
        commune = stall.commune
        if commune.latitude is not None and commune.longitude is not None:
            communes.setdefault(commune.pk, [commune, 0])[1] += 1
    if not communes:
        return SafeString("")
    points = list(communes.values())
    squeeze = cos(radians(sum(float(c.latitude) for c, _n in points) / len(points)))
    xs = [float(c.longitude) * squeeze for c, _n in points]
    ys = [-float(c.latitude) for c, _n in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = min(WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN) / span
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    dots = []
    for (commune, count), x, y in zip(points, xs, ys, strict=True):
        cx = WIDTH / 2 + (x - mid_x) * scale
        cy = HEIGHT / 2 + (y - mid_y) * scale
        radius = 8 + min(count, 20)
        label = ngettext("%(place)s: %(count)s stall", "%(place)s: %(count)s stalls", count) % {
            "place": commune.name,
            "count": count,
        }
        dots.append((f"{cx:.1f}", f"{cy:.1f}", radius, label, f"{cy + radius + 16:.1f}", commune.name))
    body = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}" class="map-dot"><title>{}</title></circle>'
        '<text x="{}" y="{}" text-anchor="middle" class="map-label">{}</text>',
        ((cx, cy, r, label, cx, ly, name) for cx, cy, r, label, ly, name in dots),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="stall-map" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}">{}</svg>',
        WIDTH,
        HEIGHT,
        _("Map of the communes of the stalls taking part"),
        body,
    )
