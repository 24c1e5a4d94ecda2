"""What every search backend takes and returns: SearchRequest (its text, filters, sort and page,
checked on creation), SearchResult with its FacetValue counts, and the facets, sorts and limits."""

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from search import text

MAX_RESULTS = 1000  # deepest result a search page may show: beyond it, refine the search
LIST_MAX_RESULTS = 10_000  # deepest result of the /shop/ lists (the engine's own result window)
SUGGESTIONS = 8
PRICE_RANGES = {  # whole đồng
    "0-100000": (None, 100_000),
    "100000-200000": (100_000, 200_000),
    "200000-500000": (200_000, 500_000),
    "500000-": (500_000, None),
}
SORTS = ("relevance", "price", "-price", "newest", "rating")
# Buyers' ratings: "4 stars and up", "3 stars and up" (the average of the visible reviews).
RATING_LEVELS = ("4", "3")
# How many of the words typed a product must match: every one; when nothing does, most of them (three
# in four, rounded down, as the engine's minimum_should_match "75%"); then any one (result.relaxed).
MATCH_ALL, MATCH_MOST, MATCH_ANY = 0, 1, 2
# The season, as the chips above the results choose it: harvested this month, or open for pre-orders today.
# Both depend on the day, so they filter but are never counted (no facet key: search/facet_keys.py).
SEASONS = ("now", "preorder")
FACETS = (
    "category",
    "province",
    "commune",
    "stars",
    "rating",
    "certification",
    "price",
    "in_stock",
    "season",
)


# Every backend answers a SearchRequest with the same Vietnamese behaviour (tests/search/test_contract.py):
# - "vai thieu", "vải thiều" and "VẢI THIỀU" are the same words, and đ = d;
# - a mistyped word still finds its products ("vai thieuu");
# - the names in ``data/synonyms.txt`` find each other ("lychee" finds "vải");
# - facets count each facet's values under the other facets' choices; pages stop at MAX_RESULTS.
@dataclass
class SearchRequest:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 24
    communes: list[int] | None = None  # the storefront's communes (codes); None: everywhere
    # A list page (/shop/, a category) needs no facets, and its count stops at max_results
    # (SearchResult.more): counting every match of a large catalogue would cost more than the page.
    facets: bool = True
    max_results: int = MAX_RESULTS
    relax: int = MATCH_ALL  # MATCH_ALL, MATCH_MOST or MATCH_ANY (set by ``relaxing``)
    today: date | None = None  # the day the season filters read (None: the local date)

    def __post_init__(self):
        self.today = self.today or timezone.localdate()
        self.text = self.text[: text.MAX_QUERY_LENGTH].strip()
        self.filters = {
            name: valid
            for name, values in self.filters.items()
            if name in FACETS and (valid := _valid_values(name, values))
        }
        self.sort = self.sort if self.sort in SORTS else "relevance"
        self.per_page = max(1, min(self.per_page, 100))
        self.page = max(1, min(self.page, self.max_page))

    @property
    def max_page(self) -> int:
        return math.ceil(self.max_results / self.per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def limit(self) -> int:
        """Where this page's results end: never past max_results (the engine refuses to go further)."""
        return min(self.offset + self.per_page, self.max_results)


CERTIFICATIONS = ("ocop", "vietgap", "globalgap", "organic")
MAX_ID = 2**31 - 1


def _valid_values(name: str, values: list[str]) -> list[str]:
    """Only values a facet can hold (the URL may carry anything): ids as plain digits in range,
    known price ranges, standards and true/false."""
    if name == "price":
        allowed = [v for v in values if v in PRICE_RANGES]
    elif name == "in_stock":
        allowed = [v for v in values if v in ("true", "false")]
    elif name == "certification":
        allowed = [v for v in values if v in CERTIFICATIONS]
    elif name == "rating":
        allowed = [v for v in values if v in RATING_LEVELS]
    elif name == "season":
        allowed = [v for v in values if v in SEASONS]
    else:
        allowed = [v for v in values if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID]
    return list(dict.fromkeys(allowed))[:20]


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    product_ids: list[int]
    total: int
    facets: dict[str, list[FacetValue]]
    backend: str
    corrected: str = ""  # the words searched for, when a mistyped word was corrected (database)
    more: bool = False  # more than ``total`` match (a list's count stops at its max_results)
    relaxed: bool = False  # close matches: no product had every word, these have most or some

    def pages(self, request: SearchRequest) -> int:
        return max(1, min(math.ceil(self.total / request.per_page), request.max_page))


def words_needed(relax: int, count: int) -> int:
    """How many of a query's ``count`` words (or synonym phrases) a product must match."""
    if relax == MATCH_ALL:
        return count
    if relax == MATCH_MOST:
        return max(1, count * 3 // 4)
    return min(1, count)


def relaxing(
    search: Callable[[SearchRequest], SearchResult], request: SearchRequest, count: int
) -> SearchResult:
    """All ``count`` words first; when nothing matches, most of them; then any one: a buyer who typed
    "cam sanh" sees the other oranges rather than nothing. At most three searches, and only the first
    when it finds something."""
    result = search(request)
    needed = count
    for relax in (MATCH_MOST, MATCH_ANY):
        if result.total or not request.text or words_needed(relax, count) >= needed:
            continue
        needed = words_needed(relax, count)
        result = search(dataclasses.replace(request, relax=relax))
        result.relaxed = True
    return result
