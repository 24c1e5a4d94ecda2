"""The search app: Oscar's search app serving our own views, with the indexing signals connected."""

from django.urls import path
from oscar.apps.search import apps


class SearchConfig(apps.SearchConfig):
    """Replaces Oscar's haystack search with our own (label "search", served at /search/)."""

    name = "search"

    def ready(self):
        from search import indexing  # loads models: not while apps load
        from search.views import ProductSearchView, suggest  # loads models: not while apps load

        indexing.connect()
        self.search_view = ProductSearchView
        self.suggest_view = suggest

    def get_urls(self):
        return self.post_process_urls(
            [
                path("", self.search_view.as_view(), name="search"),
                path("suggest", self.suggest_view, name="suggest"),
            ]
        )
