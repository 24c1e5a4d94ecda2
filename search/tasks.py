from django_tasks import task


@task()
def reindex(product_ids: list[int]) -> dict[str, int]:
    """Background job: the search documents of products that changed."""
    from search.indexing import reindex_products

    return reindex_products(product_ids)
