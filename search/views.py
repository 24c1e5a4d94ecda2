"""Product lists: the /shop/ catalogue, category pages and /search/, all from PostgreSQL."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import ListView
from oscar.core.loading import get_model

from catalogue.selectors import product_cards
from marketplace.storefront import current_communes
from search.selectors import product_search

Category = get_model("catalogue", "Category")


class ProductListView(ListView):
    context_object_name = "products"
    paginate_by = settings.OSCAR_PRODUCTS_PER_PAGE

    def communes(self):
        return current_communes(self.request)

    def paginate_queryset(self, queryset, page_size):
        # A page number past the end shows the last page instead of an error.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class CatalogueView(ProductListView):
    template_name = "oscar/catalogue/browse.html"

    def get_queryset(self):
        return product_cards(communes=self.communes()).order_by("-is_featured", "title")


class ProductCategoryView(ProductListView):
    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category.objects.browsable(), pk=kwargs["pk"])
        if request.path != self.category.get_absolute_url():
            return redirect(self.category.get_absolute_url(), permanent=True)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        categories = self.category.get_descendants_and_self()
        return (
            product_cards(communes=self.communes())
            .filter(categories__in=categories)
            .distinct()
            .order_by("-is_featured", "title")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class ProductSearchView(ProductListView):
    template_name = "search/results.html"

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()
        if not self.query:
            return product_cards().none()
        return product_search(query=self.query, communes=self.communes())

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)
