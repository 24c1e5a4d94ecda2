"""Facets and sorting as plain links: labels for the values the backends return, and URLs that
choose or drop one value while keeping the rest of the search."""

from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from ground.models import Commune
from ground.money import format_vnd
from search.requests import FACETS, PRICE_RANGES, RATING_LEVELS, SEASONS
from search.text import MAX_QUERY_LENGTH
from traceability.models import Certification

Category = get_model("catalogue", "Category")

TITLES = {
    "category": gettext_lazy("Category"),
    "province": gettext_lazy("Province"),
    "commune": gettext_lazy("Commune"),
    "stars": gettext_lazy("OCOP stars"),
    "rating": gettext_lazy("Buyers' rating"),
    "certification": gettext_lazy("Standards"),
    "price": gettext_lazy("Price"),
    "in_stock": gettext_lazy("Availability"),
    "season": gettext_lazy("Season"),
}
# The season chips above the results, in this order (values of the "season" filter).
SEASON_LABELS = {"now": gettext_lazy("In season"), "preorder": gettext_lazy("Pre-order now")}
SORT_LABELS = [
    ("relevance", gettext_lazy("Best match")),
    ("price", gettext_lazy("Cheapest first")),
    ("-price", gettext_lazy("Dearest first")),
    ("newest", gettext_lazy("Newest")),
    ("rating", gettext_lazy("Best rated")),
]
# A list without words: "best match" means the stalls' featured products first, then the most sold.
LIST_SORT_LABELS = [("relevance", gettext_lazy("Featured")), *SORT_LABELS[1:]]


class Links:
    """Query strings derived from the current one (a new choice always starts again at page 1).

    Only the parameters the page understands are carried, each cut to ``MAX_QUERY_LENGTH`` and at
    most ``MAX_PAIRS`` of them: every facet link repeats them, so a padded URL must not grow the
    page (a 30 KB ``q`` once made a 640 KB page)."""

    KEPT = ("q", "sort", *FACETS)
    MAX_PAIRS = 20

    def __init__(self, params, kept: tuple[str, ...] = KEPT):
        pairs = [(key, value[:MAX_QUERY_LENGTH]) for key in kept for value in params.getlist(key)]
        self.pairs = pairs[: self.MAX_PAIRS]
        self.page = params.get("page")

    def _url(self, pairs) -> str:
        return "?" + urlencode(pairs)

    def toggle(self, name: str, value: str) -> str:
        if (name, value) in self.pairs:
            return self._url([pair for pair in self.pairs if pair != (name, value)])
        return self._url([*self.pairs, (name, value)])

    def set(self, name: str, value) -> str:
        return self._url([*(pair for pair in self.pairs if pair[0] != name), (name, str(value))])


def _price_label(key: str) -> str:
    low, high = PRICE_RANGES[key]
    if low is None:
        return _("Under %(price)s") % {"price": format_vnd(high)}
    if high is None:
        return _("From %(price)s") % {"price": format_vnd(low)}
    return f"{format_vnd(low)} – {format_vnd(high)}"


def labels(values: dict[str, set[str]]) -> dict[str, dict[str, str]]:
    """A label for each value of each facet (a few small queries for the names)."""

    def ids(name):
        return [int(value) for value in values.get(name, ()) if value.isascii() and value.isdigit()]

    kinds = dict(Certification.Kind.choices)
    return {
        "category": {  # in the visitor's language (Category.localized_name)
            str(category.pk): category.localized_name
            for category in Category.objects.filter(pk__in=ids("category")).only(
                "pk", "name", "name_en", "path", "depth"
            )
        },
        "commune": {
            str(code): name
            for code, name in Commune.objects.filter(code__in=ids("commune")).values_list("code", "name")
        },
        "province": {
            str(code): name
            for code, name in Commune.objects.filter(province_code__in=ids("province"))
            .values_list("province_code", "province_name")
            .distinct()
        },
        "stars": {value: _("%(stars)s stars") % {"stars": value} for value in values.get("stars", ())},
        "rating": {
            value: _("%(stars)s stars and up") % {"stars": value}
            for value in values.get("rating", ())
            if value in RATING_LEVELS
        },
        "certification": {value: str(kinds.get(value, value)) for value in values.get("certification", ())},
        "price": {value: _price_label(value) for value in values.get("price", ()) if value in PRICE_RANGES},
        "in_stock": {"true": _("In stock"), "false": _("Sold out")},
        "season": {value: str(SEASON_LABELS[value]) for value in SEASONS},
    }


def facet_groups(facets: dict, links: Links, named: dict[str, dict[str, str]]) -> list[dict]:
    groups = []
    for name in FACETS:
        if name == "season":  # chips above the results (season_chips): not behind "Filter"
            continue
        values = [
            {
                "label": named[name].get(value.value, value.value),
                "count": value.count,
                "selected": value.selected,
                "url": links.toggle(name, value.value),
            }
            for value in facets.get(name, [])
            if value.value in named[name] and (name != "in_stock" or value.value == "true")
        ]
        if values:
            groups.append({"name": name, "title": TITLES[name], "values": values})
    return groups


def season_chips(filters: dict[str, list[str]], links: Links) -> list[dict]:
    """One tap each, at the top of the results: "In season", "Pre-order now" (again: not any more)."""
    chosen = filters.get("season", [])
    return [
        {"label": label, "url": links.toggle("season", value), "selected": value in chosen}
        for value, label in SEASON_LABELS.items()
    ]


def chosen_filters(
    filters: dict[str, list[str]], named: dict[str, dict[str, str]]
) -> list[tuple[str, str, str]]:
    return [
        (name, value, named[name].get(value, value))
        for name, chosen in filters.items()
        for value in chosen
        if value in named.get(name, {}) and name != "season"  # the season chips show their own
    ]
