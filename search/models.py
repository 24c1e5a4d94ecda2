"""The database backend's index: the same documents the engine gets, in one table (ProductEntry),
and the indexed words that mistyped words are corrected to (SearchWord)."""

from django.contrib.postgres.fields import ArrayField, DateRangeField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F


# Derived data: rebuilt from the catalogue by ``manage.py search_index --rebuild``. It is kept up to date
# even when an engine serves search, so that search falls back to it without losing anything.
class ProductEntry(models.Model):
    # Not a foreign key: the index may briefly lag the catalogue, and benchmarks fill it on their own.
    product_id = models.IntegerField(primary_key=True)
    title = models.TextField()
    title_folded = models.TextField()
    text_folded = models.TextField()  # title, description, categories, stalls, places: folded
    categories = ArrayField(models.IntegerField(), default=list)
    communes = ArrayField(models.IntegerField(), default=list)
    provinces = ArrayField(models.IntegerField(), default=list)
    ocop_stars = models.SmallIntegerField(null=True)
    certifications = ArrayField(models.CharField(max_length=20), default=list)
    price = models.BigIntegerField(null=True)
    in_stock = models.BooleanField(default=False)
    season_months = ArrayField(models.SmallIntegerField(), default=list)
    # The days of its sale windows still to come or open: "pre-order now" is today inside one of them.
    preorder = ArrayField(DateRangeField(), default=list)
    rating = models.FloatField(null=True)  # buyers' average (of the visible reviews), as cards show it
    rating_count = models.IntegerField(default=0)
    popularity = models.IntegerField(default=0)
    is_featured = models.BooleanField(default=False)
    created = models.DateTimeField()
    suggestions = ArrayField(models.TextField(), default=list)
    # Every facet value as one number (search/facet_keys.py): all facets counted in one pass.
    facet_keys = ArrayField(models.BigIntegerField(), default=list)
    # Full-text search of the folded words ('simple': no stemming, no stop words; Vietnamese has neither).
    document = models.GeneratedField(
        expression=SearchVector("text_folded", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        indexes = [
            GinIndex(fields=["document"], name="search_entry_document"),
            GinIndex(fields=["communes"], name="search_entry_communes"),
            GinIndex(fields=["categories"], name="search_entry_categories"),
            GinIndex(fields=["season_months"], name="search_entry_season"),  # "in season now"
            # One per sort (DatabaseBackend._order), so that a list's first page is an index scan.
            models.Index(
                F("is_featured").desc(),
                F("popularity").desc(),
                "title",
                "product_id",
                name="search_entry_featured",
            ),
            models.Index("price", "title", "product_id", name="search_entry_price"),
            models.Index(F("price").desc(), "title", "product_id", name="search_entry_price_desc"),
            models.Index(F("created").desc(), "title", "product_id", name="search_entry_newest"),
            models.Index(
                F("rating").desc(nulls_last=True),
                F("rating_count").desc(),
                F("popularity").desc(),
                "product_id",
                name="search_entry_rating",
            ),
        ]

    def __str__(self):
        return self.title


class SearchWord(models.Model):
    """Every folded word of the index: a mistyped word is corrected to the nearest one (pg_trgm)."""

    word = models.CharField(max_length=60, primary_key=True)

    class Meta:
        indexes = [GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="search_word_trgm")]

    def __str__(self):
        return self.word
