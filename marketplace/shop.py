from oscar import config


class Shop(config.Shop):
    """Oscar at /shop/, without its search URLs: our search app is served at /search/.

    The catalogue's list pages are search pages, served by the search app (a layer above the
    catalogue), so they are wired in here rather than imported by ``catalogue.views``."""

    def get_urls(self):
        from search.views import CatalogueView, ProductCategoryView  # loads models: not while apps load

        self.catalogue_app.catalogue_view = CatalogueView
        self.catalogue_app.category_view = ProductCategoryView
        return [
            pattern for pattern in super().get_urls() if str(getattr(pattern, "pattern", "")) != "search/"
        ]
