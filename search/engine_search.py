"""Product search on the engine (Elasticsearch or OpenSearch) through elasticsearch.dsl: the query,
facets and sorts, completion suggestions, and index writes and rebuilds behind an alias."""

from datetime import date

from django.utils import timezone
from elasticsearch.dsl import FacetedSearch, RangeFacet, Search, TermsFacet
from elasticsearch.dsl import Q as EQ
from elasticsearch.dsl.faceted_search_base import FacetedResponse
from elasticsearch.dsl.response import Response

from search import text
from search.documents import ProductDocument, index_body, suggest_inputs
from search.engines import Engine
from search.requests import (
    MATCH_ALL,
    MATCH_MOST,
    PRICE_RANGES,
    RATING_LEVELS,
    SUGGESTIONS,
    FacetValue,
    SearchRequest,
    SearchResult,
    relaxing,
)

# What each level of SearchRequest.relax asks of the words (minimum_should_match of an "or" query).
MINIMUM_SHOULD_MATCH = {MATCH_MOST: "75%"}


def _text_query(words: str, relax: int = MATCH_ALL):
    """Every word (``operator: and``), or, relaxed, most of them or any one (``minimum_should_match``)."""
    fields = [
        "title^4",
        "stalls^2",
        "categories^2",
        "commune_names",
        "province_names",
        "description^0.5",
    ]
    if relax == MATCH_ALL:
        matching = {"operator": "and"}
    else:  # close matches: names with most (or some) of the words, as the database finds them
        matching = {"operator": "or", "minimum_should_match": MINIMUM_SHOULD_MATCH.get(relax, "1")}
        fields = ["title"]
    return EQ(
        "bool",
        should=[
            # Synonyms apply here (the fields' search analyzer)...
            EQ("multi_match", query=words, fields=fields, type="cross_fields", **matching),
            # ...typos here: fuzzy matching cannot combine with multi-word synonyms.
            EQ(
                "multi_match",
                query=words,
                fields=fields,
                fuzziness="AUTO:4,7",
                prefix_length=1,
                analyzer="vi_folded",
                boost=0.5,
                **matching,
            ),
            # Prefixes of the last word, typed as you search.
            EQ("match", **{"title.prefix": {"query": words, "boost": 0.3, **matching}}),
            # The words as written, diacritics included, rank first.
            EQ("match_phrase", **{"title.exact": {"query": words, "boost": 3}}),
        ],
        minimum_should_match=1,
    )


def _season_query(seasons: list[str], today: date):
    """Harvested this month, or open for pre-orders today (either, when both are chosen)."""
    chosen = {
        "now": EQ("term", season_months=today.month),
        "preorder": EQ("term", preorder=today.isoformat()),  # a day inside one of its windows
    }
    return EQ("bool", should=[chosen[season] for season in seasons], minimum_should_match=1)


class ProductFacetedSearch(FacetedSearch):
    doc_types = [ProductDocument]
    facets = {
        "category": TermsFacet(field="category_ids", size=60),
        "province": TermsFacet(field="provinces", size=40),
        "commune": TermsFacet(field="communes", size=60),
        "stars": TermsFacet(field="ocop_stars", size=5),
        # "4 stars and up": overlapping ranges, as the database counts them (search/facet_keys.py).
        "rating": RangeFacet(field="rating", ranges=[(level, (int(level), None)) for level in RATING_LEVELS]),
        "certification": TermsFacet(field="certifications", size=10),
        "price": RangeFacet(field="price", ranges=list(PRICE_RANGES.items())),
        "in_stock": TermsFacet(field="in_stock", size=2),
    }
    _sorts = {
        "relevance": ["_score", "-popularity", "title.sort"],
        "price": ["price", "title.sort"],
        "-price": ["-price", "title.sort"],
        "newest": ["-created", "title.sort"],
        "rating": [{"rating": {"order": "desc", "missing": "_last"}}, "-rating_count", "-popularity"],
    }

    def __init__(self, request: SearchRequest, index: str):
        self.index = index
        self.request = request
        sort = self._sorts[request.sort]
        if request.sort == "relevance" and not request.text:
            sort = ["-is_featured", "-popularity", "title.sort"]
        counted = {name: values for name, values in request.filters.items() if name in self.facets}
        super().__init__(request.text or None, counted, sort)
        self._s = self._s[request.offset : request.limit].source(False)

    def search(self):
        search = super().search()
        if self.request.communes is not None:
            search = search.filter("terms", communes=[str(code) for code in self.request.communes])
        if seasons := self.request.filters.get("season"):
            search = search.filter(_season_query(seasons, self.request.today))
        # A list counts no further than it may show; a search counts every hit (its facets do anyway).
        return search.extra(track_total_hits=True if self.request.facets else self.request.max_results)

    def aggregate(self, search):
        if self.request.facets:
            super().aggregate(search)

    def query(self, search, query):
        return search.query(_text_query(query, self.request.relax)) if query else search

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
        return relaxing(self._search, request, len(text.words(request.text)))

    def _search(self, request: SearchRequest) -> SearchResult:
        faceted = ProductFacetedSearch(request, self.alias)
        response = faceted.response(self.engine.search(self.alias, faceted.body()))
        facets = {}
        for name, values in response.facets.to_dict().items() if request.facets else ():
            chosen = request.filters.get(name, [])
            facets[name] = [
                FacetValue(key, count, key in chosen)
                for key, count in ((_facet_key(value), count) for value, count, _selected in values)
                if count or key in chosen
            ]
        hits = response.hits.total
        more = not request.facets and (hits.relation == "gte" or hits.value > request.max_results)
        return SearchResult(
            product_ids=[int(hit.meta.id) for hit in response],
            total=min(hits.value, request.max_results) if more else hits.value,
            facets=facets,
            backend=self.name,
            more=more,
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
        found = [name for name in found if text.starts_words(name, typed)]
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

    # Both return once searches see the change: the cached pages are renewed right after
    # (ground.page_cache), and must not be rendered again from the engine's previous state.
    def index(self, documents: list[dict]) -> None:
        if documents:
            self.engine.bulk(self._actions(documents, self.alias), refresh="wait_for")

    def remove(self, product_ids) -> None:
        actions = [{"_op_type": "delete", "_index": self.alias, "_id": pk} for pk in product_ids]
        if actions:  # already gone is fine
            self.engine.bulk(actions, raise_on_error=False, refresh="wait_for")

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
