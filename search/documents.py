"""The product document: its mapping for the engine (elasticsearch.dsl) and how it is built from
PostgreSQL, the source of truth. Both backends index the same plain-dict documents."""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.html import strip_tags
from elasticsearch.dsl import (
    Boolean,
    Completion,
    Date,
    DateRange,
    Document,
    Float,
    GeoPoint,
    Integer,
    Keyword,
    Text,
    analyzer,
    token_filter,
)
from oscar.core.loading import get_model

from search.text import folded_synonym_rules
from sellers.models import Stall
from traceability.models import Certification

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
StockRecord = get_model("partner", "StockRecord")
Line = get_model("order", "Line")

BATCH = 500

# Index time: words folded (asciifolding also maps đ to d). Search time: the same, then synonyms.
# Synonyms only at search time, so the synonyms file can change without reindexing.
vi_synonyms = token_filter("vi_synonyms", "synonym_graph", synonyms=list(folded_synonym_rules()))
vi_folded = analyzer("vi_folded", tokenizer="standard", filter=["lowercase", "asciifolding"])
vi_search = analyzer("vi_search", tokenizer="standard", filter=["lowercase", "asciifolding", vi_synonyms])
# The words as written (diacritics kept): an exact "vải" ranks above "vai".
vi_exact = analyzer("vi_exact", tokenizer="standard", filter=["lowercase"])
vi_edge = token_filter("vi_edge", "edge_ngram", min_gram=1, max_gram=20)
vi_prefix = analyzer("vi_prefix", tokenizer="standard", filter=["lowercase", "asciifolding", vi_edge])
# Suggestions: the whole input folded, matched from its start.
vi_keyword = analyzer("vi_keyword", tokenizer="keyword", filter=["lowercase", "asciifolding"])


def _text(**kwargs) -> Text:
    return Text(analyzer=vi_folded, search_analyzer=vi_search, **kwargs)


class ProductDocument(Document):
    title = _text(
        fields={
            "exact": Text(analyzer=vi_exact),
            "prefix": Text(analyzer=vi_prefix, search_analyzer=vi_folded),
            "sort": Keyword(),
        }
    )
    description = _text()
    categories = _text()
    category_ids = Keyword()
    stalls = _text(fields={"prefix": Text(analyzer=vi_prefix, search_analyzer=vi_folded)})
    stall_ids = Keyword()
    communes = Keyword()
    commune_names = _text()
    provinces = Keyword()
    province_names = _text()
    ocop_stars = Integer()
    certifications = Keyword()
    price = Integer()
    in_stock = Boolean()
    season_months = Integer()
    # The days of its sale windows still to come or open (Product.preorder_windows): "pre-order now" is
    # a term query on today's date, so a window stops matching on the day after it closes, unsaved.
    preorder = DateRange(format="yyyy-MM-dd")
    rating = Float()  # buyers' average of the visible reviews (Product.rating), None without any
    rating_count = Integer()
    popularity = Integer()
    is_featured = Boolean()
    created = Date()
    location = GeoPoint()
    # Two suggesters, because each returns a document once, with its best input: titles, stalls.
    # Contexts: the storefront's communes, or "all" (OpenSearch requires a context in every query).
    suggest = Completion(
        analyzer=vi_keyword, max_input_length=60, contexts=[{"name": "commune", "type": "category"}]
    )
    suggest_stall = Completion(
        analyzer=vi_keyword, max_input_length=60, contexts=[{"name": "commune", "type": "category"}]
    )

    class Index:
        settings = {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"}


def index_body() -> dict:
    """Settings and mappings of a new physical index (the alias points at one of them)."""
    return ProductDocument._index.to_dict()


def suggest_inputs(*names: str) -> list[str]:
    """Each name from each of its first words, so that typing "thiều Lục" suggests "Vải thiều Lục Ngạn"."""
    inputs = []
    for name in names:
        words = name.split()
        inputs.extend(" ".join(words[i:]) for i in range(min(len(words), 4)))
    return list(dict.fromkeys(inputs))


def _categories_with_ancestors() -> dict[int, list]:
    """Each category with its ancestors (the tree is small: one query for all of it)."""
    by_path = {category.path: category for category in Category.objects.only("id", "name", "path", "depth")}
    step = Category.steplen
    return {
        category.id: [by_path[category.path[:end]] for end in range(step, len(category.path) + 1, step)]
        for category in by_path.values()
    }


def public_products():
    """A product is public, hence indexed, while at least one verified stall sells it."""
    selling = StockRecord.objects.filter(Stall.verified_q(via="partner__stall"), product=OuterRef("pk"))
    return Product.objects.browsable().filter(Exists(selling))


def product_documents(product_ids: Iterable[int] | None = None) -> Iterator[dict]:
    """Documents of the public products among ``product_ids`` (all of them when None), in batches."""
    ids = public_products().order_by("pk").values_list("pk", flat=True)
    if product_ids is not None:
        ids = ids.filter(pk__in=list(product_ids))
    categories = _categories_with_ancestors()
    batch: list[int] = []
    for product_id in ids.iterator(chunk_size=BATCH * 4):
        batch.append(product_id)
        if len(batch) == BATCH:
            yield from _documents(batch, categories)
            batch = []
    if batch:
        yield from _documents(batch, categories)


def _offers(ids: list[int]) -> defaultdict[int, list]:
    """Each product's stock records at verified stalls, with their stall and commune."""
    offers = defaultdict(list)
    for record in StockRecord.objects.filter(
        Stall.verified_q(via="partner__stall"), product_id__in=ids
    ).select_related("partner__stall__commune"):
        offers[record.product_id].append(record)
    return offers


def _certified(ids: list[int], stall_ids: set[int]) -> defaultdict[tuple[str, int], set[str]]:
    """The kinds of certification valid today, by ("product", id) and by ("stall", id)."""
    today = timezone.localdate()
    certified = defaultdict(set)
    for product_id, holder_id, kind in Certification.objects.filter(
        Q(product_id__in=ids) | Q(product__isnull=True, holder_id__in=stall_ids),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        valid_from__lte=today,
    ).values_list("product_id", "holder_id", "kind"):
        certified[("product", product_id) if product_id else ("stall", holder_id)].add(kind)
    return certified


def _sold(ids: list[int]) -> dict:
    """Quantity ordered of each product, over all orders."""
    return dict(
        Line.objects.filter(product_id__in=ids)
        .values("product_id")
        .annotate(n=Sum("quantity"))
        .values_list("product_id", "n")
    )


def _documents(ids: list[int], categories: dict[int, list]) -> Iterator[dict]:
    offers = _offers(ids)
    stall_ids = {record.partner.stall.pk for records in offers.values() for record in records}
    certified = _certified(ids, stall_ids)
    sold = _sold(ids)
    products = Product.objects.filter(pk__in=ids).prefetch_related("categories").order_by("pk")
    for product in products:
        records = offers[product.pk]
        stalls = [record.partner.stall for record in records]
        communes = list({stall.commune.code: stall.commune for stall in stalls}.values())
        kinds = set(certified[("product", product.pk)])
        for stall in stalls:
            kinds |= certified[("stall", stall.pk)]
        if product.ocop_stars:
            kinds.add("ocop")
        lineage = {c.id: c for own in product.categories.all() for c in categories.get(own.id, [])}
        prices = [int(record.price) for record in records if record.price is not None]
        located = next((c for c in communes if c.latitude is not None), None)
        yield {
            "id": product.pk,
            "title": product.title,
            "description": strip_tags(product.description or "")[:2000],
            "categories": [c.name for c in lineage.values()],
            "category_ids": [str(c.id) for c in lineage.values()],
            "stalls": [stall.name for stall in stalls],
            "stall_ids": [str(stall.pk) for stall in stalls],
            "communes": [str(c.code) for c in communes],
            "commune_names": [c.name for c in communes],
            "provinces": sorted({str(c.province_code) for c in communes}),
            "province_names": sorted({c.province_name for c in communes}),
            "ocop_stars": product.ocop_stars,
            "certifications": sorted(kinds),
            "price": min(prices) if prices else None,
            "in_stock": any(
                record.num_in_stock is None or record.num_in_stock - (record.num_allocated or 0) > 0
                for record in records
            ),
            "season_months": list(product.season_months or []),
            "preorder": [{"gte": w["opens"], "lte": w["closes"]} for w in product.preorder_windows],
            "rating": product.rating if product.rating_count else None,
            "rating_count": product.rating_count,
            "popularity": int(sold.get(product.pk) or 0),
            "is_featured": product.is_featured,
            "created": product.date_created.isoformat(),
            "location": (
                {"lat": float(located.latitude), "lon": float(located.longitude)} if located else None
            ),
        }
