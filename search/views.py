"""Product lists: the /shop/ catalogue and category pages (PostgreSQL's search index table) and /search/
(the engine when one is configured, else that table), cached whole for visitors without cookies."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from catalogue.selectors import product_cards
from ground.page_cache import cached_page
from ground.tenancy import current_communes
from search import text
from search.backends import search_backend
from search.database_search import DatabaseBackend
from search.facets import (
    LIST_SORT_LABELS,
    SORT_LABELS,
    Links,
    chosen_filters,
    facet_groups,
    labels,
    season_chips,
)
from search.requests import FACETS, LIST_MAX_RESULTS, MAX_RESULTS, SearchRequest, SearchResult
from sellers.models import Stall

Category = get_model("catalogue", "Category")

NOTHING_FOUND_LINKS = 8  # categories, and stalls, offered when nothing matches


class ProductListView(TemplateView):
    """A list of the storefront's products from PostgreSQL's search index table, even when an engine
    serves searches: one row per public product of a verified stall, written first by every reindex
    (so as fresh as the engine, or fresher while it is away), with an index per sort, so that a page is
    the first rows of an index scan; faster than asking the engine (36 vs 53 ms a page at 100,000
    products, bench/catalogue_scale.py). Its count stops at LIST_MAX_RESULTS ("more than 10,000
    products") instead of counting a province's whole catalogue on every page."""

    filters: dict[str, list[str]] = {}

    def get_context_data(self, **kwargs):
        params = self.request.GET
        request = SearchRequest(
            filters=self.filters,
            sort=params.get("sort", "relevance"),
            page=_number(params.get("page")),
            per_page=settings.OSCAR_PRODUCTS_PER_PAGE,
            communes=_commune_codes(self.request),
            facets=False,
            max_results=LIST_MAX_RESULTS,
        )
        result = _search(request, DatabaseBackend())
        links = Links(params, kept=("sort",))  # what the page reads (and its cache key holds)
        return super().get_context_data(
            products=_cards_in_order(result.product_ids),
            total=result.total,
            more=result.more,
            **_sorts_and_pages(links, request, result, LIST_SORT_LABELS),
            **kwargs,
        )


LIST_PARAMS = ("sort", "page")


@method_decorator(cached_page(LIST_PARAMS), name="get")
class CatalogueView(ProductListView):
    template_name = "oscar/catalogue/browse.html"


@method_decorator(cached_page(LIST_PARAMS), name="get")
class ProductCategoryView(ProductListView):
    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category.objects.browsable(), pk=kwargs["pk"])
        if request.path != self.category.get_absolute_url():
            return redirect(self.category.get_absolute_url(), permanent=True)
        # The index holds each product's categories with their ancestors: a category lists its
        # subcategories' products too.
        self.filters = {"category": [str(self.category.pk)]}
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


@method_decorator(cached_page(("q", "sort", "page", *FACETS)), name="get")
class ProductSearchView(TemplateView):
    """/search/?q=: results, facets as plain links (no JavaScript needed), sorting and pages."""

    template_name = "search/results.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        typed = params.get("q", "").strip()
        query = typed[: text.MAX_QUERY_LENGTH]
        request = SearchRequest(
            text=query,
            filters={name: params.getlist(name) for name in FACETS},
            sort=params.get("sort", "relevance"),
            page=_number(params.get("page")),
            per_page=settings.OSCAR_PRODUCTS_PER_PAGE,
            communes=_commune_codes(self.request),
        )
        links = Links(params)
        context = super().get_context_data(
            query=query,
            query_cut=len(typed) > text.MAX_QUERY_LENGTH,
            max_query=text.MAX_QUERY_LENGTH,
            season_chips=season_chips(request.filters, links),
            **kwargs,
        )
        if not query and not request.filters:
            return context
        result = _search(request)
        seen = {name: {value.value for value in values} for name, values in result.facets.items()}
        for name, chosen in request.filters.items():
            seen.setdefault(name, set()).update(chosen)
        named = labels(seen)
        products = _cards_in_order(result.product_ids)
        if not products:  # somewhere to go next: the categories the words name, the stalls here
            context["near_categories"] = _categories_near(query)
            context["stalls"] = _stalls_here(self.request)
        return {
            **context,
            "products": products,
            "total": result.total,
            "corrected": result.corrected,
            "relaxed": result.relaxed,
            "facet_groups": facet_groups(result.facets, links, named),
            "chosen": [
                {"label": label, "url": links.toggle(name, value)}
                for name, value, label in chosen_filters(request.filters, named)
            ],
            **_sorts_and_pages(links, request, result, SORT_LABELS),
            "deep": request.page == request.max_page and result.total > MAX_RESULTS,
        }


@require_GET
def suggest(request):
    """/search/suggest?q=: what the header search box proposes as the buyer types (JSON)."""
    query = request.GET.get("q", "")[: text.MAX_QUERY_LENGTH]
    suggestions = []
    if len(query.strip()) >= 2:
        suggestions = search_backend().suggest(query, communes=_commune_codes(request))
    response = JsonResponse(
        {
            "query": query,
            "suggestions": [
                {"text": item, "url": f"{reverse('search:search')}?{urlencode({'q': item})}"}
                for item in suggestions
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
    patch_cache_control(response, public=True, max_age=60)
    return response


def _sorts_and_pages(links: Links, request: SearchRequest, result: SearchResult, sort_labels) -> dict:
    """The sort links and the pagination of a list or search page (frontend/partials/sorts.html and
    pagination.html)."""
    pages = result.pages(request)
    return {
        "sorts": [
            {"label": label, "url": links.set("sort", key), "selected": key == request.sort}
            for key, label in sort_labels
        ],
        "page": request.page,
        "pages": pages,
        "previous_url": links.set("page", request.page - 1) if request.page > 1 else "",
        "next_url": links.set("page", request.page + 1) if request.page < pages else "",
    }


def _search(request: SearchRequest, backend=None) -> SearchResult:
    """The page asked for, or the last page when it is past the end (a link kept from a longer list)."""
    backend = backend or search_backend()
    result = backend.search(request)
    if request.page > result.pages(request) and result.total:
        request.page = result.pages(request)
        result = backend.search(request)
    return result


def _categories_near(query: str) -> list:
    """The categories whose names share a word (or a synonym of one) with the query, else the top
    ones: one query for the browsable categories (a few dozen)."""
    wanted = set()
    for unit in text.units(text.words(query)):
        for synonym in text.synonyms_of(unit):
            wanted.update(text.words(synonym))
    categories = list(Category.objects.browsable().order_by("path"))
    near = [category for category in categories if wanted & set(text.words(category.name))]
    top = [category for category in categories if category.depth == 1]
    return (near or top)[:NOTHING_FOUND_LINKS]


def _stalls_here(request) -> list[dict]:
    """The verified stalls of the storefront's communes (every commune on the platform's site), each
    with its public page, else a search for its name."""
    stalls = Stall.objects.verified().select_related("partner", "commune", "page")
    communes = _commune_codes(request)
    if communes is not None:
        stalls = stalls.filter(commune__code__in=communes)
    found = []
    for stall in stalls.order_by("commune__name", "partner__name")[:NOTHING_FOUND_LINKS]:
        page = getattr(stall, "page", None)
        url = page.get_url(request) if page is not None and page.live else None
        found.append(
            {
                "name": stall.name,
                "place": stall.commune.name,
                "url": url or f"{reverse('search:search')}?{urlencode({'q': stall.name})}",
            }
        )
    return found


def _commune_codes(request) -> list[int] | None:
    """The current storefront's communes (None on the platform's own site: everywhere)."""
    communes = current_communes(request)
    return None if communes is None else [commune.code for commune in communes]


def _number(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


def _cards_in_order(product_ids: list[int]) -> list:
    cards = {product.pk: product for product in product_cards().filter(pk__in=product_ids)}
    return [cards[pk] for pk in product_ids if pk in cards]
