"""Keeping the search indexes up to date: after a change commits, a background task re-reads the
products it touched and writes their documents to PostgreSQL's index and, when configured, the engine's.
"""

import logging
import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from oscar.core.loading import get_model
from wagtail.signals import page_published, page_unpublished

from ground import page_cache
from ground.models import Commune
from search.backends import engine_backend
from search.database_search import DatabaseBackend
from search.documents import product_documents, public_products
from search.engines import EngineError
from search.windows import labels_change, products_windows_refresh
from seasons.models import SaleWindow
from sellers.models import Stall
from traceability.models import Certification

logger = logging.getLogger(__name__)

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
ProductImage = get_model("catalogue", "ProductImage")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

_pending = threading.local()


def backends() -> list:
    """PostgreSQL always; the engine when configured and reachable (else the failure is logged and
    PostgreSQL is still written)."""
    try:
        engine = engine_backend()
    except EngineError as error:
        logger.error("Search engine unavailable for indexing: %s", error)
        engine = None
    return [DatabaseBackend(), *([engine] if engine else [])]


def reindex_products(product_ids, *, engine_only: bool = False) -> dict[str, int]:
    """Write the current documents of these products everywhere (only to the engine with
    ``engine_only``); remove those no longer public (deleted, hidden, stall suspended).

    PostgreSQL failing raises. The engine failing (down, or refusing) is logged and reported as
    ``engine_failed: 1``, so that search/tasks.py tries it again once it is back."""
    product_ids = set(product_ids)
    documents = list(product_documents(product_ids))
    gone = product_ids - {document["id"] for document in documents}
    if not engine_only:
        database = DatabaseBackend()
        database.index(documents)
        database.remove(gone)
    engine_failed = 0
    try:
        engine = engine_backend()
        if engine:
            engine.index(documents)
            engine.remove(gone)
    except Exception as error:  # the engine down must not lose the database's update
        logger.error("Indexing %s products in the search engine failed: %s", len(product_ids), error)
        engine_failed = 1
    page_cache.bump_on_commit()  # the lists and searches rendered before were read from the old index
    return {"indexed": len(documents), "removed": len(gone), "engine_failed": engine_failed}


def rebuild(*, progress=None) -> dict[str, int]:
    total = public_products().count()
    counts = {
        backend.name: backend.rebuild(
            product_documents(), progress=progress and progress(backend.name, total)
        )
        for backend in backends()
    }
    page_cache.bump()
    return counts


def schedule(product_ids) -> None:
    """Reindex these products once the current transaction commits (one task per transaction)."""
    product_ids = {pk for pk in product_ids if pk is not None}
    if not product_ids:
        return
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = set()
    pending.update(product_ids)
    transaction.on_commit(_enqueue)


def _enqueue() -> None:
    from search.tasks import reindex  # search.tasks imports this module: at the top, a cycle

    ids, _pending.ids = getattr(_pending, "ids", None), None
    if ids:
        reindex.enqueue(sorted(ids))


# Signals: what each change touches ---------------------------------------------------------------


def _products_of_partners(partner_ids) -> list[int]:
    return list(StockRecord.objects.filter(partner_id__in=partner_ids).values_list("product_id", flat=True))


def _product_changed(sender, instance, **kwargs):
    schedule([instance.pk])


def _stockrecord_changed(sender, instance, **kwargs):
    schedule([instance.product_id])


def _stall_changed(sender, instance, **kwargs):
    schedule(_products_of_partners([instance.partner_id]))


def _commune_changed(sender, instance, **kwargs):
    schedule(
        StockRecord.objects.filter(partner__stall__commune=instance).values_list("product_id", flat=True)
    )


def _certification_changed(sender, instance, **kwargs):
    if instance.product_id:
        schedule([instance.product_id])
    else:
        schedule(_products_of_partners([instance.holder.partner_id]))


def _window_changed(sender, instance, update_fields=None, **kwargs):
    """A window created, changed, full, closed or cancelled: its product's cards say so once this
    commits (Product.preorder_windows, written in this transaction), its documents after."""
    if labels_change(update_fields):
        products_windows_refresh([instance.product_id])
        schedule([instance.product_id])


def _page_changed(sender, **kwargs):
    page_cache.bump_on_commit()


def _categories_changed(sender, instance, action, pk_set, **kwargs):
    if action.startswith("post_"):
        schedule([instance.pk] if isinstance(instance, Product) else list(pk_set or []))


def connect() -> None:
    """Every change a product's document reads is reindexed; every change a cached page shows (the
    same, plus photos, category names, storefront pages) renews the cached pages."""
    page_cache.invalidate_on(
        [Product, StockRecord, Stall, Commune, Certification, Category, ProductImage, Partner, SaleWindow],
        many_to_many=[Product.categories.through],
    )
    page_published.connect(_page_changed, dispatch_uid="page-cache-published")
    page_unpublished.connect(_page_changed, dispatch_uid="page-cache-unpublished")
    for model, handler in (
        (Product, _product_changed),
        (StockRecord, _stockrecord_changed),
        (Stall, _stall_changed),
        (Commune, _commune_changed),
        (Certification, _certification_changed),
    ):
        post_save.connect(handler, sender=model, dispatch_uid=f"search-{model.__name__}-save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"search-{model.__name__}-delete")
    post_save.connect(_window_changed, sender=SaleWindow, dispatch_uid="search-SaleWindow-save")
    post_delete.connect(_window_changed, sender=SaleWindow, dispatch_uid="search-SaleWindow-delete")
    m2m_changed.connect(
        _categories_changed, sender=Product.categories.through, dispatch_uid="search-categories"
    )
