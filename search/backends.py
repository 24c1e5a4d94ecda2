"""Product search behind one interface, served by an engine (Elasticsearch or OpenSearch) or by
PostgreSQL, with the same Vietnamese behaviour:

- "vai thieu", "vải thiều" and "VẢI THIỀU" are the same words, and đ = d;
- a mistyped word still finds its products ("vai thieuu");
- the names in ``data/synonyms.txt`` find each other ("lychee" finds "vải");
- facets count each facet's values under the other facets' choices; pages stop at MAX_RESULTS.

``SEARCH_URL`` unset: the database backend. Set: the engine, falling back to the database for a
while (and logging it) when the engine fails. Both are written on every change (see indexing.py).
"""

import logging
import math
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, TrigramSimilarity
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from elasticsearch.dsl import FacetedSearch, RangeFacet, Search, TermsFacet
from elasticsearch.dsl import Q as EQ
from elasticsearch.dsl.faceted_search_base import FacetedResponse
from elasticsearch.dsl.response import Response

from search import text
from search.documents import ProductDocument, index_body, suggest_inputs
from search.engines import Engine, EngineError, engine_for
from search.models import ProductEntry, SearchWord

logger = logging.getLogger(__name__)

MAX_RESULTS = 1000  # deepest result a page may show: beyond it, refine the search
SUGGESTIONS = 8
PRICE_RANGES = {  # whole đồng
    "0-100000": (None, 100_000),
    "100000-200000": (100_000, 200_000),
    "200000-500000": (200_000, 500_000),
    "500000-": (500_000, None),
}
SORTS = ("relevance", "price", "-price", "newest", "rating")
FACETS = ("category", "province", "commune", "stars", "certification", "price", "in_stock")


@dataclass
class SearchRequest:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 24
    communes: list[int] | None = None  # the storefront's communes (codes); None: everywhere

    def __post_init__(self):
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
        return math.ceil(MAX_RESULTS / self.per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


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

    def pages(self, request: SearchRequest) -> int:
        return max(1, min(math.ceil(self.total / request.per_page), request.max_page))


# ---------------------------------------------------------------------------- the engine


def _text_query(words: str):
    fields = [
        "title^4",
        "stalls^2",
        "categories^2",
        "commune_names",
        "province_names",
        "description^0.5",
    ]
    return EQ(
        "bool",
        should=[
            # Synonyms apply here (the fields' search analyzer)...
            EQ("multi_match", query=words, fields=fields, operator="and", type="cross_fields"),
            # ...typos here: fuzzy matching cannot combine with multi-word synonyms.
            EQ(
                "multi_match",
                query=words,
                fields=fields,
                operator="and",
                fuzziness="AUTO:4,7",
                prefix_length=1,
                analyzer="vi_folded",
                boost=0.5,
            ),
            # Prefixes of the last word, typed as you search.
            EQ("match", **{"title.prefix": {"query": words, "operator": "and", "boost": 0.3}}),
            # The words as written, diacritics included, rank first.
            EQ("match_phrase", **{"title.exact": {"query": words, "boost": 3}}),
        ],
        minimum_should_match=1,
    )


class ProductFacetedSearch(FacetedSearch):
    doc_types = [ProductDocument]
    facets = {
        "category": TermsFacet(field="category_ids", size=60),
        "province": TermsFacet(field="provinces", size=40),
        "commune": TermsFacet(field="communes", size=60),
        "stars": TermsFacet(field="ocop_stars", size=5),
        "certification": TermsFacet(field="certifications", size=10),
        "price": RangeFacet(field="price", ranges=list(PRICE_RANGES.items())),
        "in_stock": TermsFacet(field="in_stock", size=2),
    }
    _sorts = {
        "relevance": ["_score", "-popularity", "title.sort"],
        "price": ["price", "title.sort"],
        "-price": ["-price", "title.sort"],
        "newest": ["-created", "title.sort"],
        "rating": [{"rating": {"order": "desc", "missing": "_last"}}, "-popularity"],
    }

    def __init__(self, request: SearchRequest, index: str):
        self.index = index
        self.request = request
        sort = self._sorts[request.sort]
        if request.sort == "relevance" and not request.text:
            sort = ["-is_featured", "-popularity", "title.sort"]
        super().__init__(request.text or None, dict(request.filters), sort)
        self._s = self._s[request.offset : request.offset + request.per_page].source(False)

    def search(self):
        search = super().search()
        if self.request.communes is not None:
            search = search.filter("terms", communes=[str(code) for code in self.request.communes])
        return search.extra(track_total_hits=True)

    def query(self, search, query):
        return search.query(_text_query(query)) if query else search

    def highlight(self, search):
        return search

    def body(self) -> dict:
        return self._s.to_dict()

    def response(self, raw: dict) -> FacetedResponse:
        response = FacetedResponse(self._s, raw)
        response._faceted_search = self
        return response


class EngineBackend:
    name = "engine"

    def __init__(self, engine: Engine, alias: str):
        self.engine = engine
        self.alias = alias
        self.name = engine.kind

    # Reads --------------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        faceted = ProductFacetedSearch(request, self.alias)
        response = faceted.response(self.engine.search(self.alias, faceted.body()))
        facets = {}
        for name, values in response.facets.to_dict().items():
            chosen = request.filters.get(name, [])
            facets[name] = [
                FacetValue(key, count, key in chosen)
                for key, count in ((_facet_key(value), count) for value, count, _selected in values)
                if count or key in chosen
            ]
        return SearchResult(
            product_ids=[int(hit.meta.id) for hit in response],
            total=response.hits.total.value,
            facets=facets,
            backend=self.name,
        )

    def suggest(self, prefix: str, *, communes: list[int] | None = None) -> list[str]:
        prefix = prefix[: text.MAX_QUERY_LENGTH].strip()
        if not prefix:
            return []
        scope = ["all"] if communes is None else [str(code) for code in communes] or ["none"]
        search = Search().source(["title", "stalls"])
        for suggester in ("suggest", "suggest_stall"):
            completion = {"field": suggester, "size": SUGGESTIONS, "skip_duplicates": True}
            completion["contexts"] = {"commune": scope}
            if len(prefix) >= 4:
                completion["fuzzy"] = {"fuzziness": 1, "prefix_length": 2}
            search = search.suggest(suggester, prefix, completion=completion)
        response = Response(search, self.engine.search(self.alias, search.to_dict()))
        typed = text.words(prefix)
        found = []
        for option in response.suggest.suggest[0].options:
            found.append(option._source.title)
        for option in response.suggest.suggest_stall[0].options:
            # The matched input is part of a stall's name: show the whole name.
            matched = text.fold(option.text)
            found.extend(name for name in option._source.stalls if matched in text.fold(name))
        found = [name for name in found if _starts_words(name, typed)]
        return list(dict.fromkeys(found))[:SUGGESTIONS]

    # Writes -------------------------------------------------------------------------------------

    def _actions(self, documents, index: str):
        for document in documents:
            contexts = {"commune": [*document["communes"], "all"]}
            source = {
                **document,
                "suggest": {"input": suggest_inputs(document["title"]), "contexts": contexts},
                "suggest_stall": {"input": suggest_inputs(*document["stalls"]), "contexts": contexts},
            }
            if not source["location"]:
                del source["location"]
            yield {"_op_type": "index", "_index": index, "_id": document["id"], "_source": source}

    def index(self, documents: list[dict]) -> None:
        if documents:
            self.engine.bulk(self._actions(documents, self.alias))

    def remove(self, product_ids) -> None:
        actions = [{"_op_type": "delete", "_index": self.alias, "_id": pk} for pk in product_ids]
        if actions:
            self.engine.bulk(actions, raise_on_error=False)  # already gone is fine

    def rebuild(self, documents, *, progress=None) -> int:
        """Into a new index, then the alias moves to it at once: search keeps working meanwhile."""
        index = f"{self.alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        body = index_body()
        live = body["settings"]["refresh_interval"]
        # No refreshes while bulk-loading a fresh index that nobody searches yet.
        self.engine.create_index(index, {**body, "settings": {**body["settings"], "refresh_interval": "-1"}})
        try:
            count = 0

            def counted():
                nonlocal count
                for document in documents:
                    count += 1
                    if progress and count % 500 == 0:
                        progress(count)
                    yield document

            self.engine.bulk(self._actions(counted(), index))
            self.engine.call("indices.put_settings", index=index, body={"index": {"refresh_interval": live}})
            self.engine.refresh(index)
            for old in self.engine.point_alias(self.alias, index):
                self.engine.delete_index(old)
        except Exception:
            self.engine.delete_index(index)
            raise
        if progress:
            progress(count)
        return count

    def ensure_index(self) -> None:
        if not self.engine.indices_of(self.alias):
            self.rebuild([])

    def drop(self) -> None:
        for index in self.engine.indices_of(self.alias):
            self.engine.delete_index(index)

    def refresh(self) -> None:
        self.engine.refresh(self.alias)


def _facet_key(value) -> str:
    """Facet values as the URL carries them: "4", "true", "100000-200000"."""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _starts_words(candidate: str, prefix_words: list[str]) -> bool:
    """Every word typed starts a word of the candidate (the last may be half-typed)."""
    candidate_words = re.findall(r"\w+", text.fold(candidate))
    return all(any(word.startswith(typed) for word in candidate_words) for typed in prefix_words)


# ---------------------------------------------------------------------------- PostgreSQL


class DatabaseBackend:
    """PostgreSQL: full-text search over the folded text (a generated tsvector under a GIN index),
    typos corrected against the index's words with pg_trgm, facets counted in one statement."""

    name = "database"

    # Reads --------------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        entries = ProductEntry.objects.all()
        if request.communes is not None:
            entries = entries.filter(communes__overlap=request.communes)
        words, corrected = self._correct(text.words(request.text))
        tsquery = self._tsquery(words, prefix_last=True)
        if tsquery:
            entries = entries.filter(document=SearchQuery(tsquery, search_type="raw", config="simple"))
        chosen = {name: self._filter(name, values) for name, values in request.filters.items()}
        ordered = entries.filter(*chosen.values()).order_by(*self._order(request))
        page = ordered.values_list("product_id", flat=True)[
            request.offset : request.offset + request.per_page
        ]
        total, facets = self._count(entries, chosen, request.filters)
        return SearchResult(
            product_ids=list(page),
            total=total,
            facets=facets,
            backend=self.name,
            corrected=" ".join(words) if corrected else "",
        )

    @staticmethod
    def _tsquery(words: list[str], *, prefix_last: bool) -> str:
        """'vai thieu luc' -> '(vai <-> thieu | vai | lychee | litchi) & (luc | luc:*)': each word or
        phrase of the synonyms file with its synonyms; the last word also as a prefix (typed on)."""
        units = text.units(words)
        parts = []
        for position, unit in enumerate(units):
            alternatives = []
            for synonym in text.synonyms_of(unit):
                tokens = re.findall(r"[^\W_]+", synonym)
                if tokens:
                    alternatives.append(" <-> ".join(tokens))
            if prefix_last and position == len(units) - 1 and re.fullmatch(r"[^\W_]+", unit):
                alternatives.append(f"{unit}:*")
            if alternatives:
                parts.append("(" + " | ".join(dict.fromkeys(alternatives)) + ")")
        return " & ".join(parts)

    @staticmethod
    def _correct(words: list[str]) -> tuple[list[str], bool]:
        """A word that starts no indexed word (and has no synonym) becomes the nearest indexed one."""
        corrected = False
        result = []
        for word in words:
            if (
                len(word) >= 4
                and text.synonyms_of(word) == (word,)
                and not SearchWord.objects.filter(word__startswith=word).exists()
            ):
                nearest = (
                    SearchWord.objects.filter(word__trigram_similar=word)
                    .annotate(similarity=TrigramSimilarity("word", word))
                    .order_by("-similarity", "word")
                    .values_list("word", flat=True)
                    .first()
                )
                if nearest:
                    word, corrected = nearest, True
            result.append(word)
        return result, corrected

    @staticmethod
    def _filter(name: str, values: list[str]) -> Q:
        if name == "price":
            ranges = Q()
            for value in values:
                low, high = PRICE_RANGES.get(value, (0, 0))
                bounds = Q()
                if low is not None:
                    bounds &= Q(price__gte=low)
                if high is not None:
                    bounds &= Q(price__lt=high)
                ranges |= bounds
            return ranges
        if name == "in_stock":
            return Q(in_stock=any(value in ("true", "1") for value in values))
        if name == "stars":
            return Q(ocop_stars__in=[int(v) for v in values if v.isdigit()])
        column = {"category": "categories", "province": "provinces", "commune": "communes"}.get(name)
        if column:
            return Q(**{f"{column}__overlap": [int(v) for v in values if v.isdigit()]})
        return Q(certifications__overlap=values)

    @staticmethod
    def _order(request: SearchRequest) -> list:
        return {
            "relevance": ["-is_featured", "-popularity", "title"],
            "price": ["price", "title"],
            "-price": ["-price", "title"],
            "newest": ["-created", "title"],
            "rating": [F("rating").desc(nulls_last=True), "-popularity"],
        }[request.sort]

    @staticmethod
    def _where(q: Q) -> tuple[str, list]:
        """The SQL condition of ``q`` on the entries table (read from the CTE under the same name)."""
        if not q:
            return "TRUE", []
        query = ProductEntry.objects.filter(q).query
        try:
            sql, params = query.get_compiler(using="default").compile(query.where)
        except EmptyResultSet:
            return "FALSE", []
        return sql or "TRUE", list(params)

    def _count(self, entries, chosen: dict[str, Q], selected: dict[str, list[str]]):
        """The total and every facet's counts in one statement: the matching entries are read once
        (a materialized CTE), each facet counted under the other facets' choices."""
        table = ProductEntry._meta.db_table
        columns = ["communes", "provinces", "categories", "certifications", "ocop_stars", "in_stock", "price"]
        base_sql, base_params = entries.values(*columns).query.sql_with_params()
        parts, params = [], list(base_params)

        def where(excluded: str | None) -> str:
            clauses = []
            for name, q in chosen.items():
                if name != excluded:
                    sql, clause_params = self._where(q)
                    clauses.append(f"({sql})")
                    params.extend(clause_params)
            return " AND ".join(clauses) or "TRUE"

        # Everything spliced into this SQL comes from this code (names, columns, compiled conditions);
        # every value is a parameter.
        entry = f"base AS {table}"
        parts.append(f"SELECT 'total', '', COUNT(*) FROM {entry} WHERE {where(None)}")  # noqa: S608
        arrays = {"category": "categories", "province": "provinces", "commune": "communes"}
        for name, column in {**arrays, "certification": "certifications"}.items():
            values = f"{entry}, unnest({table}.{column}) AS value"
            condition = where(name)
            parts.append(f"SELECT '{name}', value::text, COUNT(*) FROM {values} WHERE {condition} GROUP BY 2")  # noqa: S608
        stars = f"ocop_stars IS NOT NULL AND {where('stars')}"
        parts.append(f"SELECT 'stars', ocop_stars::text, COUNT(*) FROM {entry} WHERE {stars} GROUP BY 2")  # noqa: S608
        stock = where("in_stock")
        parts.append(f"SELECT 'in_stock', in_stock::text, COUNT(*) FROM {entry} WHERE {stock} GROUP BY 2")  # noqa: S608
        buckets = ", ".join(
            f"('{key}', {low or 0}, {high or 'NULL'})" for key, (low, high) in PRICE_RANGES.items()
        )
        priced = f"{entry}, (VALUES {buckets}) AS bucket(key, low, high)"
        in_bucket = (
            f"price >= bucket.low AND (bucket.high IS NULL OR price < bucket.high) AND {where('price')}"
        )
        parts.append(f"SELECT 'price', bucket.key, COUNT(*) FROM {priced} WHERE {in_bucket} GROUP BY 2")  # noqa: S608
        sql = f"WITH base AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(parts)  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        total = 0
        counts: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
        for name, value, count in rows:
            if name == "total":
                total = count
            else:
                counts[name].append((value, count))
        facets = {}
        for name, values in counts.items():
            chosen_values = selected.get(name, [])
            if name == "price":
                order = list(PRICE_RANGES)
                values.sort(key=lambda pair: order.index(pair[0]))
            else:
                values.sort(key=lambda pair: (-pair[1], pair[0]))
            present = {value for value, _count in values}
            values += [(value, 0) for value in chosen_values if value not in present]
            facets[name] = [FacetValue(value, count, value in chosen_values) for value, count in values]
        return total, facets

    def suggest(self, prefix: str, *, communes: list[int] | None = None) -> list[str]:
        typed = text.words(prefix)
        if not typed:
            return []
        entries = ProductEntry.objects.all()
        if communes is not None:
            entries = entries.filter(communes__overlap=communes)
        tsquery = " & ".join(f"{word}:*" for word in typed if re.fullmatch(r"[^\W_]+", word))
        if not tsquery:
            return []
        entries = entries.filter(document=SearchQuery(tsquery, search_type="raw", config="simple"))
        found = []
        candidates = entries.order_by("-popularity", "title").values_list("suggestions", flat=True)[:40]
        for suggestions in candidates:
            found.extend(candidate for candidate in suggestions if _starts_words(candidate, typed))
        return list(dict.fromkeys(found))[:SUGGESTIONS]

    # Writes -------------------------------------------------------------------------------------

    @staticmethod
    def _entry(document: dict) -> ProductEntry:
        searchable = " ".join(
            [
                document["title"],
                *document["stalls"],
                *document["categories"],
                *document["commune_names"],
                *document["province_names"],
                document["description"],
            ]
        )
        return ProductEntry(
            product_id=document["id"],
            title=document["title"],
            title_folded=text.fold(document["title"]),
            text_folded=text.fold(searchable),
            categories=[int(pk) for pk in document["category_ids"]],
            communes=[int(code) for code in document["communes"]],
            provinces=[int(code) for code in document["provinces"]],
            ocop_stars=document["ocop_stars"],
            certifications=document["certifications"],
            price=document["price"],
            in_stock=document["in_stock"],
            season_months=document["season_months"],
            rating=document["rating"],
            popularity=document["popularity"],
            is_featured=document["is_featured"],
            created=document["created"],
            suggestions=[document["title"], *document["stalls"]],
        )

    def index(self, documents: list[dict]) -> None:
        entries = [self._entry(document) for document in documents]
        if not entries:
            return
        fields = [f.name for f in ProductEntry._meta.concrete_fields if not (f.primary_key or f.generated)]
        with transaction.atomic():
            ProductEntry.objects.bulk_create(
                entries, update_conflicts=True, unique_fields=["product_id"], update_fields=fields
            )
            self._learn_words(entries)

    @staticmethod
    def _learn_words(entries: list[ProductEntry]) -> None:
        vocabulary = {word for entry in entries for word in re.findall(r"\w{3,60}", entry.text_folded)}
        SearchWord.objects.bulk_create(
            [SearchWord(word=word) for word in sorted(vocabulary)], ignore_conflicts=True, batch_size=2000
        )

    def remove(self, product_ids) -> None:
        ProductEntry.objects.filter(product_id__in=list(product_ids)).delete()

    def rebuild(self, documents, *, progress=None) -> int:
        """In one transaction: searches see the old entries until the new ones are all in."""
        count = 0
        with transaction.atomic():
            ProductEntry.objects.all().delete()
            batch = []
            for document in documents:
                batch.append(document)
                if len(batch) == 1000:
                    self.index(batch)
                    count += len(batch)
                    batch = []
                    if progress:
                        progress(count)
            self.index(batch)
            count += len(batch)
        if progress:
            progress(count)
        return count


# ---------------------------------------------------------------------------- choosing


class FallbackBackend:
    """The engine, or the database for RETRY_AFTER seconds after the engine failed (logged)."""

    RETRY_AFTER = 30
    _failed_at: dict[str, float] = {}

    def __init__(self, engine_backend: EngineBackend, database: DatabaseBackend):
        self.engine = engine_backend
        self.database = database
        self.name = engine_backend.name

    def _use(self, method: str, *args, **kwargs):
        key = self.engine.engine.url
        if time.monotonic() - self._failed_at.get(key, -math.inf) > self.RETRY_AFTER:
            try:
                return getattr(self.engine, method)(*args, **kwargs)
            except EngineError as error:
                if error.unavailable:  # down or failing: spare it (and the buyers' time) for a while
                    self._failed_at[key] = time.monotonic()
                    logger.error(
                        "Search engine failed, using the database for %ss: %s", self.RETRY_AFTER, error
                    )
                else:  # this request was refused: the database answers it, the engine stays in use
                    logger.error("Search engine refused a request, the database answered it: %s", error)
        return getattr(self.database, method)(*args, **kwargs)

    def search(self, request: SearchRequest) -> SearchResult:
        return self._use("search", request)

    def suggest(self, prefix: str, *, communes=None) -> list[str]:
        return self._use("suggest", prefix, communes=communes)


_engines: dict[str, Engine] = {}


def engine_backend(url: str | None = None, alias: str | None = None) -> EngineBackend | None:
    url = settings.SEARCH_URL if url is None else url
    if not url:
        return None
    if url not in _engines:
        _engines[url] = engine_for(url)
    return EngineBackend(_engines[url], alias or settings.SEARCH_INDEX)


def search_backend():
    """What serves searches: the engine with the database behind it, or the database alone."""
    try:
        engine = engine_backend()
    except EngineError as error:
        logger.error("Search engine unavailable, using the database: %s", error)
        engine = None
    return FallbackBackend(engine, DatabaseBackend()) if engine else DatabaseBackend()
