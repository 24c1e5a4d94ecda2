"""The background task that re-indexes the products a change touched."""

from django_tasks import task

from search.indexing import reindex_products


@task()
def reindex(product_ids: list[int]) -> dict[str, int]:
    """Background job: the search documents of products that changed."""
    return reindex_products(product_ids)
