"""Database-backed product search: Vietnamese with or without diacritics.

PostgreSQL's ``unaccent`` folds "vải thiều", "VẢI THIỀU" and "vai thieu" (and đ/d) to the
same letters. Every word must appear in the title, description, stall or category name.
The real search engine (Elasticsearch/OpenSearch) replaces this behind the same call.
"""

from django.db.models import Q

from catalogue.selectors import product_cards

MAX_TERMS = 8
MAX_QUERY_LENGTH = 100

SEARCHED_FIELDS = (
    "title",
    "description",
    "stockrecords__partner__name",
    "categories__name",
)


def query_terms(query: str) -> list[str]:
    return query[:MAX_QUERY_LENGTH].split()[:MAX_TERMS]


def product_search(*, query: str, communes=None):
    products = product_cards(communes=communes)
    for term in query_terms(query):
        matches = Q()
        for field in SEARCHED_FIELDS:
            matches |= Q(**{f"{field}__unaccent__icontains": term})
        products = products.filter(matches)
    return products.distinct().order_by("-is_featured", "title")
