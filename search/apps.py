from django.urls import path
from oscar.apps.search import apps


class SearchConfig(apps.SearchConfig):
    """Replaces Oscar's haystack search with our own (label "search", served at /search/)."""

    name = "search"

    def ready(self):
        from search import indexing
        from search.views import ProductSearchView, suggest

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
