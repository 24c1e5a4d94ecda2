"""The background task that re-indexes the products a change touched."""

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from search.indexing import reindex_products

logger = logging.getLogger(__name__)

# While the engine is down, a change is tried again after 10 s, 20 s, then every 40 s (so search is fresh
# within 40 s of the engine's return), for a day; past that, `manage.py search_index --rebuild` (logged).
RETRY_FIRST, RETRY_MOST, RETRY_FOR = 10, 40, timedelta(days=1)


@task(queue_name="search")
def reindex(
    product_ids: list[int], engine_only: bool = False, tries: int = 0, failing_since: str = ""
) -> dict:
    """Background job: the search documents of products that changed (PostgreSQL's index and the
    engine's). When the engine is away, PostgreSQL is written at once and the engine later: the job
    queues itself again (engine only), so search is fresh soon after the engine is back."""
    outcome = reindex_products(product_ids, engine_only=engine_only)
    if outcome["engine_failed"]:
        now = timezone.now()
        since = failing_since or now.isoformat()
        if not reindex.get_backend().supports_defer:  # tasks run inline (tests): nothing to wait on
            logger.error("Indexing in the search engine failed; no later try without a task queue.")
        elif now - datetime.fromisoformat(since) < RETRY_FOR:
            delay = min(RETRY_FIRST * 2**tries, RETRY_MOST)
            reindex.using(run_after=now + timedelta(seconds=delay)).enqueue(
                product_ids, engine_only=True, tries=tries + 1, failing_since=since
            )
        else:
            logger.error(
                "Gave up indexing %s products in the search engine (failing since %s): "
                "run `manage.py search_index --rebuild`.",
                len(product_ids),
                since,
            )
    return outcome
