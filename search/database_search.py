"""Product search in PostgreSQL: full-text search over the ProductEntry table, typos corrected
with pg_trgm, facets counted in one statement, and the table's writes and rebuilds."""

import functools
import operator
import re
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramSimilarity
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import BooleanField, Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL

from search import text
from search.facet_keys import FACET_CODES, facet_keys, facet_rows, key_range
from search.models import ProductEntry, SearchWord
from search.requests import (
    FACETS,
    MATCH_ALL,
    PRICE_RANGES,
    RATING_LEVELS,
    SUGGESTIONS,
    FacetValue,
    SearchRequest,
    SearchResult,
    relaxing,
    words_needed,
)


class DatabaseBackend:
    """PostgreSQL: full-text search over the folded text (a generated tsvector under a GIN index),
    typos corrected against the index's words with pg_trgm, facets counted in one statement."""

    name = "database"

    # Reads --------------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        words, corrected = self._correct(text.words(request.text))
        parts = self._tsquery_parts(words, prefix_last=True)
        return relaxing(lambda each: self._search(each, parts, words, corrected), request, len(parts))

    def _search(self, request: SearchRequest, parts: list[str], words: list[str], corrected: bool):
        entries = ProductEntry.objects.all()
        if request.communes is not None:
            entries = entries.filter(communes__overlap=request.communes)
        order = self._order(request)
        if parts and request.relax == MATCH_ALL:
            entries = entries.filter(document=self._query(" & ".join(parts)))
        elif parts:
            # Close matches: products whose name has most (or some) of the words; a word found only in
            # a stall's or a place's name ("xanh" of "HTX Đồng Cốc Xanh") makes no close match. The
            # index finds those with any word, then each one's name is read.
            matched = sum(
                (Case(When(name=self._query(part), then=Value(1)), default=Value(0)) for part in parts),
                start=Value(0, output_field=IntegerField()),
            )
            entries = (
                entries.filter(document=self._query(" | ".join(parts)))
                .alias(name=SearchVector("title_folded", config="simple"))
                .alias(matched=matched)
                .filter(matched__gte=words_needed(request.relax, len(parts)))
            )
            if request.sort == "relevance":
                order = [F("matched").desc(), *order]
        chosen = {name: self._filter(name, values, request.today) for name, values in request.filters.items()}
        matching = entries.filter(*chosen.values())
        ordered = matching.order_by(*order)
        page = ordered.values_list("product_id", flat=True)[request.offset : request.limit]
        if request.facets:
            total, facets = self._count(entries, chosen, request.filters)
            more = False
        else:  # a list: count no further than it may show (the first rows of an index scan)
            facets = {}
            counted = matching.values("pk")[: request.max_results + 1].count()
            total, more = min(counted, request.max_results), counted > request.max_results
        return SearchResult(
            product_ids=list(page),
            total=total,
            facets=facets,
            backend=self.name,
            corrected=" ".join(words) if corrected else "",
            more=more,
        )

    @staticmethod
    def _query(tsquery: str) -> SearchQuery:
        return SearchQuery(tsquery, search_type="raw", config="simple")

    @staticmethod
    def _tsquery_parts(words: list[str], *, prefix_last: bool) -> list[str]:
        """'vai thieu luc' -> ['(vai <-> thieu | vai | lychee | litchi)', '(luc | luc:*)']: each word or
        phrase of the synonyms file with its synonyms; the last word also as a prefix (typed on). A
        product matches all of them (joined by &), or, relaxed, some of them."""
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
        return list(dict.fromkeys(parts))

    @staticmethod
    def _correct(words: list[str]) -> tuple[list[str], bool]:
        """A word that starts no indexed word (and has no synonym) becomes the nearest indexed one,
        unless it is a Vietnamese syllable as typed: "sanh" in "cam sanh" is no typo of "san" (sản),
        it is a kind of orange nobody sells yet (close matches show the other oranges)."""
        corrected = False
        result = []
        for word in words:
            if (
                len(word) >= 4
                and not text.is_syllable(word)
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
    def _filter(name: str, values: list[str], today: date) -> Q:
        if name == "season":  # harvested this month, or today inside one of its pre-order windows
            table = ProductEntry._meta.db_table
            chosen = {
                "now": Q(season_months__contains=[today.month]),
                "preorder": Q(  # the table's own name spliced in; the date is a parameter
                    RawSQL(f'%s::date <@ ANY("{table}"."preorder")', [today], output_field=BooleanField())  # noqa: S611
                ),
            }
            return functools.reduce(operator.or_, (chosen[value] for value in values))
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
        if name == "rating":  # "4 stars and up": the lowest level chosen includes the others
            return Q(rating__gte=min(int(v) for v in values), rating_count__gt=0)
        column = {"category": "categories", "province": "provinces", "commune": "communes"}.get(name)
        if column:
            return Q(**{f"{column}__overlap": [int(v) for v in values if v.isdigit()]})
        return Q(certifications__overlap=values)

    @staticmethod
    def _order(request: SearchRequest) -> list:
        """Each sort ends on the id, so that pages never repeat or skip a product; each has its index
        (search/models.py)."""
        return {
            "relevance": ["-is_featured", "-popularity", "title", "product_id"],
            "price": ["price", "title", "product_id"],
            "-price": ["-price", "title", "product_id"],
            "newest": ["-created", "title", "product_id"],
            "rating": [
                F("rating").desc(nulls_last=True),
                "-rating_count",
                "-popularity",
                "product_id",
            ],
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
        """The total and every facet's counts in one statement (see ``_count_sql``)."""
        sql, params = self._count_sql(entries, chosen)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return self._facet_counts(facet_rows(rows, chosen), selected)

    def _count_sql(self, entries, chosen: dict[str, Q]) -> tuple[str, list]:
        """The matching entries are read once (a materialized CTE) and their ``facet_keys`` counted in
        one pass under every choice: the total and all facets nobody chose. A chosen facet is counted
        again, its own keys only, under the other facets' choices (so that its other values show
        what choosing them instead would give)."""
        table = ProductEntry._meta.db_table
        columns = ["facet_keys"]
        if chosen:  # what the choices' conditions read
            columns += [
                "communes",
                "provinces",
                "categories",
                "certifications",
                "ocop_stars",
                "rating",
                "rating_count",
                "in_stock",
                "price",
                "season_months",
                "preorder",
            ]
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
        keys = f"SELECT unnest({table}.facet_keys) AS key FROM base AS {table}"  # noqa: S608
        parts.append(f"SELECT '', key, COUNT(*) FROM ({keys} WHERE {where(None)}) s GROUP BY key")  # noqa: S608
        for name in [name for name in chosen if name in FACET_CODES]:  # the season is never counted
            low, high = key_range(name)
            condition = where(name)
            parts.append(
                f"SELECT '{name}', key, COUNT(*) FROM ({keys} WHERE {condition}) s "  # noqa: S608
                f"WHERE key >= {low} AND key < {high} GROUP BY key"
            )
        sql = f"WITH base AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(parts)  # noqa: S608
        return sql, params

    @staticmethod
    def _facet_counts(rows, selected: dict[str, list[str]]) -> tuple[int, dict[str, list[FacetValue]]]:
        """The total and each facet's values from the statement's rows: chosen values stay listed
        (with 0), price ranges in their own order, other values by count."""
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
            if name in ("price", "rating"):  # in their own order: cheapest first, best rated first
                order = list(PRICE_RANGES if name == "price" else RATING_LEVELS)
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
            found.extend(candidate for candidate in suggestions if text.starts_words(candidate, typed))
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
            preorder=[
                DateRange(date.fromisoformat(window["gte"]), date.fromisoformat(window["lte"]), "[]")
                for window in document.get("preorder", ())
            ],
            rating=document["rating"],
            rating_count=document.get("rating_count") or 0,
            popularity=document["popularity"],
            is_featured=document["is_featured"],
            created=document["created"],
            suggestions=[document["title"], *document["stalls"]],
            facet_keys=facet_keys(document),
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
